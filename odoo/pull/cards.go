package pull

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
)

// Ledger is what the card import needs of the engine (engine.Service).
type Ledger interface {
	InTx(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error
	ImportCard(ctx context.Context, tx bun.IDB, c engine.ImportedCard) (bool, error)
	Adjust(ctx context.Context, tx bun.IDB, m engine.Movement) (engine.Result, error)
	ImportLedger(ctx context.Context, tx bun.IDB, card int64, lots []engine.ImportedLot,
		entries []engine.ImportedEntry) (int, int, error)
}

// OpeningReason is the reason of an imported card's opening lot.
const OpeningReason = "opening balance imported from Odoo"

// OpeningKey is the idempotency key of card's opening lot.
func OpeningKey(card int64) string { return fmt.Sprintf("import:card:%d", card) }

// Report is the outcome of ImportCards: what this run did, then the
// reconciliation of Odoo's cards with the engine's.
type Report struct {
	// This run.
	Created     int // cards created
	OpeningLots int // opening lots booked
	SeedLots    int // seed addon lots taken
	SeedEntries int // seed addon history rows taken
	Skipped     int // cards that could not be imported (see MissingInEngine)
	SeedAddon   bool

	// Reconciliation.
	OdooCards       int
	EngineCards     int     // engine cards with an Odoo id
	MissingInEngine []int64 // Odoo cards the engine lacks
	OnlyInEngine    []int64 // engine cards Odoo no longer has
	Lots            int     // lots of those engine cards
	Differ          []Diff  // balances that differ
}

// Diff is a card whose balance differs between Odoo and the engine.
type Diff struct {
	Card         int64
	Code         string
	Odoo, Engine decimal.Decimal
}

// Reconciliation renders the reconciliation part of r (the same on a
// re-run that found nothing new).
func (r Report) Reconciliation() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reconciliation\n")
	fmt.Fprintf(&b, "  cards:  %d in Odoo, %d in the engine\n", r.OdooCards, r.EngineCards)
	fmt.Fprintf(&b, "  missing in the engine: %s\n", idList(r.MissingInEngine))
	fmt.Fprintf(&b, "  missing in Odoo:       %s\n", idList(r.OnlyInEngine))
	fmt.Fprintf(&b, "  lots in the engine:    %d\n", r.Lots)
	fmt.Fprintf(&b, "  balances that differ:  %d\n", len(r.Differ))
	for _, d := range r.Differ {
		fmt.Fprintf(&b, "    card %d %s: Odoo %s, engine %s\n", d.Card, d.Code, d.Odoo.StringFixed(2), d.Engine.StringFixed(2))
	}
	return b.String()
}

// Print writes the whole report.
func (r Report) Print(w io.Writer) {
	addon := "not installed"
	if r.SeedAddon {
		addon = "installed"
	}
	fmt.Fprintf(w, "import: %d cards created, %d opening lots, %d seed lots and %d seed history rows taken (seed addon %s), %d skipped\n",
		r.Created, r.OpeningLots, r.SeedLots, r.SeedEntries, addon, r.Skipped)
	fmt.Fprint(w, r.Reconciliation())
}

func idList(ids []int64) string {
	if len(ids) == 0 {
		return "none"
	}
	s := make([]string, 0, min(len(ids), 20))
	for _, id := range ids[:min(len(ids), 20)] {
		s = append(s, fmt.Sprint(id))
	}
	more := ""
	if len(ids) > 20 {
		more = fmt.Sprintf(" (and %d more)", len(ids)-20)
	}
	return fmt.Sprintf("%d: %s%s", len(ids), strings.Join(s, ", "), more)
}

// odooCard is a loyalty.card as read.
type odooCard struct {
	id      int64
	code    string
	points  decimal.Decimal
	program int64
}

