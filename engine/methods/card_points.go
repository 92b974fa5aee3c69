package methods

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// extendCardModel makes the points of loyalty.card's create, write and
// copy go through the ledger. Odoo's back office, its clients and scripts
// set a card's balance by giving points (in the values, a default_points
// in the context, a copied card); here the ORM method runs as before, then
// every card whose points column moved away from its journal's balance is
// put back and the difference booked as an adjustment: a journal row with
// a reason and a lot (or FEFO consumption), so the balance always equals
// the lots, the history says who changed it, and the outbox sends it to an
// upstream Odoo like any other movement.
func (m *Methods) extendCardModel(reg *models.Registry) error {
	card := reg.Model("loyalty.card")
	if card == nil {
		return models.Internal(errors.New("methods: loyalty.card must be registered first"))
	}
	if card.Methods == nil {
		card.Methods = map[string]models.MethodFunc{}
	}
	if card.RecordMethods == nil {
		card.RecordMethods = map[string]bool{}
	}
	for method, reason := range map[string]string{
		"create": "points set when the card was created",
		"write":  "points written on the card by user %d",
		"copy":   "points of the card it was copied from",
	} {
		orm := card.Methods[method]
		if orm == nil {
			orm = models.GenericMethod(method)
		}
		if method != "create" {
			card.RecordMethods[method] = true // (ids, ...), as the generic one
		}
		card.Methods[method] = func(ctx context.Context, c *models.Call) (any, error) {
			res, err := orm(ctx, c)
			if err != nil {
				return nil, err
			}
			var ids []int64
			if method == "write" {
				// Only a write of points moves a balance: a card whose
				// column disagrees with its journal for another reason
				// (rows written by hand) is not "corrected" by an
				// unrelated write.
				vals, _ := c.Arg(1, "vals")
				if v, ok := vals.(map[string]any); !ok || v["points"] == nil {
					return res, nil
				}
				raw, _ := c.Arg(0, "ids")
				ids = idList(raw)
			} else {
				ids = idList(res)
			}
			why := reason
			if method == "write" {
				why = fmt.Sprintf(reason, c.Env.UID)
			}
			for _, id := range ids {
				if err := m.settlePoints(ctx, c, id, why); err != nil {
					return nil, err
				}
			}
			return res, nil
		}
	}
	return nil
}

// settlePoints books the difference between a card's points column (as an
// ORM method left it) and its journal's last balance as an adjustment. On
// PostgreSQL the card row is locked first (SQLite has one writer).
func (m *Methods) settlePoints(ctx context.Context, c *models.Call, card int64, reason string) error {
	st := storeOf(c)
	lock := ""
	if st.dialect == models.DialectPG {
		lock = " FOR UPDATE OF c"
	}
	var col, ledger any
	err := c.DB.QueryRowContext(ctx, `SELECT c.points, h.points_balance FROM loyalty_cards c
		LEFT JOIN point_history h ON h.loyalty_card_id = c.id AND h.seq = c.history_seq WHERE c.id = ?`+lock, card).
		Scan(&col, &ledger)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // unlinked meanwhile: nothing to book
	}
	if err != nil {
		return internal("loyalty.card points", err)
	}
	lite := st.dialect == models.DialectSQLite
	have, want := models.DecimalOf(lite, ledger), models.DecimalOf(lite, col)
	diff := want.Round(2).Sub(have)
	if diff.IsZero() {
		return nil
	}
	// Back to the journal's balance, then the adjustment moves it.
	if _, err := c.DB.ExecContext(ctx, `UPDATE loyalty_cards SET points = ? WHERE id = ?`, st.dec(have), card); err != nil {
		return internal("loyalty.card points", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	_, err = m.svc.Adjust(ctx, c.DB, engine.Movement{Card: card, Points: diff, Reason: reason,
		Key: fmt.Sprintf("loyalty.card:%d:points:%s", card, hex.EncodeToString(b[:]))})
	return err
}

// idList reads ids: an id, or a list of them (create's and copy's answers,
// a record method's first argument).
func idList(v any) []int64 {
	var out []int64
	switch x := v.(type) {
	case int64:
		out = []int64{x}
	case []int64:
		out = slices.Clone(x)
	case []any:
		for _, e := range x {
			if id, ok := e.(int64); ok {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
