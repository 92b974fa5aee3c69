package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo/outbox"
)

// TestDeliverThroughFaults: Odoo down, answering 500s, slow, and a
// permanent fault on one card of a batch; after recovery Odoo has every
// balance and every row once, the bad card's events are failed with
// Odoo's message and go through once retried.
func TestDeliverThroughFaults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFix(t, db)
		var cards []int64
		for i := range 6 {
			cards = append(cards, f.card(i%2 == 0)) // half of them unknown to Odoo: created by the sync
		}
		book := func(round int) {
			for i, c := range cards {
				f.earn(f.svc, c, fmt.Sprintf("%d.25", 10+i+round))
				f.redeem(f.svc, c, "3")
			}
		}
		d := f.deliverer(db, outbox.Options{BatchSize: 5})

		steps := []struct {
			name   string
			inject func()
		}{
			{"down", func() { f.srv.Down() }},
			{"http 500 x3", func() { f.srv.HTTP500(3) }},
			{"slow", func() { f.srv.Slow(30 * time.Millisecond) }},
		}
		for round, st := range steps {
			book(round)
			st.inject()
			n, err := d.DeliverOnce(f.ctx)
			require.NoError(t, err, st.name)
			if st.name == "down" {
				require.Zero(t, n, st.name)
				// Attempted once, error kept, still pending.
				tried := f.count("SELECT COUNT(*) FROM sync_log WHERE attempts = 1 AND error_message IS NOT NULL AND status = 'pending'")
				require.Positive(t, tried, st.name)
				require.Equal(t, tried, f.count("SELECT COUNT(*) FROM sync_log WHERE attempts > 0"), st.name)
				require.Zero(t, f.status(engine.SyncSynced), st.name)
				f.srv.Up()
			}
			f.drain(d)
			f.srv.Slow(0)
			require.Zero(t, f.status(engine.SyncFailed), st.name)
			f.assertConverged(cards)
		}

		// A permanent fault on one card: isolated.
		bad := cards[2]
		badOdoo, _ := f.local(bad)
		f.srv.RejectLoad("loyalty.card", badOdoo, "The points of a card cannot be changed now.")
		book(10)
		f.drain(d)
		failed := f.status(engine.SyncFailed)
		require.Equal(t, 2, failed) // its earn and redeem
		require.Equal(t, failed, f.count(`SELECT COUNT(*) FROM sync_log WHERE status = 'failed' AND entity_id = ?
			AND error_message LIKE '%cannot be changed now%'`, bad))
		var good []int64
		for _, c := range cards {
			if c != bad {
				good = append(good, c)
			}
		}
		for _, c := range good {
			oid, pts := f.local(c)
			require.True(t, pts.Equal(f.odooPoints(oid)), "card %d", c)
		}
		st, err := d.Stats(f.ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, st.Failed)
		require.Zero(t, st.Pending)
		require.Positive(t, st.SyncedToday)

		// Cleared and retried: everything converges.
		f.srv.RejectLoad("loyalty.card", badOdoo, "")
		n, err := d.Retry(f.ctx, nil)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
		f.drain(d)
		require.Zero(t, f.status(engine.SyncFailed))
		f.assertConverged(cards)
	})
}