// ImportCards is the one-time migration of Odoo's loyalty cards (run it
// after the reference data is pulled: cards need their program): each
// card keeps Odoo's id; a standard card's points become one opening lot
// (Adjust under OpeningKey); where the seed addon is installed, the cards'
// loyalty.point.move lots and loyalty.point.history rows are taken as they
// are (engine.ImportLedger). A card already imported is left alone, so a
// re-run creates nothing and reports the same. It ends with the
// reconciliation of Odoo's cards and balances with the engine's.
func ImportCards(ctx context.Context, c Client, db *models.DB, l Ledger, pageSize int, log *slog.Logger) (Report, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	var rep Report
	found, err := c.ProbeModels(ctx, "loyalty.point.move", "loyalty.point.history")
	if err != nil {
		return rep, err
	}
	rep.SeedAddon = found["loyalty.point.move"] && found["loyalty.point.history"]
	programs, err := localIDs(ctx, db, "promotion_programs")
	if err != nil {
		return rep, err
	}
	odooCards := map[int64]odooCard{}
	var last int64
	for {
		var rows []map[string]any
		if err := c.ExecuteKw(ctx, "loyalty.card", "search_read", []any{[]any{[]any{"id", ">", last}}},
			map[string]any{"fields": []any{"code", "program_id", "partner_id", "expiration_date", "points", "company_id"},
				"order": "id", "limit": pageSize}, &rows); err != nil {
			return rep, fmt.Errorf("import: loyalty.card: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		var cards []engine.ImportedCard
		pts := map[int64]decimal.Decimal{}
		for _, r := range rows {
			ic, oc, ok := readCard(r)
			if !ok {
				continue
			}
			last = max(last, ic.ID)
			odooCards[ic.ID] = oc
			if !programs[ic.Program] {
				log.Warn("import: card skipped: its program is not in the engine", slog.Int64("card", ic.ID),
					slog.Int64("program", ic.Program))
				rep.Skipped++
				continue
			}
			cards = append(cards, ic)
			pts[ic.ID] = oc.points
		}
		lots, entries := map[int64][]engine.ImportedLot{}, map[int64][]engine.ImportedEntry{}
		if rep.SeedAddon && len(cards) > 0 {
			if lots, entries, err = readSeedLedger(ctx, c, cards); err != nil {
				return rep, err
			}
		}
		for _, ic := range cards {
			if err := importCard(ctx, l, ic, pts[ic.ID], lots[ic.ID], entries[ic.ID], &rep); err != nil {
				return rep, err
			}
		}
		if rep.SeedAddon && len(cards) > 0 {
			if err := linkSeedRows(ctx, c, db, cards); err != nil {
				return rep, err
			}
		}
		if len(rows) < pageSize {
			break
		}
	}
	rep.OdooCards = len(odooCards)
	return rep, reconcile(ctx, db, odooCards, &rep)
}

// readCard reads a loyalty.card row.
func readCard(r map[string]any) (engine.ImportedCard, odooCard, bool) {
	id, ok := r["id"].(int64)
	if !ok {
		return engine.ImportedCard{}, odooCard{}, false
	}
	code, _ := r["code"].(string)
	ic := engine.ImportedCard{ID: id, Code: code, Program: idOf(r["program_id"]), Partner: idOf(r["partner_id"]),
		Company: idOf(r["company_id"])}
	if s, ok := r["expiration_date"].(string); ok && len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			ic.Expiration = &t
		}
	}
	ic.OdooPoints = decimalOf(r["points"])
	return ic, odooCard{id: id, code: code, points: ic.OdooPoints, program: ic.Program}, true
}

