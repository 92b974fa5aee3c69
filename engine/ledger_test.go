package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

func TestLedgerEarnRedeemDebt(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		prog := f.program(3, "months", 7)
		card := f.card(prog, f.partner(8))

		r, err := f.earn(engine.Movement{Card: card, Points: lgD("100.255"), Key: "e1", Origin: "Shop/0001"})
		require.NoError(t, err)
		require.Equal(t, "100.26", r.Balance.StringFixed(2))
		require.Len(t, r.Entries, 1)
		e := r.Entries[0]
		require.Equal(t, engine.KindEarn, e.Kind)
		require.EqualValues(t, 1, e.Seq)
		require.NotZero(t, e.ID)
		require.NotZero(t, e.Lot)
		require.EqualValues(t, 7, e.Tier)
		require.EqualValues(t, 8, e.StatusTier)
		// 1 Jan 09:00 + 3 months: valid through 1 Apr (UTC).
		require.Equal(t, []lotRow{{"100.26", "active", "2026-04-01 23:59:59"}}, f.lots(card))

		// Replaying the key changes nothing and returns the first result.
		again, err := f.earn(engine.Movement{Card: card, Points: lgD("5"), Key: "e1"})
		require.NoError(t, err)
		require.True(t, again.Replayed)
		again.Replayed = false
		require.Equal(t, r.Entries[0].ID, again.Entries[0].ID)
		require.True(t, r.Balance.Equal(again.Balance))
		require.Equal(t, "100.26", f.state(card).Points.StringFixed(2))

		r, err = f.redeem(engine.Movement{Card: card, Points: lgD("30"), Key: "r1"})
		require.NoError(t, err)
		require.Equal(t, "70.26", r.Balance.StringFixed(2))
		// Not enough: refused, nothing written.
		_, err = f.redeem(engine.Movement{Card: card, Points: lgD("80"), Key: "r2"})
		require.ErrorIs(t, err, engine.ErrInsufficientPoints)
		st := f.state(card)
		require.Equal(t, "70.26", st.Points.StringFixed(2))
		require.EqualValues(t, 2, st.Seq)
		// The refused key is free: booked as debt now.
		r, err = f.redeem(engine.Movement{Card: card, Points: lgD("80"), Key: "r2", AllowDebt: true})
		require.NoError(t, err)
		require.Equal(t, "-9.74", r.Balance.StringFixed(2))
		require.Equal(t, "9.74", r.Debt.StringFixed(2))
		require.Equal(t, []string{"1 earn 100.26 100.26 100.26", "2 redeem -30 70.26 -30", "3 redeem -70.26 0 -70.26",
			"4 debt -9.74 -9.74 0"}, f.journal(card))
		f.check(card)
		// The next earning pays the debt first.
		r, err = f.earn(engine.Movement{Card: card, Points: lgD("20"), Key: "e2"})
		require.NoError(t, err)
		require.Equal(t, "10.26", r.Balance.StringFixed(2))
		require.True(t, r.Debt.IsZero())
		require.Equal(t, []string{"5 earn 20 10.26 20", "6 settle 0 10.26 -9.74"}, f.journal(card)[4:])
		require.Equal(t, []lotRow{{"0", "depleted", "2026-04-01 23:59:59"}, {"10.26", "active", "2026-04-01 23:59:59"}}, f.lots(card))
		f.check(card)
		st = f.state(card)
		require.Equal(t, engine.CardState{Card: card, Program: prog, Partner: st.Partner, Tier: 7, Points: st.Points, Debt: st.Debt, Seq: 6}, st)

		// Mistakes.
		_, err = f.earn(engine.Movement{Card: card, Points: lgD("1")})
		require.ErrorIs(t, err, engine.ErrKeyRequired)
		_, err = f.earn(engine.Movement{Card: 999, Points: lgD("1"), Key: "x"})
		require.ErrorIs(t, err, engine.ErrUnknownCard)
		_, err = f.earn(engine.Movement{Card: card, Points: lgD("-1"), Key: "x"})
		require.Error(t, err)
		_, err = f.redeem(engine.Movement{Card: card, Points: lgD("1"), Key: "e1"})
		require.Error(t, err, "a key of another kind of operation")
		_, err = f.svc.Card(f.ctx, db, 999)
		require.ErrorIs(t, err, engine.ErrUnknownCard)
		f.now = f.now.Add(time.Hour)
	})
}