// TestCrashBetweenCommitAndDelivery: a deliverer dies (its ctx ends)
// while its load is in flight; nothing was marked synced, and a new one
// delivers every row once, in order per card.
func TestCrashBetweenCommitAndDelivery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFix(t, db)
		cards := []int64{f.card(true), f.card(false), f.card(true)}
		for i, c := range cards {
			f.earn(f.svc, c, fmt.Sprintf("%d", 20+i))
			f.redeem(f.svc, c, "5.5")
			f.earn(f.svc, c, "1")
		}
		d := f.deliverer(db, outbox.Options{})
		_, err := d.Probe(f.ctx)
		require.NoError(t, err)
		entered := f.srv.Block()
		ctx, crash := context.WithCancel(f.ctx)
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		select {
		case <-entered:
		case <-time.After(30 * time.Second):
			t.Fatal("no call reached Odoo")
		}
		crash()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the deliverer did not stop")
		}
		require.Zero(t, f.status(engine.SyncSynced), "nothing is synced after the crash")
		f.srv.Release()

		d2 := f.deliverer(db, outbox.Options{})
		f.drain(d2)
		require.Zero(t, f.status(engine.SyncFailed))
		f.assertConverged(cards)
		// In order per card: the balances Odoo got never go back.
		for _, c := range cards {
			oid, pts := f.local(c)
			seq := pointsSent(f, oid)
			require.NotEmpty(t, seq)
			require.True(t, seq[len(seq)-1].Equal(pts))
		}
	})
}

// pointsSent lists the balances Odoo received for its card oid, in order.
func pointsSent(f *fix, oid int64) []decimal.Decimal {
	var out []decimal.Decimal
	for _, r := range f.srv.LoadLog("loyalty.card") {
		if r[".id"] == fmt.Sprint(oid) || (r["id"] != "" && cardOdooID(f, r["id"]) == oid) {
			out = append(out, decimal.RequireFromString(r["points"]))
		}
	}
	return out
}

// cardOdooID resolves a loyaltyd.card_<id> external id in the fake.
func cardOdooID(f *fix, xmlid string) int64 {
	name, _ := strings.CutPrefix(xmlid, "loyaltyd.")
	for _, r := range f.srv.Records("ir.model.data") {
		if r["module"] == "loyaltyd" && r["name"] == name {
			id, _ := r["res_id"].(int64)
			return id
		}
	}
	return 0
}

// TestTwoDeliverersOnePostgres: two instances on one PostgreSQL, engine
// writes going on, deliver every event once and in order per card.
func TestTwoDeliverersOnePostgres(t *testing.T) {
	url := dbtest.PostgresURL(t)
	db1 := dbtest.Open(t, models.StoreConfig{URL: url})
	dbtest.Migrate(t, db1)
	db2 := dbtest.Open(t, models.StoreConfig{URL: url})
	f := newFix(t, db1)
	svc2 := engine.New(db2, engine.Options{}, dbtest.Logger(t))
	svc2.EnableOutbox()
	var cards []int64
	for i := range 40 {
		cards = append(cards, f.card(i%4 != 0))
	}
	ctx, stop := context.WithCancel(f.ctx)
	var runs sync.WaitGroup
	for _, db := range []*models.DB{db1, db2} {
		d := f.deliverer(db, outbox.Options{Workers: 3, BatchSize: 7})
		runs.Go(func() { _ = d.Run(ctx) })
	}
	var writers sync.WaitGroup
	for w, svc := range []*engine.Service{f.svc, svc2, f.svc, svc2} {
		writers.Go(func() {
			for i := range 60 {
				f.earn(svc, cards[(i*7+w*3)%len(cards)], fmt.Sprintf("%d.%02d", 1+i%5, w))
			}
		})
	}
	writers.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for f.status(engine.SyncPending) > 0 {
		require.True(t, time.Now().Before(deadline), "events still pending")
		time.Sleep(20 * time.Millisecond) // polling a condition
	}
	stop()
	runs.Wait()
	require.Zero(t, f.status(engine.SyncFailed))
	f.assertConverged(cards)
	// Each journal row was loaded once, and each card's balances only grew
	// (earns only): no older balance after a newer one.
	seen := map[string]int{}
	for _, r := range f.srv.LoadLog(outbox.ModelPointHistory) {
		seen[r["id"]]++
	}
	require.Equal(t, f.count("SELECT COUNT(*) FROM point_history"), len(seen))
	for id, n := range seen {
		require.Equal(t, 1, n, "row %s loaded %d times", id, n)
	}
	for _, c := range cards {
		oid, pts := f.local(c)
		seq := pointsSent(f, oid)
		require.NotEmpty(t, seq, "card %d", c)
		for i := 1; i < len(seq); i++ {
			require.False(t, seq[i].LessThan(seq[i-1]), "card %d got %s after %s", c, seq[i], seq[i-1])
		}
		require.True(t, seq[len(seq)-1].Equal(pts), "card %d", c)
	}
}