// readSeedLedger reads the seed addon's lots and history of cards.
func readSeedLedger(ctx context.Context, c Client, cards []engine.ImportedCard) (map[int64][]engine.ImportedLot,
	map[int64][]engine.ImportedEntry, error) {
	ids := make([]any, len(cards))
	for i, ic := range cards {
		ids[i] = ic.ID
	}
	dom := []any{[]any{"loyalty_card_id", "in", ids}}
	var moves, hist []map[string]any
	if err := c.ExecuteKw(ctx, "loyalty.point.move", "search_read", []any{dom}, map[string]any{
		"fields": []any{"loyalty_card_id", "membership_product_id", "gain_date", "expiration_date", "initial_point",
			"remaining_point", "state", "origin"}, "order": "id"}, &moves); err != nil {
		return nil, nil, fmt.Errorf("import: loyalty.point.move: %w", err)
	}
	if err := c.ExecuteKw(ctx, "loyalty.point.history", "search_read", []any{dom}, map[string]any{
		"fields": []any{"loyalty_card_id", "point_move_id", "points_amount", "transaction_time", "origin",
			"membership_product_id", "status_membership_product_id"}, "order": "id"}, &hist); err != nil {
		return nil, nil, fmt.Errorf("import: loyalty.point.history: %w", err)
	}
	lots, entries := map[int64][]engine.ImportedLot{}, map[int64][]engine.ImportedEntry{}
	for _, m := range moves {
		id, _ := m["id"].(int64)
		card := idOf(m["loyalty_card_id"])
		l := engine.ImportedLot{OdooID: id, Tier: idOf(m["membership_product_id"]), Gain: timeOf(m["gain_date"]),
			Initial: decimalOf(m["initial_point"]), Remaining: decimalOf(m["remaining_point"]), Origin: strOf(m["origin"])}
		l.State, _ = m["state"].(string)
		if t := timeOf(m["expiration_date"]); !t.IsZero() {
			l.Expiry = &t
		}
		lots[card] = append(lots[card], l)
	}
	for _, h := range hist {
		id, _ := h["id"].(int64)
		card := idOf(h["loyalty_card_id"])
		entries[card] = append(entries[card], engine.ImportedEntry{OdooID: id, Lot: idOf(h["point_move_id"]),
			Amount: decimalOf(h["points_amount"]), At: timeOf(h["transaction_time"]), Origin: strOf(h["origin"]),
			Tier: idOf(h["membership_product_id"]), StatusTier: idOf(h["status_membership_product_id"])})
	}
	return lots, entries, nil
}

