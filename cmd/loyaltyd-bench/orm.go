package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// The ORM benchmark ("loyaltyd-bench orm") measures, in process, the
// registry's search_read with a four-leaf domain (|, ilike, in, a dotted
// path) against the same query written by hand in SQL, on SQLite and on
// PostgreSQL, and read_group over a million point_history rows on
// PostgreSQL against the hand-written GROUP BY.

type ormConfig struct {
	DatabaseURL string
	Duration    time.Duration
	Partners    int
	Cards       int
	HistoryRows int
}

func cmdORM(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	cfg := &ormConfig{}
	fs := flag.NewFlagSet("loyaltyd-bench orm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", os.Getenv("TEST_DATABASE_URL"), "PostgreSQL URL (default $TEST_DATABASE_URL); empty = SQLite only")
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Second, "measuring time of each side")
	fs.IntVar(&cfg.Partners, "partners", 2000, "partners")
	fs.IntVar(&cfg.Cards, "cards", 10, "cards per partner")
	fs.IntVar(&cfg.HistoryRows, "history-rows", 1_000_000, "point_history rows for read_group (PostgreSQL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loyaltyd-bench orm: search_read with a four-leaf domain vs hand-written SQL; read_group over %d history rows\n", cfg.HistoryRows)
	fmt.Fprintf(stdout, "%-11s %-28s %10s %10s %8s\n", "store", "query", "orm op/s", "sql op/s", "ratio")
	stores := []struct{ name, url string }{{"sqlite", ""}}
	if cfg.DatabaseURL != "" {
		stores = append(stores, struct{ name, url string }{"postgresql", cfg.DatabaseURL})
	}
	for _, st := range stores {
		if err := ormStore(ctx, cfg, st.name, st.url, stdout, log); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return nil
}

