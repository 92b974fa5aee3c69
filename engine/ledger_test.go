package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
