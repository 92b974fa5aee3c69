package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// The engine benchmark ("loyaltyd-bench engine") measures, in process, on
// PostgreSQL with durable commits: order processing (one transaction
// that earns on a card and redeems from it first-expiring-first, with
// its journal rows) by concurrent clients against pgbench's built-in
// TPC-B-like script on the same server in the same run; and one expiry
// run over a million expired lots. Each side gets a database of its own,
// dropped afterwards. When the server it is given does not commit
// durably (the test services run with fsync off), it starts its own.

// engineConfig is every setting of an engine benchmark run.
type engineConfig struct {
	DatabaseURL string
	OwnServer   string // auto, yes, no
	PGBin       string
	Clients     int
	Threads     int // pgbench -j
	Warmup      time.Duration
	Duration    time.Duration
	Scale       int // pgbench -s
	Cards       int // cards the orders spread over
	Lots        int // expired lots for the expiry run; 0 skips it
	LotCards    int // cards those lots spread over
	Aims        engineAims
}

// engineAims are the targets of issue 4's benchmark.
type engineAims struct {
	MinRatio  float64       // engine tps at least this fraction of pgbench's
	MaxP99    time.Duration // order p99 below this
	MaxExpire time.Duration // the expiry run below this
}

func parseEngineConfig(args []string, out io.Writer) (*engineConfig, error) {
	cfg := &engineConfig{}
	fs := flag.NewFlagSet("loyaltyd-bench engine", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.DatabaseURL, "database-url", os.Getenv("TEST_DATABASE_URL"),
		"PostgreSQL URL of a superuser (default $TEST_DATABASE_URL); databases are created in its server and dropped")
	fs.StringVar(&cfg.OwnServer, "own-server", "auto",
		"start a PostgreSQL of the bench's own with durable commits: auto (when the given server is not durable or none is given), yes, no")
	fs.StringVar(&cfg.PGBin, "pg-bin", "", "directory of initdb, pg_ctl and pgbench (default: pg_config --bindir, initdb on PATH)")
	fs.IntVar(&cfg.Clients, "clients", 16, "concurrent clients of each side")
	fs.IntVar(&cfg.Threads, "threads", 2, "pgbench worker threads (-j)")
	fs.DurationVar(&cfg.Warmup, "warmup", time.Second, "unrecorded load before each side's measurement")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured load per side")
	fs.IntVar(&cfg.Scale, "scale", 16, "pgbench scale factor (-s; at least --clients avoids branch contention)")
	fs.IntVar(&cfg.Cards, "cards", 10000, "cards the orders spread over")
	fs.IntVar(&cfg.Lots, "lots", 1_000_000, "expired lots for the expiry run (0 skips it)")
	fs.IntVar(&cfg.LotCards, "lot-cards", 100_000, "cards the expired lots spread over")
	fs.Float64Var(&cfg.Aims.MinRatio, "aim-ratio", 0.5, "aim: order transactions/s at least this fraction of pgbench's")
	fs.DurationVar(&cfg.Aims.MaxP99, "aim-p99", 10*time.Millisecond, "aim: order p99 latency below this")
	fs.DurationVar(&cfg.Aims.MaxExpire, "aim-expire", 10*time.Second, "aim: the expiry run below this")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	var errs []error
	switch cfg.OwnServer {
	case "auto", "yes", "no":
	default:
		errs = append(errs, fmt.Errorf("--own-server %q: want auto, yes or no", cfg.OwnServer))
	}
	if cfg.Clients < 1 || cfg.Clients > 64 {
		errs = append(errs, fmt.Errorf("--clients %d: want 1 to 64", cfg.Clients))
	}
	if cfg.Threads < 1 || cfg.Threads > cfg.Clients {
		errs = append(errs, fmt.Errorf("--threads %d: want 1 to --clients", cfg.Threads))
	}
	if cfg.Duration <= 0 || cfg.Duration > 10*time.Minute || cfg.Warmup < 0 || cfg.Warmup > time.Minute {
		errs = append(errs, errors.New("--duration must be in (0, 10m] and --warmup in [0, 1m]"))
	}
	if cfg.Scale < 1 || cfg.Scale > 1000 {
		errs = append(errs, fmt.Errorf("--scale %d: want 1 to 1000", cfg.Scale))
	}
	if cfg.Cards < 1 || cfg.Cards > 10_000_000 {
		errs = append(errs, fmt.Errorf("--cards %d: want 1 to 10000000", cfg.Cards))
	}
	if cfg.Lots < 0 || cfg.Lots > 100_000_000 {
		errs = append(errs, fmt.Errorf("--lots %d: want 0 to 100000000", cfg.Lots))
	}
	if cfg.Lots > 0 && (cfg.LotCards < 1 || cfg.LotCards > cfg.Lots) {
		errs = append(errs, fmt.Errorf("--lot-cards %d: want 1 to --lots", cfg.LotCards))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", errUsage, errors.Join(errs...))
	}
	return cfg, nil
}