func ormStore(ctx context.Context, cfg *ormConfig, name, baseURL string, stdout io.Writer, log *slog.Logger) error {
	scfg := models.StoreConfig{DBName: "ormbench"}
	if baseURL == "" {
		dir, err := os.MkdirTemp("", "loyaltyd-ormbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		scfg.DataDir = dir
	} else {
		u, drop, err := createSchema(ctx, baseURL)
		if err != nil {
			return err
		}
		defer drop(log)
		scfg.URL = u
	}
	quiet := slog.New(slog.DiscardHandler)
	db, err := models.Open(ctx, scfg, quiet)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := models.Migrate(ctx, db, migrations.Migrations, quiet); err != nil {
		return err
	}
	reg := models.NewRegistry(db, quiet)
	if err := reg.Register(models.Builtin()...); err != nil {
		return err
	}
	for alias, name := range models.BuiltinAliases() {
		if err := reg.RegisterAlias(alias, name); err != nil {
			return err
		}
	}
	if err := seedORM(ctx, db, cfg); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	env := &models.Env{DB: "ormbench", UID: 2, Superuser: true, Context: map[string]any{}, Version: 17}

	ids := make([]any, 0, 20)
	for i := 1; i <= 20; i++ {
		ids = append(ids, int64(i*7))
	}
	domain := []any{"|", []any{"code", "ilike", "-0001"}, []any{"partner_id", "in", ids},
		[]any{"partner_id.name", "ilike", "member 1"}, []any{"points", ">", 2.5}}
	kwargs := map[string]any{"fields": []any{"code", "points", "partner_id"}, "limit": int64(80), "order": "id"}
	orm := func(ctx context.Context) ([]int64, error) {
		out, err := reg.Execute(ctx, env, "loyalty.card", "search_read", []any{domain}, kwargs)
		if err != nil {
			return nil, err
		}
		rows := out.([]any)
		got := make([]int64, len(rows))
		for i, r := range rows {
			v, _ := r.(*models.Dict).Get("id")
			got[i] = v.(int64)
		}
		return got, nil
	}
	hand := handSearchRead(db)
	a, err := orm(ctx)
	if err != nil {
		return fmt.Errorf("orm search_read: %w", err)
	}
	b, err := hand(ctx)
	if err != nil {
		return fmt.Errorf("hand search_read: %w", err)
	}
	if len(a) == 0 || !slices.Equal(a, b) {
		return fmt.Errorf("orm and hand-written SQL disagree: %d rows %v vs %d rows %v", len(a), head(a), len(b), head(b))
	}
	ormOps, handOps, err := race(ctx, cfg.Duration, orm, hand)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-11s %-28s %10.0f %10.0f %8.2f   (aim >= 0.80; %d rows)\n", name, "search_read 4-leaf domain", ormOps, handOps, ormOps/handOps, len(a))

	if baseURL == "" {
		return nil
	}
	start := time.Now()
	if err := seedHistory(ctx, db, cfg); err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	fmt.Fprintf(stdout, "%-11s %-28s seeded %d rows in %s\n", name, "point_history", cfg.HistoryRows, time.Since(start).Round(time.Millisecond))
	group := func(ctx context.Context) ([]int64, error) {
		out, err := reg.Execute(ctx, env, "loyalty.point.history", "read_group", []any{[]any{}, []any{"points_amount:sum"}, []any{"transaction_time:month"}},
			map[string]any{"lazy": false})
		if err != nil {
			return nil, err
		}
		return []int64{int64(len(out.([]any)))}, nil
	}
	handGroup := func(ctx context.Context) ([]int64, error) {
		rows, err := db.DB.DB.QueryContext(ctx, `SELECT date_trunc('month', transaction_time) AS m, sum(points_amount), count(*)
			FROM point_history GROUP BY m ORDER BY m`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		n := int64(0)
		for rows.Next() {
			var m time.Time
			var sum string
			var c int64
			if err := rows.Scan(&m, &sum, &c); err != nil {
				return nil, err
			}
			if _, err := decimal.NewFromString(sum); err != nil {
				return nil, err
			}
			n++
		}
		return []int64{n}, rows.Err()
	}
	ga, err := group(ctx)
	if err != nil {
		return fmt.Errorf("read_group: %w", err)
	}
	gb, err := handGroup(ctx)
	if err != nil {
		return fmt.Errorf("hand group by: %w", err)
	}
	if !slices.Equal(ga, gb) {
		return fmt.Errorf("read_group %v groups, hand GROUP BY %v", ga, gb)
	}
	og, hg, err := timeEach(ctx, 3, group, handGroup)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-11s %-28s %9.0fms %9.0fms %8.2f   (read_group median of 3; %d groups)\n", name, "read_group month, 1M rows",
		og.Seconds()*1000, hg.Seconds()*1000, hg.Seconds()/og.Seconds(), ga[0])
	return nil
}

// handSearchRead is the benchmark's search_read written by hand: one
// statement, bind parameters, the same rows and values.
func handSearchRead(db *models.DB) func(ctx context.Context) ([]int64, error) {
	pg := db.DialectName() == "pg"
	q := `SELECT c.id, c.code, c.points, c.partner_id, p.name FROM loyalty_cards c LEFT JOIN res_partner p ON p.id = c.partner_id
		WHERE c.active AND (c.code LIKE ? OR c.partner_id IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))
		AND c.partner_id IN (SELECT id FROM res_partner WHERE lower(name) LIKE ?) AND c.points > ? ORDER BY c.id LIMIT 80`
	if pg {
		q = strings.Replace(q, "c.code LIKE ?", "c.code ILIKE ?", 1)
		q = strings.Replace(q, "lower(name) LIKE ?", "name ILIKE ?", 1)
		n := 0
		var b strings.Builder
		for _, r := range q {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		q = b.String()
	}
	args := []any{"%-0001%"}
	for i := 1; i <= 20; i++ {
		args = append(args, int64(i*7))
	}
	args = append(args, "%member 1%")
	if pg {
		args = append(args, "2.5")
	} else {
		args = append(args, int64(250))
	}
	var stmt *sql.Stmt
	return func(ctx context.Context) ([]int64, error) {
		if stmt == nil {
			var err error
			if stmt, err = db.DB.DB.PrepareContext(ctx, q); err != nil {
				return nil, err
			}
		}
		rows, err := stmt.QueryContext(ctx, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			var code string
			var points any
			var partner sql.NullInt64
			var name sql.NullString
			if err := rows.Scan(&id, &code, &points, &partner, &name); err != nil {
				return nil, err
			}
			d, err := models.FromColumn(db.DialectName(), &models.Field{Name: "points", Type: models.Float, Decimal: true}, points)
			if err != nil {
				return nil, err
			}
			row := models.D("id", id, "code", code, "points", d, "partner_id", []any{partner.Int64, name.String})
			_ = row
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
}

// race runs a and b alternately for d each, in slices of 100 ms, and
// returns their operations per second.
func race(ctx context.Context, d time.Duration, a, b func(context.Context) ([]int64, error)) (float64, float64, error) {
	var na, nb int
	var ta, tb time.Duration
	for ta < d || tb < d {
		for _, side := range []struct {
			fn func(context.Context) ([]int64, error)
			n  *int
			t  *time.Duration
		}{{a, &na, &ta}, {b, &nb, &tb}} {
			start := time.Now()
			for time.Since(start) < 100*time.Millisecond {
				if _, err := side.fn(ctx); err != nil {
					return 0, 0, err
				}
				*side.n++
			}
			*side.t += time.Since(start)
		}
		if ctx.Err() != nil {
			return 0, 0, ctx.Err()
		}
	}
	return float64(na) / ta.Seconds(), float64(nb) / tb.Seconds(), nil
}

// timeEach returns the median duration of n runs of a and of b.
func timeEach(ctx context.Context, n int, a, b func(context.Context) ([]int64, error)) (time.Duration, time.Duration, error) {
	var da, db []time.Duration
	for range n {
		for _, side := range []struct {
			fn func(context.Context) ([]int64, error)
			d  *[]time.Duration
		}{{a, &da}, {b, &db}} {
			start := time.Now()
			if _, err := side.fn(ctx); err != nil {
				return 0, 0, err
			}
			*side.d = append(*side.d, time.Since(start))
		}
	}
	med := func(s []time.Duration) time.Duration {
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[len(s)/2]
	}
	return med(da), med(db), nil
}

func head(s []int64) []int64 { return s[:min(len(s), 5)] }

// seedORM inserts partners "Member <n>" and cards "CARD-<partner>-<n>"
// with points n.5 in one transaction.
func seedORM(ctx context.Context, db *models.DB, cfg *ormConfig) error {
	points := &models.Field{Name: "points", Type: models.Float, Decimal: true}
	return db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO promotion_programs (name, program_type) VALUES ('Bench', 'loyalty')`); err != nil {
			return err
		}
		for p := 1; p <= cfg.Partners; p++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO res_partner (name) VALUES (?)`, fmt.Sprintf("Member %d", p)); err != nil {
				return err
			}
		}
		for p := 1; p <= cfg.Partners; p++ {
			for n := 1; n <= cfg.Cards; n++ {
				v, err := models.ToColumn(db.DialectName(), points, fmt.Sprintf("%d.5", n))
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO loyalty_cards (program_id, partner_id, code, points) VALUES (1, ?, ?, ?)`,
					p, fmt.Sprintf("CARD-%04d-%04d", p, n), v); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// seedHistory fills point_history with generate_series (PostgreSQL).
func seedHistory(ctx context.Context, db *models.DB, cfg *ormConfig) error {
	if db.DialectName() != "pg" {
		return errors.New("history seeding needs PostgreSQL")
	}
	_, err := db.DB.DB.ExecContext(ctx, fmt.Sprintf(`INSERT INTO point_history (loyalty_card_id, points_amount, points_balance,
		transaction_time, membership_product_id, status_membership_product_id)
		SELECT 1 + (g %% %d), (g %% 100) - 40.25, g %% 1000, timestamp '2025-01-01' + ((g * 31) %% 31536000) * interval '1 second', 1, 1
		FROM generate_series(1, %d) g`, cfg.Partners*cfg.Cards, cfg.HistoryRows))
	if err != nil {
		return err
	}
	_, err = db.DB.DB.ExecContext(ctx, `ANALYZE point_history`)
	return err
}
