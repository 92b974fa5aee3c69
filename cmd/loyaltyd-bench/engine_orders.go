package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// The order workload: every card starts with one lot of seedPoints
// expiring in 30 days (bulk-loaded; the program's own rule gives 6
// months), and every
// order earns orderEarn on a random card and redeems orderRedeem from it,
// first expiring first: the seeded lot goes first, then the lots earned
// by earlier orders, a redemption sometimes spanning two lots.
var (
	seedPoints  = decimal.RequireFromString("100.00")
	orderEarn   = decimal.RequireFromString("10.00")
	orderRedeem = decimal.RequireFromString("9.50")
)

// openEngineStore opens and migrates the store at dbURL with a pool for
// clients plus a few.
func openEngineStore(ctx context.Context, dbURL string, clients int) (*models.DB, error) {
	quiet := slog.New(slog.DiscardHandler)
	db, err := models.Open(ctx, models.StoreConfig{URL: dbURL, MaxOpenConns: clients + 4}, quiet)
	if err != nil {
		return nil, err
	}
	if err := models.Migrate(ctx, db, migrations.Migrations, quiet); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// seedProgram creates a membership product and a primary loyalty program
// of that tier whose points expire after expiryMonths, and returns the
// program and product ids.
func seedProgram(ctx context.Context, db *models.DB, expiryMonths int) (program, product int64, err error) {
	sqldb := db.DB.DB
	if err = sqldb.QueryRowContext(ctx, `INSERT INTO product_product (name, type, sale_ok, available_in_pos)
		VALUES ('Bench Membership', 'service', false, false) RETURNING id`).Scan(&product); err != nil {
		return 0, 0, fmt.Errorf("membership product: %w", err)
	}
	if err = sqldb.QueryRowContext(ctx, `INSERT INTO promotion_programs (name, program_type, "trigger", applies_on,
		membership_product_id, is_primary_loyalty, expired_interval, expired_interval_type)
		VALUES ('Bench Loyalty', 'loyalty', 'auto', 'both', $1, true, $2, 'months') RETURNING id`, product, expiryMonths).Scan(&program); err != nil {
		return 0, 0, fmt.Errorf("program: %w", err)
	}
	return program, product, nil
}

// seedCards creates n partners of the tier and one card of program each,
// with set-based SQL, and returns the card ids.
func seedCards(ctx context.Context, db *models.DB, program, product int64, prefix string, n int) ([]int64, error) {
	rows, err := db.DB.DB.QueryContext(ctx, `WITH p AS (
			INSERT INTO res_partner (name, membership_product_id)
			SELECT 'Bench Member ' || g, $2::bigint FROM generate_series(1, $3::int) g RETURNING id)
		INSERT INTO loyalty_cards (program_id, partner_id, code)
		SELECT $1::bigint, p.id, $4 || p.id FROM p ORDER BY p.id RETURNING id`, program, product, n, prefix)
	if err != nil {
		return nil, fmt.Errorf("cards: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) != n {
		return nil, fmt.Errorf("cards: %d created, want %d", len(ids), n)
	}
	slices.Sort(ids)
	return ids, nil
}

// ordersResult is what the order workload measured and checked.
type ordersResult struct {
	Result   *result       // the measured window
	Seeded   time.Duration // seeding the cards and their first lots
	Booked   int           // orders committed, warm-up included
	Checks   []string      // what was verified afterwards
	Failures []string      // checks that failed
	CPU      txCPU         // over the whole load
}

// runOrders seeds cfg.Cards cards with a lot each, then runs the order
// workload with cfg.Clients goroutines for warm-up plus duration and
// checks the books afterwards. serverCPU (nil: unknown) reads the server's
// CPU time so far.
func runOrders(ctx context.Context, dbURL string, cfg *engineConfig, serverCPU func() (time.Duration, bool), log *slog.Logger) (*ordersResult, error) {
	t := time.Now()
	db, err := openEngineStore(ctx, dbURL, cfg.Clients)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	program, product, err := seedProgram(ctx, db, 6)
	if err != nil {
		return nil, err
	}
	cards, err := seedCards(ctx, db, program, product, "ENGINE-", cfg.Cards)
	if err != nil {
		return nil, err
	}
	if err := bulkLoadLots(ctx, db, program, product, `
		SELECT row_number() OVER (ORDER BY id) AS id, id AS card, 1::bigint AS seq, $2::numeric(18,2) AS points,
			$3::timestamp - interval '1 day' AS gain, $3::timestamp + interval '30 days' AS expiry
		FROM loyalty_cards WHERE program_id = $1`, program, seedPoints.StringFixed(2), sqlTime(time.Now())); err != nil {
		return nil, fmt.Errorf("seed lots: %w", err)
	}
	if err := checkpoint(ctx, dbURL); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	out := &ordersResult{Seeded: time.Since(t)}
	svc := engine.New(db, engine.Options{}, slog.New(slog.DiscardHandler))
	log.Info("seeded", slog.String("side", "engine"), slog.Int("cards", len(cards)), slog.Duration("took", out.Seeded))

	serverBefore, serverOK := readCPU(serverCPU)
	selfBefore, selfOK := selfCPU()
	start := time.Now()
	from := start.Add(cfg.Warmup)
	to := from.Add(cfg.Duration)
	workers := make([]orderWorker, cfg.Clients)
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		w.id = i
		wg.Go(func() { w.run(ctx, svc, cards, from, to) })
	}
	wg.Wait()
	serverAfter, serverOK2 := readCPU(serverCPU)
	selfAfter, selfOK2 := selfCPU()
	out.CPU = txCPU{Server: serverAfter - serverBefore, Client: selfAfter - selfBefore,
		ServerOK: serverOK && serverOK2, ClientOK: selfOK && selfOK2}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &result{Scenario: "engine", Elapsed: cfg.Duration}
	out.Result = res
	for _, w := range workers {
		res.Latencies = append(res.Latencies, w.latencies...)
		res.Errors += w.errors
		out.Booked += w.booked
		for _, s := range w.samples {
			if len(res.Samples) < maxErrorSamples {
				res.Samples = append(res.Samples, s)
			}
		}
	}
	slices.Sort(res.Latencies)
	out.CPU.Tx = out.Booked
	if err := checkOrderBooks(ctx, db, len(cards), out.Booked); err != nil {
		out.Failures = append(out.Failures, fmt.Sprintf("orders: %v", err))
	} else {
		out.Checks = append(out.Checks, "the cards' total = the seed + the net of every committed order: ok")
	}
	ok, failed, err := runChecks(ctx, db, ledgerChecks, time.Now(), program)
	if err != nil {
		return nil, err
	}
	out.Checks = append(out.Checks, ok...)
	for _, f := range failed {
		out.Failures = append(out.Failures, "orders: "+f)
	}
	return out, nil
}

// checkOrderBooks checks the cards' total: seedPoints each plus the net of
// every booked order.
func checkOrderBooks(ctx context.Context, db *models.DB, cards, booked int) error {
	want := seedPoints.Mul(decimal.NewFromInt(int64(cards))).Add(orderEarn.Sub(orderRedeem).Mul(decimal.NewFromInt(int64(booked))))
	var got string
	if err := db.DB.DB.QueryRowContext(ctx, `SELECT COALESCE(SUM(points), 0)::text FROM loyalty_cards`).Scan(&got); err != nil {
		return err
	}
	d, err := decimal.NewFromString(got)
	if err != nil {
		return err
	}
	if !d.Equal(want) {
		return fmt.Errorf("cards hold %s points in all, want %s", d.StringFixed(2), want.StringFixed(2))
	}
	return nil
}

// orderWorker is one client of the order workload.
type orderWorker struct {
	id        int
	latencies []time.Duration
	booked    int // orders committed, warm-up included
	errors    int
	samples   []string
}

// run books orders one after another until to; an order counts when it
// started inside [from, to) and committed by to.
func (w *orderWorker) run(ctx context.Context, svc *engine.Service, cards []int64, from, to time.Time) {
	rng := rand.New(rand.NewPCG(uint64(w.id)+1, uint64(time.Now().UnixNano())))
	w.latencies = make([]time.Duration, 0, 1<<14)
	prefix := "order-" + strconv.Itoa(w.id) + "-"
	for n := 0; ctx.Err() == nil; n++ {
		card := cards[rng.IntN(len(cards))]
		key := prefix + strconv.Itoa(n)
		began := time.Now()
		if !began.Before(to) {
			return
		}
		err := svc.InTx(ctx, func(ctx context.Context, tx bun.IDB) error {
			m := engine.Movement{Card: card, Points: orderEarn, Key: key + "-earn", Origin: "Bench/" + key}
			if _, err := svc.Earn(ctx, tx, m); err != nil {
				return fmt.Errorf("earn: %w", err)
			}
			m.Points, m.Key = orderRedeem, key+"-redeem"
			r, err := svc.Redeem(ctx, tx, m)
			if err != nil {
				return fmt.Errorf("redeem: %w", err)
			}
			if r.Replayed || len(r.Entries) == 0 {
				return fmt.Errorf("redeem: replayed %v with %d journal rows", r.Replayed, len(r.Entries))
			}
			return nil
		})
		done := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.errors++
			if len(w.samples) < maxErrorSamples {
				w.samples = append(w.samples, fmt.Sprintf("card %d: %v", card, err))
			}
			continue
		}
		w.booked++
		if !began.Before(from) && !done.After(to) {
			w.latencies = append(w.latencies, done.Sub(began))
		}
	}
}