// reconcile compares Odoo's cards with the engine's.
func reconcile(ctx context.Context, db *models.DB, odooCards map[int64]odooCard, rep *Report) error {
	lite := db.DialectName() == models.DialectSQLite
	rows, err := db.QueryContext(ctx, `SELECT id, code, points FROM loyalty_cards WHERE odoo_card_id IS NOT NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("import: reconcile: %w", err)
	}
	local := map[int64]bool{}
	for rows.Next() {
		var id int64
		var code string
		var raw any
		if err := rows.Scan(&id, &code, &raw); err != nil {
			_ = rows.Close()
			return err
		}
		pts := columnDecimal(lite, raw)
		local[id] = true
		rep.EngineCards++
		oc, ok := odooCards[id]
		if !ok {
			rep.OnlyInEngine = append(rep.OnlyInEngine, id)
			continue
		}
		if !oc.points.Equal(pts) {
			rep.Differ = append(rep.Differ, Diff{Card: id, Code: code, Odoo: oc.points, Engine: pts})
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for id := range odooCards {
		if !local[id] {
			rep.MissingInEngine = append(rep.MissingInEngine, id)
		}
	}
	slices.Sort(rep.MissingInEngine)
	return db.QueryRowContext(ctx, `SELECT count(*) FROM point_moves m JOIN loyalty_cards c ON c.id = m.loyalty_card_id
		WHERE c.odoo_card_id IS NOT NULL`).Scan(&rep.Lots)
}

// localIDs lists a table's ids.
func localIDs(ctx context.Context, db *models.DB, table string) (map[int64]bool, error) {
	rows, err := db.QueryContext(ctx, "SELECT id FROM "+q(table))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func idOf(v any) int64 {
	id, _ := m2oID(v).(int64)
	return id
}

func strOf(v any) string {
	s, _ := v.(string)
	return s
}

// decimalOf reads a float Odoo sent as an exact 2-place decimal.
func decimalOf(v any) decimal.Decimal { return odoo.Decimal(v) }

// timeOf reads an Odoo datetime or date string (zero when False).
func timeOf(v any) time.Time {
	s, _ := v.(string)
	if len(s) >= len(models.DatetimeLayout) {
		t, _ := time.Parse(models.DatetimeLayout, s[:len(models.DatetimeLayout)])
		return t
	}
	if len(s) >= 10 {
		t, _ := time.Parse(time.DateOnly, s[:10])
		return t
	}
	return time.Time{}
}

// columnDecimal reads a decimal column as the driver returned it.
func columnDecimal(lite bool, v any) decimal.Decimal { return models.DecimalOf(lite, v) }

// linkSeedRows gives the seed addon's rows taken by the import the external
// ids the outbox writes them under (loyaltyd.point_move_<engine id>,
// loyaltyd.point_history_<engine id>), pointing at the Odoo records they
// came from: a later movement that touches an imported lot then updates
// Odoo's lot instead of loading a copy of it. Names already there (a
// re-run) are left alone.
func linkSeedRows(ctx context.Context, c Client, db *models.DB, cards []engine.ImportedCard) error {
	ids := make([]any, len(cards))
	for i, ic := range cards {
		ids[i] = ic.ID
	}
	for _, t := range []struct{ table, model, prefix string }{
		{"point_moves", "loyalty.point.move", "point_move_"},
		{"point_history", "loyalty.point.history", "point_history_"},
	} {
		want := map[string]int64{}
		err := db.Query(ctx, db, `SELECT id, odoo_id FROM `+t.table+` WHERE odoo_id IS NOT NULL AND loyalty_card_id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, ids, func(rows *sql.Rows) error {
			var id, odooID int64
			if err := rows.Scan(&id, &odooID); err != nil {
				return err
			}
			want[t.prefix+strconv.FormatInt(id, 10)] = odooID
			return nil
		})
		if err != nil {
			return fmt.Errorf("import: %s: %w", t.table, err)
		}
		if len(want) == 0 {
			continue
		}
		names := make([]any, 0, len(want))
		for n := range want {
			names = append(names, n)
		}
		var have []map[string]any
		if err := c.ExecuteKw(ctx, "ir.model.data", "search_read",
			[]any{[]any{[]any{"module", "=", "loyaltyd"}, []any{"name", "in", names}}},
			map[string]any{"fields": []any{"name"}}, &have); err != nil {
			return fmt.Errorf("import: external ids of %s: %w", t.model, err)
		}
		for _, h := range have {
			delete(want, strOf(h["name"]))
		}
		if len(want) == 0 {
			continue
		}
		vals := make([]any, 0, len(want))
		for name, odooID := range want {
			vals = append(vals, map[string]any{"module": "loyaltyd", "name": name, "model": t.model,
				"res_id": odooID, "noupdate": true})
		}
		if err := c.ExecuteKw(ctx, "ir.model.data", "create", []any{vals}, nil, nil); err != nil {
			return fmt.Errorf("import: external ids of %s: %w", t.model, err)
		}
	}
	return nil
}

