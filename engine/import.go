package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// The one-time migration of loyalty data from Odoo (`loyaltyd import`,
// issue 5). Cards keep Odoo's id; a standard card's points become one
// opening lot through Adjust (the caller does that, under the key
// "import:card:<odoo id>"); the seed addon's lots and journal rows are
// taken as they are by ImportLedger.

// ImportedCard is a loyalty.card read from Odoo.
type ImportedCard struct {
	ID         int64 // Odoo's id: the local id and odoo_card_id
	Program    int64
	Partner    int64 // 0: none
	Company    int64 // 0: the default
	Code       string
	Expiration *time.Time      // a date; nil: none
	OdooPoints decimal.Decimal // Odoo's points at import: loyalty_cards.odoo_points, what the outbox finds there
}

// ImportCard inserts c with no points under Odoo's id. A card already
// there (a re-run) is left as it is: created is false.
func (s *Service) ImportCard(ctx context.Context, tx bun.IDB, c ImportedCard) (created bool, err error) {
	lite := isLite(tx)
	var exp any
	if c.Expiration != nil {
		exp = c.Expiration.UTC().Format(time.DateOnly)
	}
	now := timeArg(lite, s.now())
	res, err := tx.ExecContext(ctx, `INSERT INTO loyalty_cards (id, odoo_card_id, program_id, partner_id, code,
		expiration_date, company_id, points, odoo_points, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, c.ID, c.ID, c.Program, idArg(c.Partner), c.Code, exp, cmp.Or(c.Company, 1),
		decArg(lite, decimal.Zero), decArg(lite, c.OdooPoints), now, now)
	if err != nil {
		return false, fmt.Errorf("engine: import card %d: %w", c.ID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ImportedLot is one of the seed addon's loyalty.point.move rows.
type ImportedLot struct {
	OdooID    int64
	Tier      int64 // membership_product_id, 0: none
	Gain      time.Time
	Expiry    *time.Time
	Initial   decimal.Decimal
	Remaining decimal.Decimal
	State     string // active, depleted, expired
	Origin    string
}

// ImportedEntry is one of the seed addon's loyalty.point.history rows.
type ImportedEntry struct {
	OdooID     int64
	Lot        int64 // the Odoo id of its loyalty.point.move, 0: none
	Amount     decimal.Decimal
	At         time.Time
	Origin     string
	Tier       int64
	StatusTier int64
}

// ImportLedger takes a card's lots and journal rows from the seed addon as
// they are (gain and expiry dates, initial and remaining points, states,
// amounts, times, origins), remembering their Odoo ids (odoo_id) so that a
// re-run adds only what is new. The journal gets the engine's per-card
// seq in (time, Odoo id) order and its running balance; a row naming a lot
// moves that lot by its amount. Where the addon's rows do not add up to
// its lots (a lot's remaining points differ from the sum of its rows, the
// card's balance from its active lots) a reconciling row is appended (kind
// adjust, or expire for an expired lot, reason "imported from Odoo"), so
// the ledger's invariants hold. The card's points become the sum of its
// active lots' remaining points.
func (s *Service) ImportLedger(ctx context.Context, tx bun.IDB, card int64, lots []ImportedLot,
	entries []ImportedEntry) (newLots, newEntries int, err error) {
	lite := isLite(tx)
	fail := func(err error) (int, int, error) { return 0, 0, fmt.Errorf("engine: import ledger %d: %w", card, err) }

	var seq int64
	var partnerTier int64
	if err := tx.QueryRowContext(ctx, `SELECT c.history_seq, COALESCE(p.membership_product_id, 0)
		FROM loyalty_cards c LEFT JOIN res_partner p ON p.id = c.partner_id WHERE c.id = ?`, card).
		Scan(&seq, &partnerTier); err != nil {
		return fail(err)
	}
	known := map[int64]int64{} // odoo move id → local lot id
	rows, err := tx.QueryContext(ctx, `SELECT id, odoo_id FROM point_moves WHERE loyalty_card_id = ? AND odoo_id IS NOT NULL`, card)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var id, oid int64
		if err := rows.Scan(&id, &oid); err != nil {
			_ = rows.Close()
			return fail(err)
		}
		known[oid] = id
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}
	seen := map[int64]bool{}
	rows, err = tx.QueryContext(ctx, `SELECT odoo_id FROM point_history WHERE loyalty_card_id = ? AND odoo_id IS NOT NULL`, card)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var oid int64
		if err := rows.Scan(&oid); err != nil {
			_ = rows.Close()
			return fail(err)
		}
		seen[oid] = true
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}

	for _, l := range lots {
		if _, ok := known[l.OdooID]; ok {
			continue
		}
		state := l.State
		if state != "active" && state != "depleted" && state != "expired" {
			state = "active"
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO point_moves (loyalty_card_id, membership_product_id, gain_date,
			expiration_date, initial_point, remaining_point, state, origin, odoo_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, card, idArg(l.Tier), timeArg(lite, l.Gain),
			nullTimeArg(lite, l.Expiry), decArg(lite, l.Initial), decArg(lite, l.Remaining), state, l.Origin,
			l.OdooID, timeArg(lite, s.now())).Scan(&id); err != nil {
			return fail(err)
		}
		known[l.OdooID] = id
		newLots++
	}

	slices.SortFunc(entries, func(a, b ImportedEntry) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.OdooID, b.OdooID))
	})
	var balance decimal.Decimal
	if seq > 0 {
		if err := tx.QueryRowContext(ctx, `SELECT points_balance FROM point_history WHERE loyalty_card_id = ? AND seq = ?`,
			card, seq).Scan(decCol{lite, &balance}); err != nil {
			return fail(err)
		}
	}
	journal := func(kind Kind, lot int64, amount, lotAmount decimal.Decimal, at time.Time, origin, reason string,
		tier, status, odooID int64) error {
		seq++
		balance = balance.Add(amount)
		_, err := tx.ExecContext(ctx, `INSERT INTO point_history (loyalty_card_id, seq, kind, point_move_id,
			points_amount, points_balance, lot_amount, transaction_time, origin, membership_product_id,
			status_membership_product_id, reason, odoo_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			card, seq, string(kind), idArg(lot), decArg(lite, amount), decArg(lite, balance), decArg(lite, lotAmount),
			timeArg(lite, at), origin, idArg(tier), idArg(status), nullStr(reason), idArg(odooID), timeArg(lite, s.now()))
		return err
	}
	// The last negative row of an expired lot is its expiry.
	expired := map[int64]bool{}
	for _, l := range lots {
		if l.State == "expired" {
			expired[l.OdooID] = true
		}
	}
	expiry := map[int64]int64{} // odoo lot id → odoo id of its expire row
	for _, e := range entries {
		if expired[e.Lot] && e.Amount.IsNegative() {
			expiry[e.Lot] = e.OdooID
		}
	}
	for _, e := range entries {
		if seen[e.OdooID] {
			continue
		}
		lot := known[e.Lot]
		kind, lotAmount := KindAdjust, decimal.Zero
		switch {
		case lot != 0 && e.Amount.IsPositive():
			kind, lotAmount = KindEarn, e.Amount
		case lot != 0 && expiry[e.Lot] == e.OdooID:
			kind, lotAmount = KindExpire, e.Amount
		case lot != 0:
			kind, lotAmount = KindRedeem, e.Amount
		}
		if err := journal(kind, lot, e.Amount, lotAmount, e.At, e.Origin, "", e.Tier, e.StatusTier, e.OdooID); err != nil {
			return fail(err)
		}
		newEntries++
	}
	if newLots == 0 && newEntries == 0 {
		return 0, 0, nil
	}

	// Reconcile: each lot's remaining = Σ lot_amount of its rows, then the
	// card's balance = Σ remaining of active lots.
	type lotSum struct {
		id             int64
		state          string
		remaining, sum decimal.Decimal
		tier           int64
		expireRow      bool
	}
	var sums []lotSum
	rows, err = tx.QueryContext(ctx, `SELECT m.id, m.state, m.remaining_point, COALESCE(m.membership_product_id, 0),
		(SELECT COALESCE(SUM(h.lot_amount), 0) FROM point_history h WHERE h.point_move_id = m.id),
		(SELECT count(*) FROM point_history h WHERE h.point_move_id = m.id AND h.kind = 'expire')
		FROM point_moves m WHERE m.loyalty_card_id = ? ORDER BY m.id`, card)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var l lotSum
		var expires int64
		if err := rows.Scan(&l.id, &l.state, decCol{lite, &l.remaining}, &l.tier, decCol{lite, &l.sum}, &expires); err != nil {
			_ = rows.Close()
			return fail(err)
		}
		l.expireRow = expires > 0
		sums = append(sums, l)
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}
	now := s.now()
	active := decimal.Zero
	for _, l := range sums {
		if l.state == "active" {
			active = active.Add(l.remaining)
		}
		diff := l.remaining.Sub(l.sum)
		if diff.IsZero() && (l.state != "expired" || l.expireRow) {
			continue
		}
		kind := KindAdjust
		if l.state == "expired" {
			kind = KindExpire
		}
		if err := journal(kind, l.id, diff, diff, now, "", "imported from Odoo", l.tier, partnerTier, 0); err != nil {
			return fail(err)
		}
	}
	if d := active.Sub(balance); !d.IsZero() {
		if err := journal(KindAdjust, 0, d, decimal.Zero, now, "", "imported from Odoo", 0, partnerTier, 0); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE loyalty_cards SET points = ?, history_seq = ?,
		sync_version = COALESCE(sync_version, 0) + 1, updated_at = ? WHERE id = ?`,
		decArg(lite, balance), seq, timeArg(lite, now), card); err != nil {
		return fail(err)
	}
	s.touched(ctx, card)
	return newLots, newEntries, nil
}

// nullStr is s or NULL when empty.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}
