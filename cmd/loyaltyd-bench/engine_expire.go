package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// expireResult is what the expiry run measured and checked.
type expireResult struct {
	Loaded    int           // expired lots loaded
	Cards     int           // cards they spread over
	LoadTook  time.Duration // bulk load
	Took      time.Duration // Service.Expire
	Stats     engine.ExpireStats
	AgainTook time.Duration // the second, idempotent run
	Again     engine.ExpireStats
	Checks    []string // what was verified
	Failures  []string // checks that failed
	Notes     []string // discrepancies reported without failing
}

// runExpire bulk-loads cfg.Lots lots already past expiry over
// cfg.LotCards cards, times Service.Expire, runs it again (nothing left to
// do) and checks the books.
func runExpire(ctx context.Context, dbURL string, cfg *engineConfig, log *slog.Logger) (*expireResult, error) {
	db, err := openEngineStore(ctx, dbURL, 4)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	res := &expireResult{Loaded: cfg.Lots, Cards: cfg.LotCards}
	now := time.Now()
	t := time.Now()
	program, err := loadExpiredLots(ctx, db, cfg.Lots, cfg.LotCards, now)
	if err != nil {
		return nil, fmt.Errorf("load lots: %w", err)
	}
	res.LoadTook = time.Since(t)
	wantPoints, err := pointsToExpire(ctx, db, now)
	if err != nil {
		return nil, err
	}
	log.Info("loaded expired lots", slog.Int("lots", cfg.Lots), slog.Int("cards", cfg.LotCards), slog.Duration("took", res.LoadTook))
	if err := checkpoint(ctx, dbURL); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	svc := engine.New(db, engine.Options{}, slog.New(slog.DiscardHandler))
	t = time.Now()
	if res.Stats, err = svc.Expire(ctx, now); err != nil {
		return nil, fmt.Errorf("expire: %w", err)
	}
	res.Took = time.Since(t)
	log.Info("expired", slog.Int("lots", res.Stats.Lots), slog.Duration("took", res.Took))
	t = time.Now()
	if res.Again, err = svc.Expire(ctx, now); err != nil {
		return nil, fmt.Errorf("expire again: %w", err)
	}
	res.AgainTook = time.Since(t)
	if err := checkExpired(ctx, db, cfg, program, now, wantPoints, res); err != nil {
		return nil, err
	}
	return res, nil
}

// sqlTime formats t as a PostgreSQL timestamp literal in UTC (the store
// keeps UTC in TIMESTAMP columns).
func sqlTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }

// liveEvery: one card in liveEvery also holds a lifetime lot of livePoints,
// which the expiry must leave alone.
const (
	liveEvery  = 10
	livePoints = "5.00"
)

// loadExpiredLots creates a program, cards cards and lots active lots
// spread round-robin over them, all past expiry at now, plus a lifetime
// lot on every liveEvery-th card (see bulkLoadLots).
func loadExpiredLots(ctx context.Context, db *models.DB, lots, cards int, now time.Time) (program int64, err error) {
	program, product, err := seedProgram(ctx, db, 6)
	if err != nil {
		return 0, err
	}
	if _, err := seedCards(ctx, db, program, product, "EXPIRE-", cards); err != nil {
		return 0, err
	}
	return program, bulkLoadLots(ctx, db, program, product, `
		WITH c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM loyalty_cards WHERE program_id = $1)
		SELECT g::bigint AS id, c.id AS card, ((g - 1) / $3 + 1)::bigint AS seq,
			(5 + g % 11 + (g % 4) * 0.25)::numeric(18,2) AS points,
			$4::timestamp - interval '400 days' + ((g - 1) / $3) * interval '1 hour' AS gain,
			$4::timestamp - interval '1 day' - (g % 86400) * interval '1 second' AS expiry
		FROM generate_series(1, $2::bigint) g JOIN c ON c.k = (g - 1) % $3
		UNION ALL
		SELECT $2 + row_number() OVER (ORDER BY c.id), c.id, (($2 - 1 - c.k) / $3 + 2)::bigint,
			$5::numeric(18,2), $4::timestamp - interval '1 hour', NULL::timestamp
		FROM c WHERE c.k % $6 = 0`, program, lots, cards, sqlTime(now), livePoints, liveEvery)
}

