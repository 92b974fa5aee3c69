package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
	"github.com/odoo-loyalty/loyaltyd/odoo/outbox"
)

// Aims of the issue for the outbound sync.
const (
	syncRateAim    = 2000.0      // events delivered per second
	syncLatencyAim = time.Second // commit to Odoo, p99
)

// benchSync measures the outbox's delivery to the fake Odoo (Odoo 18's
// loyalty.history and the seed addon installed, so every event writes a
// card balance, a lot, a journal row and a history row), served over real
// HTTP, on PostgreSQL (--database-url, default $TEST_DATABASE_URL; a
// schema is created and dropped) or, without one, on SQLite:
//
//   - throughput: --events earns committed first (not timed), then
//     delivered by the deliverer (--workers, --batch); against a baseline
//     measured in the same run: the same number of rows sent as raw load
//     calls of the same batch size straight to the fake, by as many
//     clients, without a store;
//
//   - latency: --latency-events earns committed one at a time while the
//     deliverer runs (woken by NOTIFY on PostgreSQL, polling on SQLite):
//     from the commit's return to the fake having executed the card's load.
//
//     loyaltyd-bench sync [--events 20000] [--cards 2000] [--batch 500] [--workers 4] [--database-url postgres://...]
func benchSync(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stdout)
	events := fs.Int("events", 20_000, "events delivered in the throughput run")
	cards := fs.Int("cards", 2_000, "cards the events are spread over")
	batch := fs.Int("batch", 500, "events per batch")
	workers := fs.Int("workers", 4, "delivery workers (PostgreSQL)")
	latencyEvents := fs.Int("latency-events", 300, "events of the latency run")
	dbURL := fs.String("database-url", os.Getenv("TEST_DATABASE_URL"), "PostgreSQL server (a schema is created and dropped); empty: SQLite")
	if err := fs.Parse(args); err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)

	srv := odootest.Start(odootest.Options{})
	defer srv.Close()
	srv.Install(append([]string{outbox.ModelHistory}, odootest.SeedModels...)...)
	program := srv.Insert("loyalty.program", map[string]any{"name": "Loyalty"})
	rows := make([]map[string]any, *cards)
	for i := range rows {
		rows[i] = map[string]any{"code": fmt.Sprintf("SYNC-%06d", i+1), "program_id": program, "points": 0.0}
	}
	first, _ := srv.InsertMany("loyalty.card", rows)
	client := func() (*odoo.Client, error) {
		return odoo.New(odoo.Config{URL: srv.URL, DB: srv.DB(), Login: srv.Login(), APIKey: srv.Password()}, quiet)
	}

	// Baseline: the same rows as raw loads of the same size, no store.
	baseline, err := syncBaseline(ctx, client, *events, *batch, *workers, first, *cards)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}

	scfg := models.StoreConfig{DBName: "syncbench"}
	store := "sqlite"
	if *dbURL != "" {
		u, drop, err := createSchema(ctx, *dbURL)
		if err != nil {
			return err
		}
		defer drop(quiet)
		scfg.URL, store = u, "postgresql"
	} else {
		dir, err := os.MkdirTemp("", "loyaltyd-syncbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		scfg.DataDir = dir
	}
	db, err := models.Open(ctx, scfg, quiet)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := models.Migrate(ctx, db, migrations.Migrations, quiet); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO promotion_programs (id, name, program_type) VALUES (?, 'Loyalty', 'loyalty')",
		program); err != nil {
		return err
	}
	for i := range *cards {
		if _, err := db.ExecContext(ctx, `INSERT INTO loyalty_cards (id, odoo_card_id, program_id, code, odoo_points)
			VALUES (?, ?, ?, ?, 0)`, first+int64(i), first+int64(i), program, fmt.Sprintf("SYNC-%06d", i+1)); err != nil {
			return err
		}
	}
	svc := engine.New(db, engine.Options{}, quiet)
	svc.EnableOutbox()
	key := 0
	earn := func(card int64) error {
		key++
		k := "sync-" + strconv.Itoa(key)
		return svc.InTx(ctx, func(ctx context.Context, tx bun.IDB) error {
			_, err := svc.Earn(ctx, tx, engine.Movement{Card: card, Points: decimal.NewFromInt(1), Key: k, Origin: "bench"})
			return err
		})
	}
	for i := range *events {
		if err := earn(first + int64(i%*cards)); err != nil {
			return err
		}
	}
	c, err := client()
	if err != nil {
		return err
	}
	defer c.Close()
	opt := outbox.Options{Workers: *workers, BatchSize: *batch, Poll: 200 * time.Millisecond}
	d := outbox.New(db, c, opt, quiet)
	if _, err := d.Probe(ctx); err != nil {
		return err
	}

	// Throughput.
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() { _ = d.Run(runCtx) })
	for {
		var pending, failed int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE status = 'pending'),
			COUNT(*) FILTER (WHERE status = 'failed') FROM sync_log WHERE status <> 'synced'`).Scan(&pending, &failed); err != nil {
			stop()
			return err
		}
		if failed > 0 {
			stop()
			return fmt.Errorf("%d events failed", failed)
		}
		if pending == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	delivered := time.Since(start)

	// Latency: one commit at a time, the deliverer running.
	var lat []time.Duration
	for i := range *latencyEvents {
		before := srv.Executed("loyalty.card", "load")
		if err := earn(first + int64(i%*cards)); err != nil {
			stop()
			return err
		}
		committed := time.Now()
		deadline := committed.Add(30 * time.Second)
		for srv.Executed("loyalty.card", "load") == before {
			if time.Now().After(deadline) {
				stop()
				return errors.New("latency: an event was not delivered within 30 s")
			}
			time.Sleep(100 * time.Microsecond)
		}
		lat = append(lat, time.Since(committed))
	}
	stop()
	wg.Wait()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	rate := float64(*events) / delivered.Seconds()
	baseRate := float64(*events) / baseline.Seconds()
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	fmt.Fprintf(stdout, "outbound sync to the fake Odoo over HTTP (%s store, %d cards, batch %d, %d workers)\n",
		store, *cards, *batch, map[bool]int{true: 1, false: opt.Workers}[store == "sqlite"])
	fmt.Fprintf(stdout, "  %-34s %8s %9s %11s %8s\n", "", "events", "seconds", "events/s", "ratio")
	fmt.Fprintf(stdout, "  %-34s %8d %9.2f %11.0f %8s\n", "baseline (raw loads, no store)", *events, baseline.Seconds(),
		baseRate, "1.00")
	fmt.Fprintf(stdout, "  %-34s %8d %9.2f %11.0f %8.2f  aim >= %.0f/s: %s\n", "outbox delivery", *events,
		delivered.Seconds(), rate, rate/baseRate, syncRateAim, verdict(rate >= syncRateAim))
	fmt.Fprintf(stdout, "  %-34s p50 %s  p99 %s  (n=%d)  aim p99 < %s: %s\n", "commit to Odoo latency",
		pct(0.50).Round(100*time.Microsecond), pct(0.99).Round(100*time.Microsecond), len(lat), syncLatencyAim,
		verdict(pct(0.99) < syncLatencyAim))
	return nil
}

// syncBaseline sends, with workers clients, the rows the deliverer sends
// for events earns in batches of batch (a card read and loads of card
// points, lots, journal rows and history rows), straight to the fake.
func syncBaseline(ctx context.Context, client func() (*odoo.Client, error), events, batch, workers int, firstCard int64,
	cards int) (time.Duration, error) {
	n := (events + batch - 1) / batch
	jobs := make(chan int, n)
	for i := range n {
		jobs <- i
	}
	close(jobs)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			c, err := client()
			if err != nil {
				errs[w] = err
				return
			}
			defer c.Close()
			for b := range jobs {
				size := min(batch, events-b*batch)
				if err := baselineBatch(ctx, c, b, b*batch, size, firstCard, cards); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

func baselineBatch(ctx context.Context, c *odoo.Client, b, offset, size int, firstCard int64, ncards int) error {
	ids := make([]any, size)
	cards, lots, hist, lh := make([]any, size), make([]any, size), make([]any, size), make([]any, size)
	for i := range size {
		id := firstCard + int64((offset+i)%ncards)
		card := strconv.FormatInt(id, 10)
		n := strconv.Itoa(b*100000 + i)
		ids[i] = id
		cards[i] = []any{card, "1.00"}
		lots[i] = []any{"loyaltyd.base_move_" + n, card, "", "", "2026-01-01 10:00:00", "", "1.00", "1.00", "active", "bench"}
		hist[i] = []any{"loyaltyd.base_hist_" + n, card, "", "loyaltyd.base_move_" + n, "1.00", "1.00",
			"2026-01-01 10:00:00", "bench", "", "", "earn"}
		lh[i] = []any{"loyaltyd.base_lh_" + n, card, "earn bench", "1.00", "0.00"}
	}
	var out any
	if err := c.ExecuteKw(ctx, "loyalty.card", "read", []any{ids}, map[string]any{"fields": []any{"points"}}, &out); err != nil {
		return err
	}
	for _, l := range []struct {
		model  string
		fields []any
		rows   []any
	}{
		{"loyalty.card", []any{".id", "points"}, cards},
		{outbox.ModelPointMove, []any{"id", "loyalty_card_id/.id", "partner_id/.id", "membership_product_id/.id", "gain_date",
			"expiration_date", "initial_point", "remaining_point", "state", "origin"}, lots},
		{outbox.ModelPointHistory, []any{"id", "loyalty_card_id/.id", "partner_id/.id", "point_move_id/id", "points_amount",
			"points_balance", "transaction_time", "origin", "membership_product_id/.id", "status_membership_product_id/.id",
			"name"}, hist},
		{outbox.ModelHistory, []any{"id", "card_id/.id", "description", "issued", "used"}, lh},
	} {
		var res map[string]any
		if err := c.ExecuteKw(ctx, l.model, "load", []any{l.fields, l.rows}, nil, &res); err != nil {
			return err
		}
		if ms, _ := res["messages"].([]any); len(ms) > 0 {
			return fmt.Errorf("%s.load: %v", l.model, ms)
		}
	}
	return nil
}