// TestConflictEngineWins: Odoo's points changed behind our back; the next
// movement writes the engine's balance and logs the resolution.
func TestConflictEngineWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFix(t, db)
		card := f.card(true)
		d := f.deliverer(db, outbox.Options{})
		f.earn(f.svc, card, "10")
		f.drain(d)
		oid, _ := f.local(card)
		require.NoError(t, f.client.ExecuteKw(f.ctx, "loyalty.card", "write", []any{[]any{oid}, map[string]any{"points": 99.0}}, nil, nil))
		f.earn(f.svc, card, "5")
		f.drain(d)
		require.True(t, f.odooPoints(oid).Equal(decimal.RequireFromString("15")))
		var msg string
		require.NoError(t, db.QueryRowContext(f.ctx, `SELECT error_message FROM sync_log WHERE action = 'conflict'
			AND status = 'resolved' AND entity_id = ?`, card).Scan(&msg))
		require.Contains(t, msg, "99.00")
		require.Contains(t, msg, "15.00")
		// No conflict when nobody else wrote.
		f.earn(f.svc, card, "1")
		f.drain(d)
		require.Equal(t, 1, f.count("SELECT COUNT(*) FROM sync_log WHERE action = 'conflict'"))
	})
}

// TestMaxAttempts: with MaxAttempts, an event that keeps failing on
// transient errors ends failed, its last error kept.
func TestMaxAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFix(t, db)
		card := f.card(true)
		f.earn(f.svc, card, "3")
		d := f.deliverer(db, outbox.Options{MaxAttempts: 3})
		f.srv.Down()
		deadline := time.Now().Add(30 * time.Second)
		for f.status(engine.SyncFailed) == 0 {
			require.True(t, time.Now().Before(deadline), "the event never failed")
			_, _ = d.DeliverOnce(f.ctx)
		}
		require.Equal(t, 3, f.count("SELECT attempts FROM sync_log WHERE status = 'failed'"))
		require.Equal(t, 1, f.count("SELECT COUNT(*) FROM sync_log WHERE status = 'failed' AND error_message <> ''"))
		f.srv.Up()
		_, err := d.Retry(f.ctx, nil)
		require.NoError(t, err)
		f.drain(d)
		f.assertConverged([]int64{card})
	})
}

// TestWaitingCardDoesNotStarve: a card whose event waits for a retry keeps
// its later events back (they must not overtake it), but those events do
// not take the batch: another card of the same partitions is delivered.
func TestWaitingCardDoesNotStarve(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFix(t, db)
		x, y := f.card(true), f.card(true)
		f.earn(f.svc, x, "1")
		f.exec("UPDATE sync_log SET next_attempt_at = '2999-01-01 00:00:00', attempts = 1 WHERE entity_id = ?", x)
		for range 3 {
			f.earn(f.svc, x, "1")
		}
		f.earn(f.svc, y, "5")
		d := f.deliverer(db, outbox.Options{Workers: 1, BatchSize: 2})
		_, err := d.DeliverOnce(f.ctx)
		require.NoError(t, err)
		require.Equal(t, 1, f.count("SELECT COUNT(*) FROM sync_log WHERE entity_id = ? AND status = 'synced'", y),
			"the other card is delivered")
		require.Equal(t, 4, f.count("SELECT COUNT(*) FROM sync_log WHERE entity_id = ? AND status = 'pending'", x),
			"the waiting card's events stay behind its retry")
		oid, _ := f.local(y)
		require.Equal(t, "5.00", f.odooPoints(oid).StringFixed(2))
	})
}