// bulkLoadLots books the lots that lotsSQL selects ($1 is program; columns
// id, card, seq, points, gain, expiry; ids 1..n, seq 1..n per card in
// journal order) as earnings of product's tier, with set-based SQL in one
// transaction, keeping the ledger's rules: one earn operation and one earn
// journal row per lot, the per-card journal chain (seq 1, 2, ...; running
// balance), loyalty_cards.points = the active lots' remaining points,
// history_seq = the last seq, no debt. The ledger tables must be empty;
// their sequences are moved past the ids. For speed the secondary indexes
// of the three tables are dropped during the load and created again from
// their own definitions, and, for a superuser, the foreign-key triggers
// are skipped (the rows are consistent by construction; the checks after
// the runs verify the books).
func bulkLoadLots(ctx context.Context, db *models.DB, program, product int64, lotsSQL string, args ...any) error {
	tx, err := db.DB.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var super string
	if err := tx.QueryRowContext(ctx, `SELECT current_setting('is_superuser')`).Scan(&super); err != nil {
		return err
	}
	if super == "on" {
		if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '512MB'`); err != nil {
		return err
	}
	indexes, err := dropIndexes(ctx, tx, "point_operations", "point_moves", "point_history")
	if err != nil {
		return err
	}
	stmts := []struct {
		what string
		sql  string
		args []any
	}{
		{"lots", `CREATE TEMP TABLE bench_lots ON COMMIT DROP AS ` + lotsSQL, args},
		{"operations", `INSERT INTO point_operations (id, loyalty_card_id, kind, idem_key, origin, created_at)
			SELECT id, card, 'earn', 'bench-earn-' || id, 'Bench/' || id, gain FROM bench_lots ORDER BY 4`, nil},
		{"moves", `INSERT INTO point_moves (id, loyalty_card_id, membership_product_id, gain_date, expiration_date,
				initial_point, remaining_point, state, origin, program_id, operation_id)
			SELECT id, card, $1, gain, expiry, points, points, 'active', 'Bench/' || id, $2, id FROM bench_lots`,
			[]any{product, program}},
		{"journal", `INSERT INTO point_history (id, loyalty_card_id, point_move_id, points_amount, points_balance,
				transaction_time, origin, membership_product_id, status_membership_product_id, seq, kind, lot_amount, operation_id)
			SELECT id, card, id, points, SUM(points) OVER (PARTITION BY card ORDER BY seq), gain, 'Bench/' || id,
				$1, $1, seq, 'earn', points, id FROM bench_lots`, []any{product}},
		{"cards", `UPDATE loyalty_cards c SET points = s.total, history_seq = s.n, debt = 0
			FROM (SELECT card, SUM(points) AS total, MAX(seq) AS n FROM bench_lots GROUP BY card) s WHERE c.id = s.card`, nil},
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}
	for _, def := range indexes {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, err)
		}
	}
	for _, table := range []string{"point_operations", "point_moves", "point_history"} {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), (SELECT max(id) FROM %[1]s))`, table)); err != nil {
			return fmt.Errorf("%s sequence: %w", table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.DB.DB.ExecContext(ctx, "ANALYZE")
	return err
}

// dropIndexes drops the indexes of tables (in the current schema) that
// back no constraint and returns their definitions.
func dropIndexes(ctx context.Context, tx *sql.Tx, tables ...string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
		ORDER BY i.indexname`, tables)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, "DROP INDEX "+pgx.Identifier{name}.Sanitize()); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return defs, nil
}

// expireCheck is one SQL check after the expiry: a count that must be 0.
type expireCheck struct {
	what string
	sql  string
	arg  string // what $1 is: "now", "program" or "" (no parameter)
}

// ledgerChecks are the ledger's rules (see package engine) as counts of
// the rows that break them; run after the orders and after the expiry.
var ledgerChecks = []expireCheck{
	{"card points = active lots' remaining points - debt (I1)", `SELECT count(*) FROM loyalty_cards c
		LEFT JOIN (SELECT loyalty_card_id, SUM(remaining_point) AS s FROM point_moves WHERE state = 'active'
			GROUP BY loyalty_card_id) m ON m.loyalty_card_id = c.id
		WHERE c.points <> COALESCE(m.s, 0) - c.debt`, ""},
	{"card points = balance of its last journal row (I2)", `SELECT count(*) FROM loyalty_cards c
		LEFT JOIN point_history h ON h.loyalty_card_id = c.id AND h.seq = c.history_seq
		WHERE c.history_seq > 0 AND (h.id IS NULL OR h.points_balance <> c.points)`, ""},
	{"journal chain: seq 1..n, balance = previous + amount", `SELECT count(*) FROM (
		SELECT seq, row_number() OVER w AS n, points_balance,
			COALESCE(lag(points_balance) OVER w, 0) + points_amount AS want
		FROM point_history WINDOW w AS (PARTITION BY loyalty_card_id ORDER BY seq)) x
		WHERE seq <> n OR points_balance <> want`, ""},
	{"history_seq = the card's journal rows", `SELECT count(*) FROM loyalty_cards c
		LEFT JOIN (SELECT loyalty_card_id, count(*) AS n FROM point_history GROUP BY loyalty_card_id) h ON h.loyalty_card_id = c.id
		WHERE c.history_seq <> COALESCE(h.n, 0)`, ""},
	{"lot remaining = sum of its journal lot_amount, within [0, initial]", `SELECT count(*) FROM point_moves m
		LEFT JOIN (SELECT point_move_id, SUM(lot_amount) AS s FROM point_history WHERE point_move_id IS NOT NULL
			GROUP BY point_move_id) h ON h.point_move_id = m.id
		WHERE m.remaining_point <> COALESCE(h.s, 0) OR m.remaining_point < 0 OR m.remaining_point > m.initial_point`, ""},
}

// runChecks runs checks and returns the descriptions of those that pass
// and of those that fail.
func runChecks(ctx context.Context, db *models.DB, checks []expireCheck, now time.Time, program int64) (ok, failed []string, err error) {
	conn, err := db.DB.DB.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	// The checks aggregate whole tables: let them hash and sort in memory.
	if _, err := conn.ExecContext(ctx, `SET work_mem = '256MB'`); err != nil {
		return nil, nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `RESET work_mem`)
	for _, c := range checks {
		var n int64
		if err := conn.QueryRowContext(ctx, c.sql, c.args(now, program)...).Scan(&n); err != nil {
			return nil, nil, fmt.Errorf("check %q: %w", c.what, err)
		}
		if n != 0 {
			failed = append(failed, fmt.Sprintf("%s: %d rows break it", c.what, n))
			continue
		}
		ok = append(ok, c.what+": ok")
	}
	return ok, failed, nil
}

// expireChecks verify the books after the expiry runs (with ledgerChecks).
var expireChecks = []expireCheck{
	{"no active lot past expiry", `SELECT count(*) FROM point_moves WHERE state = 'active' AND expiration_date < $1::timestamp`, "now"},
	{"every lifetime lot still active and whole", `SELECT count(*) FROM point_moves
		WHERE expiration_date IS NULL AND (state <> 'active' OR remaining_point <> initial_point)`, ""},
	{"card points = its lifetime lots (0 on cards without one)", `SELECT count(*) FROM loyalty_cards c
		LEFT JOIN (SELECT loyalty_card_id, SUM(initial_point) AS s FROM point_moves WHERE expiration_date IS NULL
			GROUP BY loyalty_card_id) m ON m.loyalty_card_id = c.id
		WHERE c.program_id = $1 AND c.points <> COALESCE(m.s, 0)`, "program"},
}

// checkExpired compares the expiry's figures with what was loaded and
// runs expireChecks; failures are recorded in res.
func checkExpired(ctx context.Context, db *models.DB, cfg *engineConfig, program int64, now time.Time, wantPoints decimal.Decimal, res *expireResult) error {
	fail := func(format string, args ...any) {
		res.Failures = append(res.Failures, "expire: "+fmt.Sprintf(format, args...))
	}
	if res.Stats.Lots != cfg.Lots || !res.Stats.Points.Equal(wantPoints) {
		fail("expired %d lots, %s points; want %d lots, %s points", res.Stats.Lots,
			res.Stats.Points.StringFixed(2), cfg.Lots, wantPoints.StringFixed(2))
	} else {
		res.Checks = append(res.Checks, fmt.Sprintf("expired exactly the %d loaded lots, %s points: ok",
			cfg.Lots, wantPoints.StringFixed(2)))
	}
	// The books are checked below; the card count is only reported, so a
	// count per batch (a card whose lots span batches counted again) shows
	// without failing the run.
	if res.Stats.Cards != cfg.LotCards {
		res.Notes = append(res.Notes, fmt.Sprintf("ExpireStats.Cards is %d; the expired lots were on %d distinct cards",
			res.Stats.Cards, cfg.LotCards))
	} else {
		res.Checks = append(res.Checks, fmt.Sprintf("ExpireStats.Cards = the %d distinct cards: ok", cfg.LotCards))
	}
	if res.Again.Lots != 0 || res.Again.Cards != 0 || !res.Again.Points.IsZero() {
		fail("the second run expired %d lots on %d cards", res.Again.Lots, res.Again.Cards)
	} else {
		res.Checks = append(res.Checks, "the second run changed nothing: ok")
	}
	ok, failed, err := runChecks(ctx, db, append(slices.Clone(expireChecks), ledgerChecks...), now, program)
	if err != nil {
		return err
	}
	res.Checks = append(res.Checks, ok...)
	for _, f := range failed {
		fail("%s", f)
	}
	return nil
}

// args are the check's parameters.
func (c expireCheck) args(now time.Time, program int64) []any {
	switch c.arg {
	case "now":
		return []any{sqlTime(now)}
	case "program":
		return []any{program}
	}
	return nil
}

// pointsToExpire sums the remaining points of the active lots past expiry.
func pointsToExpire(ctx context.Context, db *models.DB, now time.Time) (decimal.Decimal, error) {
	var s string
	if err := db.DB.DB.QueryRowContext(ctx, `SELECT COALESCE(SUM(remaining_point), 0)::text FROM point_moves
		WHERE state = 'active' AND expiration_date < $1::timestamp`, sqlTime(now)).Scan(&s); err != nil {
		return decimal.Zero, err
	}
	return decimal.NewFromString(s)
}