// engineReport is everything the engine benchmark prints.
type engineReport struct {
	Server  *pgServer
	Pgbench *pgbenchResult
	Orders  *ordersResult
	Expire  *expireResult
	Errors  []string // sides that could not run to the end
	Notes   []string
}

func cmdEngine(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	cfg, err := parseEngineConfig(args, stderr)
	if err != nil {
		return err
	}
	started := time.Now()
	srv, err := choosePGServer(ctx, cfg.OwnServer, cfg.DatabaseURL, cfg.PGBin, log)
	if err != nil {
		return err
	}
	defer srv.stop()
	if srv.bin == "" {
		if srv.bin, err = pgBinDir(cfg.PGBin); err != nil {
			return err
		}
	}
	log.Info("engine bench server", slog.String("server", srv.Why), slog.String("settings", srv.Settings.String()))
	tmp, err := os.MkdirTemp("", "loyaltyd-bench-engine-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	rep := &engineReport{Server: srv}

	// pgbench first, in its own database.
	pgbURL, dropPgb, err := createDatabase(ctx, srv.URL, "loyaltyd_bench_pgbench")
	if err != nil {
		return err
	}
	rep.Pgbench, err = runPgbench(ctx, pgbenchConfig{Bin: srv.bin, DBURL: pgbURL, Scale: cfg.Scale,
		Clients: cfg.Clients, Threads: cfg.Threads, Warmup: cfg.Warmup, Duration: cfg.Duration, LogDir: tmp,
		ServerCPU: srv.serverCPU})
	dropPgb(log)
	if err != nil {
		return err
	}
	s := summarize(rep.Pgbench.Result)
	log.Info("measured", slog.String("side", "pgbench"), slog.Int("tps", int(s.RPS)),
		slog.Duration("p50", s.P50), slog.Duration("p99", s.P99))

	// The engine's orders, in a database of their own; then the expiry
	// run, in a third. A failure of either is reported with the figures
	// measured so far.
	rep.Orders, err = inDatabase(ctx, srv.URL, "loyaltyd_bench_engine", log, func(dbURL string) (*ordersResult, error) {
		return runOrders(ctx, dbURL, cfg, srv.serverCPU, log)
	})
	if err != nil {
		rep.Errors = append(rep.Errors, fmt.Sprintf("orders: %v", err))
	} else {
		s = summarize(rep.Orders.Result)
		log.Info("measured", slog.String("side", "engine"), slog.Int("tps", int(s.RPS)),
			slog.Duration("p50", s.P50), slog.Duration("p99", s.P99), slog.Int("errors", s.Errors))
	}
	if cfg.Lots > 0 && ctx.Err() == nil {
		rep.Expire, err = inDatabase(ctx, srv.URL, "loyaltyd_bench_expire", log, func(dbURL string) (*expireResult, error) {
			return runExpire(ctx, dbURL, cfg, log)
		})
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("expire: %v", err))
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return printEngineReport(stdout, cfg, rep, time.Since(started))
}

// inDatabase runs fn on a database of its own on the server of baseURL,
// dropped afterwards.
func inDatabase[T any](ctx context.Context, baseURL, prefix string, log *slog.Logger, fn func(dbURL string) (T, error)) (T, error) {
	dbURL, drop, err := createDatabase(ctx, baseURL, prefix)
	if err != nil {
		var zero T
		return zero, err
	}
	defer drop(log)
	return fn(dbURL)
}

// printEngineReport writes the settings, the table and the verdict; it
// fails when an order or the expiry check failed (missed aims are only
// reported).
func printEngineReport(w io.Writer, cfg *engineConfig, rep *engineReport, elapsed time.Duration) error {
	srv := rep.Server
	fmt.Fprintf(w, "\nloyaltyd-bench engine: order processing (earn + FEFO redeem + journal, one transaction) vs pgbench tpcb-like\n")
	fmt.Fprintf(w, "  %s %s/%s, GOMAXPROCS %d, %d CPUs; %d clients per side; warm-up %s, then %s per side\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), cfg.Clients, cfg.Warmup, cfg.Duration)
	fmt.Fprintf(w, "  PostgreSQL %s, %s\n", srv.Settings.Version, srv.Why)
	fmt.Fprintf(w, "  settings: %s\n", srv.Settings)
	if srv.Own {
		fmt.Fprintf(w, "  own server's data directory on %s\n", cmp(srv.FSType != "", srv.FSType, "an unknown file system"))
		if memoryFS(srv.FSType) {
			rep.Notes = append(rep.Notes, fmt.Sprintf("the own server's data directory is on %s: fsync makes nothing durable there; "+
				"point TMPDIR at a disk", srv.FSType))
		}
	}
	fmt.Fprintln(w)

	ps := summarize(rep.Pgbench.Result)
	orders := rep.Orders
	if orders == nil {
		orders = &ordersResult{Result: &result{Scenario: "engine"}}
	}
	es := summarize(orders.Result)
	rv := ratio(es.RPS, ps.RPS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "side\ttransactions\ttx/s\tp50\tp99\terrors\tvs pgbench\tCPU per transaction")
	fmt.Fprintf(tw, "pgbench\t%d\t%.0f\t%s\t%s\t%d\t(baseline)\t%s\n",
		ps.Requests, ps.RPS, ms(ps.P50), ms(ps.P99), ps.Errors, rep.Pgbench.CPU)
	fmt.Fprintf(tw, "engine\t%d\t%.0f\t%s\t%s\t%d\t%.2f\t%s\n",
		es.Requests, es.RPS, ms(es.P50), ms(es.P99), es.Errors, rv, orders.CPU)
	_ = tw.Flush()
	fmt.Fprintf(w, "  pgbench: %s, scale %d; its own tps over its whole run %.0f\n", rep.Pgbench.Command, cfg.Scale, rep.Pgbench.Reported)
	fmt.Fprintf(w, "  engine:  Earn + Redeem (FEFO) in one InTx per order on a random card of %d (seeded in %s)\n",
		cfg.Cards, orders.Seeded.Round(time.Millisecond))
	fmt.Fprintln(w, "  (CPU per transaction: over each side's whole load, warm-up included; server = the bench's own PostgreSQL's")
	fmt.Fprintln(w, "   processes, unknown on a given server; client = pgbench's process, or this process for the engine)")
	for _, sample := range orders.Result.Samples {
		fmt.Fprintf(w, "  error engine: %s\n", sample)
	}
	if rep.Orders != nil {
		fmt.Fprintf(w, "\norders: %d committed in all (warm-up included)\n", orders.Booked)
	}
	for _, c := range orders.Checks {
		fmt.Fprintf(w, "  check: %s\n", c)
	}
	for _, f := range orders.Failures {
		fmt.Fprintf(w, "  FAILED: %s\n", f)
	}
	failures := append(slices.Clone(rep.Errors), orders.Failures...)
	if es.Errors > 0 {
		failures = append(failures, fmt.Sprintf("%d orders failed", es.Errors))
	}
	if ps.Errors > 0 {
		failures = append(failures, fmt.Sprintf("%d pgbench transactions failed", ps.Errors))
	}
	if ex := rep.Expire; ex != nil {
		fmt.Fprintf(w, "\nexpire: %d lots over %d cards (loaded in %s): Service.Expire took %s, %.0f lots/s; expired %d lots on %d cards, %s points\n",
			ex.Loaded, ex.Cards, ex.LoadTook.Round(time.Millisecond), ex.Took.Round(time.Millisecond),
			float64(ex.Stats.Lots)/ex.Took.Seconds(), ex.Stats.Lots, ex.Stats.Cards, ex.Stats.Points.StringFixed(2))
		fmt.Fprintf(w, "  again: %s, %d lots (must be 0)\n", ex.AgainTook.Round(time.Millisecond), ex.Again.Lots)
		for _, c := range ex.Checks {
			fmt.Fprintf(w, "  check: %s\n", c)
		}
		for _, n := range ex.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		for _, f := range ex.Failures {
			fmt.Fprintf(w, "  FAILED: %s\n", f)
		}
		failures = append(failures, ex.Failures...)
	}

	fmt.Fprintf(w, "\nverdict (aims: ratio >= %.2f, p99 < %s, expiry of %d lots < %s; reported, not enforced):\n",
		cfg.Aims.MinRatio, ms(cfg.Aims.MaxP99), cfg.Lots, cfg.Aims.MaxExpire)
	if rep.Orders != nil {
		_, text := aims{MinRatio: cfg.Aims.MinRatio, MaxP99: cfg.Aims.MaxP99}.verdict(es, rv)
		fmt.Fprintf(w, "  orders  %s\n", text)
	} else {
		fmt.Fprintln(w, "  orders  NOT MEASURED (see the errors)")
	}
	if ex := rep.Expire; ex != nil {
		ok := ex.Took < cfg.Aims.MaxExpire
		fmt.Fprintf(w, "  expire  %.2f s %s %.2f s: %s\n", ex.Took.Seconds(), cmp(ok, "<", ">="), cfg.Aims.MaxExpire.Seconds(),
			cmp(ok, "meets the aim", "misses the aim"))
	} else if cfg.Lots == 0 {
		fmt.Fprintln(w, "  expire  SKIPPED (--lots 0)")
	} else {
		fmt.Fprintln(w, "  expire  NOT MEASURED (see the errors)")
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "total run time %s\n", elapsed.Round(100*time.Millisecond))
	if len(failures) > 0 {
		return errors.New(strings.Join(failures, "; "))
	}
	return nil
}