// importCard takes one Odoo card in one transaction: the card under Odoo's
// id, then the seed addon's lots and rows, or else its points as one
// opening lot (only when the card is new).
func importCard(ctx context.Context, l Ledger, ic engine.ImportedCard, points decimal.Decimal,
	lots []engine.ImportedLot, entries []engine.ImportedEntry, rep *Report) error {
	err := l.InTx(ctx, func(ctx context.Context, tx bun.IDB) error {
		created, err := l.ImportCard(ctx, tx, ic)
		if err != nil {
			return err
		}
		if created {
			rep.Created++
		}
		if len(lots) > 0 || len(entries) > 0 {
			nl, ne, err := l.ImportLedger(ctx, tx, ic.ID, lots, entries)
			rep.SeedLots += nl
			rep.SeedEntries += ne
			return err
		}
		if !created || !points.IsPositive() {
			return nil
		}
		res, err := l.Adjust(ctx, tx, engine.Movement{Card: ic.ID, Points: points, Key: OpeningKey(ic.ID),
			Reason: OpeningReason, Origin: "Odoo import"})
		if err == nil && !res.Replayed {
			rep.OpeningLots++
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("import: card %d: %w", ic.ID, err)
	}
	return nil
}

// NewCardsOverlap is how far below the engine's highest Odoo card id
// NewCards starts reading: Odoo numbers cards when they are inserted, and
// one inserted earlier may commit later.
const NewCardsOverlap = 1000

// NewCards takes the loyalty cards created in Odoo outside the engine (in
// the back office, by another system) since the import: Odoo's cards
// above the engine's highest Odoo id (less NewCardsOverlap) that the
// engine lacks, created before now - settle (a card the engine itself is
// creating in Odoo this moment is left to the engine), each as the import
// takes it. It returns how many cards it created.
func NewCards(ctx context.Context, c Client, db *models.DB, l Ledger, now time.Time, settle time.Duration,
	log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var after int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(odoo_card_id), 0) FROM loyalty_cards`).Scan(&after); err != nil {
		return 0, fmt.Errorf("new cards: %w", err)
	}
	after = max(0, after-NewCardsOverlap)
	known, err := localIDs(ctx, db, "loyalty_cards")
	if err != nil {
		return 0, err
	}
	programs, err := localIDs(ctx, db, "promotion_programs")
	if err != nil {
		return 0, err
	}
	var rep Report
	var found map[string]bool
	before := now.Add(-settle).UTC().Format(models.DatetimeLayout)
	for {
		var rows []map[string]any
		if err := c.ExecuteKw(ctx, "loyalty.card", "search_read",
			[]any{[]any{[]any{"id", ">", after}, []any{"create_date", "<", before}}},
			map[string]any{"fields": []any{"code", "program_id", "partner_id", "expiration_date", "points", "company_id"},
				"order": "id", "limit": DefaultPageSize}, &rows); err != nil {
			return rep.Created, fmt.Errorf("new cards: loyalty.card: %w", err)
		}
		var cards []engine.ImportedCard
		pts := map[int64]decimal.Decimal{}
		for _, r := range rows {
			ic, oc, ok := readCard(r)
			if !ok {
				continue
			}
			after = max(after, ic.ID)
			if known[ic.ID] {
				continue
			}
			if !programs[ic.Program] {
				log.Warn("new card in Odoo skipped: its program is not in the engine", slog.Int64("card", ic.ID),
					slog.Int64("program", ic.Program))
				continue
			}
			cards = append(cards, ic)
			pts[ic.ID] = oc.points
		}
		if len(cards) > 0 {
			if found == nil {
				if found, err = c.ProbeModels(ctx, "loyalty.point.move", "loyalty.point.history"); err != nil {
					return rep.Created, err
				}
			}
			seed := found["loyalty.point.move"] && found["loyalty.point.history"]
			lots, entries := map[int64][]engine.ImportedLot{}, map[int64][]engine.ImportedEntry{}
			if seed {
				if lots, entries, err = readSeedLedger(ctx, c, cards); err != nil {
					return rep.Created, err
				}
			}
			for _, ic := range cards {
				if err := importCard(ctx, l, ic, pts[ic.ID], lots[ic.ID], entries[ic.ID], &rep); err != nil {
					return rep.Created, err
				}
			}
			if seed {
				if err := linkSeedRows(ctx, c, db, cards); err != nil {
					return rep.Created, err
				}
			}
		}
		if len(rows) < DefaultPageSize {
			return rep.Created, nil
		}
	}
}
