package main

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/cards"
)

// cardsPart is the card id authority's state on the app (H4 owns this file).
type cardsPart struct {
	cardIDs    *cards.Authority
	cardClient *odoo.Client // the authority's own client: no automatic retries (a create is not idempotent)
}

// cardCallTimeout bounds one call of the authority to Odoo: a card is
// created inside the request's transaction.
const cardCallTimeout = 15 * time.Second

// openCards serves hot balances from a.cache and, when an upstream is
// configured, makes Odoo the id authority of new cards (the engine's tier
// cards, the POS coupons, RPC creates of loyalty.card) and the source of
// the POS orders the engine does not have.
//
// Card ids never mix: in upstream mode every card's id is Odoo's. The
// server refuses to start in upstream mode while the database holds cards
// numbered by this engine that Odoo does not know (odoo_card_id empty);
// on PostgreSQL the card sequence is moved past the highest id at every
// start, so a database that goes back to standalone never reuses an id
// Odoo gave.
func (a *app) openCards(ctx context.Context) error {
	if a.cache != nil {
		a.engine.SetBalanceCache(a.cache, a.balanceTTL())
		a.reg.OnWrite("loyalty.card", func(ctx context.Context, _ bun.IDB, ids []int64, _ map[string]any) error {
			a.engine.CardsChanged(ctx, ids...) // a points written by hand
			return nil
		})
	}
	if err := advanceCardSequence(ctx, a.db); err != nil {
		return err
	}
	if a.odoo == nil {
		return nil
	}
	var local int64
	if err := a.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM loyalty_cards WHERE odoo_card_id IS NULL`).Scan(&local); err != nil {
		return fmt.Errorf("cards: %w", err)
	}
	if local > 0 {
		return fmt.Errorf("--odoo-url: the database holds %d loyalty cards numbered by this server, unknown to Odoo; "+
			"with an upstream Odoo, Odoo numbers the cards: use a new database (another --data-dir or --database-url) "+
			"and run loyaltyd import there", local)
	}
	c, err := odoo.New(odoo.Config{URL: a.cfg.OdooURL, DB: a.cfg.OdooDB, Login: a.cfg.OdooLogin, APIKey: a.cfg.OdooAPIKey,
		Timeout: min(a.cfg.OdooTimeout, cardCallTimeout), MaxAttempts: 1}, a.log)
	if err != nil {
		return fmt.Errorf("--odoo-url: %w", err)
	}
	auth := cards.New(c, cards.Options{}, a.log)
	a.engine.SetCardIDs(auth)
	a.reg.SetIDSource("loyalty.card", auth.CardIDSource, "odoo_card_id")
	a.reg.SetRecordSource("pos.order", auth.ReadOrder)
	a.parts.cardsPart = cardsPart{cardIDs: auth, cardClient: c}
	return nil
}

// advanceCardSequence moves PostgreSQL's loyalty_cards and pos_order id
// sequences past the highest id (rows inserted with Odoo's ids do not move
// them); never backwards. SQLite's AUTOINCREMENT follows explicit ids by
// itself.
func advanceCardSequence(ctx context.Context, db *models.DB) error {
	if db.DialectName() != models.DialectPG {
		return nil
	}
	for _, t := range []string{"loyalty_cards", "pos_order"} {
		// nextval: never backwards, whatever other instances do meanwhile
		// (it spends one id).
		if _, err := db.ExecContext(ctx, `SELECT setval(CAST(s AS regclass), GREATEST((SELECT COALESCE(MAX(id), 0) FROM `+t+`),
			nextval(CAST(s AS regclass)))) FROM (SELECT pg_get_serial_sequence('`+t+`', 'id') AS s) x`); err != nil {
			return fmt.Errorf("cards: sequence of %s: %w", t, err)
		}
	}
	return nil
}
