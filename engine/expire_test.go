package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// lgSameKind opens another fresh store of db's dialect.
func lgSameKind(t *testing.T, db *models.DB) *models.DB {
	if db.DialectName() == models.DialectSQLite {
		return dbtest.SQLite(t)
	}
	return dbtest.Postgres(t)
}

// expireWorld books the same lots on a fresh store: 4 cards, lots expiring
// on 1, 2 and 3 Mar (end of day UTC), partly spent, and lifetime lots.
func expireWorld(t *testing.T, db *models.DB) (*lgFix, []int64) {
	f := lgSetup(t, db, nil)
	var cards []int64
	for range 4 {
		cards = append(cards, f.card(f.program(0, "", 0), f.partner(0)))
	}
	f.now = lgDay(2026, 2, 1, 10, 0)
	for i, card := range cards {
		for j := range 6 {
			var exp *time.Time
			if j < 5 {
				exp = lgEndOfDay(3, 1+(i+j)%3)
			}
			_, err := f.earn(engine.Movement{Card: card, Points: lgD(fmt.Sprintf("%d.25", 10+j)), Key: fmt.Sprintf("e%d-%d", i, j), Expiry: exp})
			require.NoError(t, err)
		}
		_, err := f.redeem(engine.Movement{Card: card, Points: lgD(fmt.Sprintf("%d", 5+7*i)), Key: fmt.Sprintf("r%d", i)})
		require.NoError(t, err)
	}
	return f, cards
}

// snapshot is the whole ledger of a store as text.
func (f *lgFix) snapshot(cards []int64) []string {
	var out []string
	for _, c := range cards {
		st := f.state(c)
		out = append(out, fmt.Sprintf("card %d: %s debt %s seq %d", c, st.Points, st.Debt, st.Seq))
		out = append(out, f.journal(c)...)
		rows, err := f.db.QueryContext(f.ctx, "SELECT seq, point_move_id, transaction_time FROM point_history WHERE loyalty_card_id = ? ORDER BY seq", c)
		require.NoError(f.t, err)
		for rows.Next() {
			var seq, lot int64
			var at any
			require.NoError(f.t, rows.Scan(&seq, &lot, &at))
			out = append(out, fmt.Sprintf("  %d lot %d at %s", seq, lot, lgTime(at)))
		}
		require.NoError(f.t, rows.Close())
		for _, l := range f.lots(c) {
			out = append(out, fmt.Sprintf("  lot %+v", l))
		}
	}
	return out
}

// TestExpireIdempotentOrderIndependent (I9): expiring daily for three days
// or once after them leaves the same ledger; again changes nothing; small
// batches and several workers give the same result.
func TestExpireIdempotentOrderIndependent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		daily, cards := expireWorld(t, db)
		once, _ := expireWorld(t, lgSameKind(t, db))
		batched, _ := expireWorld(t, lgSameKind(t, db))
		sharded, _ := expireWorld(t, lgSameKind(t, db))

		total := 0
		for dd := 2; dd <= 4; dd++ {
			st, err := daily.svc.Expire(daily.ctx, lgDay(2026, 3, dd, 1, 0))
			require.NoError(t, err)
			require.NotZero(t, st.Lots)
			total += st.Lots
		}
		st, err := once.svc.Expire(once.ctx, lgDay(2026, 3, 4, 1, 0))
		require.NoError(t, err)
		require.Equal(t, total, st.Lots)
		require.Equal(t, 4, st.Cards)
		st, err = batched.svc.ExpireForTest(batched.ctx, lgDay(2026, 3, 4, 1, 0), 3, 0)
		require.NoError(t, err)
		require.Equal(t, total, st.Lots)
		require.Equal(t, 4, st.Cards, "cards are counted once, whatever the batches")
		st, err = sharded.svc.ExpireForTest(sharded.ctx, lgDay(2026, 3, 4, 1, 0), 2, 3)
		require.NoError(t, err)
		require.Equal(t, total, st.Lots)
		require.Equal(t, 4, st.Cards, "cards are counted once, whatever the batches and workers")

		want := daily.snapshot(cards)
		require.Equal(t, want, once.snapshot(cards))
		require.Equal(t, want, batched.snapshot(cards))
		require.Equal(t, want, sharded.snapshot(cards))
		for _, f := range []*lgFix{daily, once, batched, sharded} {
			f.check(cards...)
			st, err := f.svc.Expire(f.ctx, lgDay(2026, 3, 10, 0, 0))
			require.NoError(t, err)
			require.Zero(t, st.Lots, "a second run changes nothing")
			require.Equal(t, want, f.snapshot(cards))
		}
		// Only the lifetime lots are left.
		for _, c := range cards {
			require.Equal(t, "15.25", daily.state(c).Points.String())
		}
	})
}

// TestExpireConcurrentRedeem: the expiry job running while cards are
// redeemed from keeps every card's ledger consistent.
func TestExpireConcurrentRedeem(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		var cards []int64
		f.now = lgDay(2026, 2, 1, 10, 0)
		for i := range 12 {
			card := f.card(f.program(0, "", 0), f.partner(0))
			cards = append(cards, card)
			for j := range 5 {
				_, err := f.earn(engine.Movement{Card: card, Points: lgD("10"), Key: fmt.Sprintf("e%d-%d", i, j), Expiry: lgEndOfDay(2, 10+j)})
				require.NoError(t, err)
			}
			_, err := f.earn(engine.Movement{Card: card, Points: lgD("10"), Key: fmt.Sprintf("e%d-life", i)})
			require.NoError(t, err)
		}
		f.now = lgDay(2026, 2, 13, 10, 0) // lots of the 10th to 12th are past their expiry
		done := make(chan error, 1)
		go func() {
			_, err := f.svc.ExpireForTest(f.ctx, f.now, 4, 0)
			done <- err
		}()
		for i, card := range cards {
			for j := range 3 {
				_, err := f.redeem(engine.Movement{Card: card, Points: lgD("7"), Key: fmt.Sprintf("r%d-%d", i, j)})
				require.NoError(t, err)
			}
		}
		require.NoError(t, <-done)
		st, err := f.svc.Expire(f.ctx, f.now)
		require.NoError(t, err)
		require.Zero(t, st.Lots)
		for _, card := range cards {
			// 60 earned, 30 expired (10th-12th), 21 spent from the rest.
			require.Equal(t, "9", f.state(card).Points.String())
			f.check(card)
		}
	})
}
