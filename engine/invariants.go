package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// CheckInvariants checks the ledger invariants of one card and returns
// every violation found (nil when none):
//
//   - I1: points = Σ remaining of active lots − debt = balance of the last
//     journal row; debt >= 0; history_seq = the last seq;
//   - I2: the journal's seq runs 1..n without gaps and balance[n] =
//     balance[n-1] + amount[n] (balance[1] = amount[1]);
//   - I3: per lot 0 <= remaining <= initial; depleted iff remaining = 0
//     and not expired; expired ⇒ remaining = 0 and an expire row names it;
//   - I4: per lot remaining = Σ lot_amount of the journal rows naming it.
func CheckInvariants(ctx context.Context, db bun.IDB, card int64) error {
	lite := isLite(db)
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("card %d: "+format, append([]any{card}, args...)...))
	}
	var points, debt decimal.Decimal
	var seq int64
	err := db.QueryRowContext(ctx, "SELECT points, debt, history_seq FROM loyalty_cards WHERE id = ?", card).Scan(
		decCol{lite, &points}, decCol{lite, &debt}, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrUnknownCard
	}
	if err != nil {
		return fmt.Errorf("engine: invariants: %w", err)
	}
	if debt.IsNegative() {
		bad("I1: negative debt %s", debt)
	}

	// I2: the journal chain.
	rows, err := db.QueryContext(ctx, `SELECT id, seq, kind, point_move_id, points_amount, points_balance, lot_amount
		FROM point_history WHERE loyalty_card_id = ? ORDER BY seq, id`, card)
	if err != nil {
		return fmt.Errorf("engine: invariants: %w", err)
	}
	balance := decimal.Zero
	var n int64
	lotSum := map[int64]decimal.Decimal{}
	expireRow := map[int64]bool{}
	for rows.Next() {
		var id, lotID int64
		var s sql.NullInt64
		var kind sql.NullString
		var amount, bal, lotAmount decimal.Decimal
		if err := rows.Scan(&id, &s, &kind, nullID{&lotID}, decCol{lite, &amount}, decCol{lite, &bal}, decCol{lite, &lotAmount}); err != nil {
			_ = rows.Close()
			return fmt.Errorf("engine: invariants: %w", err)
		}
		n++
		if !s.Valid || s.Int64 != n {
			bad("I2: journal row %d has seq %v, want %d", id, s.Int64, n)
		}
		balance = balance.Add(amount)
		if !bal.Equal(balance) {
			bad("I2: journal row %d (seq %d) balance %s, want %s", id, n, bal, balance)
			balance = bal
		}
		if lotID != 0 {
			lotSum[lotID] = lotSum[lotID].Add(lotAmount)
			if kind.String == string(KindExpire) {
				expireRow[lotID] = true
			}
		} else if !lotAmount.IsZero() {
			bad("I4: journal row %d changes no lot by %s", id, lotAmount)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("engine: invariants: %w", err)
	}
	if n != seq {
		bad("I2: history_seq %d, journal has %d rows", seq, n)
	}
	if n > 0 && !points.Equal(balance) {
		bad("I1: points %s, last journal balance %s", points, balance)
	}

	// I1, I3, I4: the lots.
	rows, err = db.QueryContext(ctx, `SELECT id, initial_point, remaining_point, state FROM point_moves
		WHERE loyalty_card_id = ? ORDER BY id`, card)
	if err != nil {
		return fmt.Errorf("engine: invariants: %w", err)
	}
	active := decimal.Zero
	seen := map[int64]bool{}
	for rows.Next() {
		var id int64
		var initial, remaining decimal.Decimal
		var state string
		if err := rows.Scan(&id, decCol{lite, &initial}, decCol{lite, &remaining}, &state); err != nil {
			_ = rows.Close()
			return fmt.Errorf("engine: invariants: %w", err)
		}
		seen[id] = true
		if remaining.IsNegative() || remaining.GreaterThan(initial) {
			bad("I3: lot %d remaining %s of %s", id, remaining, initial)
		}
		switch state {
		case stateActive:
			active = active.Add(remaining)
			if remaining.IsZero() {
				bad("I3: lot %d active with 0 points", id)
			}
		case stateDepleted:
			if !remaining.IsZero() {
				bad("I3: lot %d depleted with %s points", id, remaining)
			}
		case stateExpired:
			if !remaining.IsZero() {
				bad("I3: lot %d expired with %s points", id, remaining)
			}
			if !expireRow[id] && initial.IsPositive() {
				bad("I3: lot %d expired without an expire row", id)
			}
		default:
			bad("I3: lot %d in state %q", id, state)
		}
		if !lotSum[id].Equal(remaining) {
			bad("I4: lot %d remaining %s, journal says %s", id, remaining, lotSum[id])
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("engine: invariants: %w", err)
	}
	for id := range lotSum {
		if !seen[id] {
			bad("I4: journal names lot %d of another card", id)
		}
	}
	if want := active.Sub(debt); !points.Equal(want) {
		bad("I1: points %s, active lots %s − debt %s = %s", points, active, debt, want)
	}
	return errors.Join(errs...)
}