// TestLedgerReplayIDs: a replay returns the first run's ids (operation,
// journal rows, the lots it created), and origins with quotes, commas,
// braces and backslashes are stored as given.
func TestLedgerReplayIDs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		card := f.card(f.program(0, "", 0), f.partner(0))
		origin := `Shop "A", {1}\2 'x' NULL`
		_, err := f.redeem(engine.Movement{Card: card, Points: lgD("4"), Key: "r0", AllowDebt: true, Origin: origin})
		require.NoError(t, err)
		first, err := f.earn(engine.Movement{Card: card, Points: lgD("10"), Key: "e1", Origin: origin})
		require.NoError(t, err)
		require.Len(t, first.Entries, 2, "an earn and the settle of the debt from the new lot")
		again, err := f.earn(engine.Movement{Card: card, Points: lgD("10"), Key: "e1", Origin: origin})
		require.NoError(t, err)
		require.True(t, again.Replayed)
		require.NotZero(t, first.Operation)
		require.Equal(t, first.Operation, again.Operation)
		require.Len(t, again.Entries, 2)
		for i, e := range first.Entries {
			require.NotZero(t, e.ID)
			require.Positive(t, e.Lot)
			require.Equal(t, e.Lot, first.Entries[0].Lot, "both rows name the new lot")
			a := again.Entries[i]
			require.Equal(t, []any{e.ID, e.Lot, e.Seq, e.Kind, e.Origin}, []any{a.ID, a.Lot, a.Seq, a.Kind, a.Origin})
			require.True(t, e.Amount.Equal(a.Amount) && e.Balance.Equal(a.Balance) && e.LotAmount.Equal(a.LotAmount))
		}
		var stored string
		require.NoError(t, db.QueryRowContext(f.ctx, "SELECT origin FROM point_history WHERE id = ?", first.Entries[0].ID).Scan(&stored))
		require.Equal(t, origin, stored)
		require.NoError(t, db.QueryRowContext(f.ctx, "SELECT origin FROM point_moves WHERE id = ?", first.Entries[0].Lot).Scan(&stored))
		require.Equal(t, origin, stored)
		f.check(card)
	})
}

// TestLedgerLargeOperation: an operation of more rows than one statement
// takes (a redemption from 40 lots, a transfer of 40 lots) is written in
// parts, with the same books.
func TestLedgerLargeOperation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		prog := f.program(0, "", 0)
		from, to := f.card(prog, f.partner(0)), f.card(prog, f.partner(0))
		for i := range 80 {
			_, err := f.earn(engine.Movement{Card: from, Points: lgD("1.50"), Key: fmt.Sprintf("e%d", i)})
			require.NoError(t, err)
		}
		r, err := f.redeem(engine.Movement{Card: from, Points: lgD("60"), Key: "r"})
		require.NoError(t, err)
		require.Len(t, r.Entries, 40)
		require.Equal(t, "60.00", r.Balance.StringFixed(2))
		var out, in engine.Result
		require.NoError(t, f.svc.InTx(f.ctx, func(ctx context.Context, tx bun.IDB) error {
			out, in, err = f.svc.Transfer(ctx, tx, from, to, 0, "t", "", time.Time{})
			return err
		}))
		require.Len(t, out.Entries, 40)
		require.Len(t, in.Entries, 40)
		require.Equal(t, "60.00", in.Balance.StringFixed(2))
		for _, e := range in.Entries {
			require.NotZero(t, e.ID)
			require.Positive(t, e.Lot)
		}
		f.check(from, to)
		again, err := f.redeem(engine.Movement{Card: from, Points: lgD("60"), Key: "r"})
		require.NoError(t, err)
		require.True(t, again.Replayed)
		for i := range r.Entries {
			require.Equal(t, r.Entries[i].ID, again.Entries[i].ID)
			require.Equal(t, r.Entries[i].Lot, again.Entries[i].Lot)
		}
	})
}
