package engine_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// TestLedgerConcurrentRedeem: 64 goroutines redeem 3 points each from a
// card of 100 (in 10 lots): exactly 33 succeed, the rest are refused, the
// journal chain is intact.
func TestLedgerConcurrentRedeem(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		card := f.card(f.program(0, "", 0), f.partner(0))
		for i := range 10 {
			_, err := f.earn(engine.Movement{Card: card, Points: lgD("10"), Key: fmt.Sprintf("e%d", i)})
			require.NoError(t, err)
		}
		const workers = 64
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for i := range workers {
			wg.Go(func() {
				_, errs[i] = f.redeem(engine.Movement{Card: card, Points: lgD("3"), Key: fmt.Sprintf("r%d", i)})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			require.ErrorIs(t, err, engine.ErrInsufficientPoints)
		}
		require.Equal(t, 33, ok)
		st := f.state(card)
		require.Equal(t, "1", st.Points.String())
		// 10 earn rows, 33 redemptions, 6 of which span two lots (those
		// crossing 10, 20, 40, 50, 70, 80).
		require.EqualValues(t, 10+33+6, st.Seq)
		f.check(card)
	})
}

// TestLedgerConcurrentSameKey: the same earn from 20 goroutines books once.
func TestLedgerConcurrentSameKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := lgSetup(t, db, nil)
		card := f.card(f.program(0, "", 0), f.partner(0))
		const workers = 20
		var wg sync.WaitGroup
		res := make([]engine.Result, workers)
		errs := make([]error, workers)
		for i := range workers {
			wg.Go(func() {
				res[i], errs[i] = f.earn(engine.Movement{Card: card, Points: lgD("12.5"), Key: "order-7/earn"})
			})
		}
		wg.Wait()
		replayed := 0
		for i := range workers {
			require.NoError(t, errs[i])
			require.Equal(t, res[0].Operation, res[i].Operation)
			require.Equal(t, "12.5", res[i].Balance.String())
			if res[i].Replayed {
				replayed++
			}
		}
		require.Equal(t, workers-1, replayed)
		require.Equal(t, "12.5", f.state(card).Points.String())
		require.Len(t, f.journal(card), 1)
		f.check(card)

		// The same key on two cards at once: one books, the other is
		// told the key belongs to another operation.
		other := f.card(f.program(0, "", 0), f.partner(0))
		var e1, e2 error
		wg.Go(func() { _, e1 = f.earn(engine.Movement{Card: card, Points: lgD("1"), Key: "shared"}) })
		wg.Go(func() { _, e2 = f.earn(engine.Movement{Card: other, Points: lgD("1"), Key: "shared"}) })
		wg.Wait()
		require.True(t, (e1 == nil) != (e2 == nil), "%v / %v", e1, e2)
		var me *models.Error
		require.True(t, errors.As(errors.Join(e1, e2), &me) && me.Kind == models.KindValidation, "%v / %v", e1, e2)
		f.check(card, other)
	})
}
