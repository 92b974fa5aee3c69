// Command loyaltyd-bench is the load benchmark behind "make bench".
//
// In one run it measures loyalty.card search_read by partner (five fields,
// limit 10) over XML-RPC and JSON-RPC against the loyaltyd binary started
// as a child process, on SQLite and, when a URL is given, on PostgreSQL;
// and, as the ceiling, a bare net/http handler in another child process
// that answers the very bytes loyaltyd answered. It prints requests/s, p50
// and p99 latency, errors and the ratio to the ceiling per scenario, then a
// verdict against the aims. It exits non-zero when a request failed; missed
// aims are only reported.
//
// The orm and engine commands measure in process: the ORM against
// hand-written SQL, and the points engine's order processing and expiry
// against pgbench on a PostgreSQL with durable commits (engine.go).
//
//	loyaltyd-bench run --server bin/loyaltyd [--database-url postgres://...] [--duration 5s]
//	loyaltyd-bench ceiling --port N --responses FILE   (started by run)
//	loyaltyd-bench engine [--database-url postgres://...] [--duration 10s] [--lots 1000000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, log))
}

// run is main without the process; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) int {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "run":
		var cfg *runConfig
		if cfg, err = parseRunConfig(args, stderr); err == nil {
			err = runBench(ctx, cfg, stdout, log)
		}
	case "ceiling":
		err = cmdCeiling(ctx, args, stdout, stderr, log)
	case "orm":
		err = cmdORM(ctx, args, stdout, stderr, log)
	case "engine":
		err = cmdEngine(ctx, args, stdout, stderr, log)
	case "import":
		err = benchImport(ctx, args, stdout)
	case "sync":
		err = benchSync(ctx, args, stdout)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "loyaltyd-bench: unknown command %q\n\n", cmd)
		usage(stderr)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "loyaltyd-bench %s: interrupted\n", cmd)
		return 130
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "loyaltyd-bench %s: %v\n", cmd, err)
		return 2
	default:
		fmt.Fprintf(stderr, "loyaltyd-bench %s: %v\n", cmd, err)
		return 1
	}
}

// errUsage marks bad flags (exit status 2).
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprint(w, `loyaltyd-bench: load benchmark of loyaltyd's external API.

Usage:
  loyaltyd-bench run --server PATH [flags]       run every scenario and print the table
  loyaltyd-bench ceiling --port N --responses F   the bare net/http ceiling (started by run)
  loyaltyd-bench orm [--database-url URL]         the ORM against hand-written SQL, in process
  loyaltyd-bench engine [--database-url URL]      the points engine against pgbench, durable PostgreSQL
  loyaltyd-bench import [--partners N]            first import of partners from a fake Odoo, against bare paging
  loyaltyd-bench sync [flags]                     outbox delivery to a fake Odoo: events/s, commit-to-Odoo latency

Run "loyaltyd-bench run --help" for the flags.
`)
}

// runConfig is every setting of a benchmark run.
type runConfig struct {
	Server      string        // path of the loyaltyd binary
	DatabaseURL string        // PostgreSQL URL; empty = SQLite only
	DBName      string        // database name the clients send
	Clients     int           // concurrent keep-alive clients
	Warmup      time.Duration // load before each measurement, not recorded
	Duration    time.Duration // measured load per scenario
	Partners    int           // partners the requests rotate over
	Cards       int           // cards per partner
	Aims        aims          // what the verdict compares against
}

// searchLimit is the limit of the benchmarked search_read.
const searchLimit = 10

func parseRunConfig(args []string, out io.Writer) (*runConfig, error) {
	cfg := &runConfig{}
	fs := flag.NewFlagSet("loyaltyd-bench run", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Server, "server", "bin/loyaltyd", "path of the loyaltyd binary to start")
	fs.StringVar(&cfg.DatabaseURL, "database-url", os.Getenv("TEST_DATABASE_URL"),
		"PostgreSQL URL (default $TEST_DATABASE_URL); a fresh schema is created in it and dropped; empty = SQLite only")
	fs.StringVar(&cfg.DBName, "db-name", "bench", "database name of the server")
	fs.IntVar(&cfg.Clients, "clients", 16, "concurrent clients (keep-alive connections)")
	fs.DurationVar(&cfg.Warmup, "warmup", time.Second, "unrecorded load before each scenario")
	fs.DurationVar(&cfg.Duration, "duration", 5*time.Second, "measured load per scenario")
	fs.IntVar(&cfg.Partners, "partners", 200, "partners the requests rotate over")
	fs.IntVar(&cfg.Cards, "cards", 10, "loyalty cards per partner")
	fs.Float64Var(&cfg.Aims.MinRatio, "aim-ratio", 0.3, "aim: requests/s at least this fraction of the ceiling's")
	fs.DurationVar(&cfg.Aims.MaxP99, "aim-p99", 5*time.Millisecond, "aim: p99 latency below this")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	var errs []error
	if cfg.Server == "" {
		errs = append(errs, errors.New("--server is required"))
	} else if st, err := os.Stat(cfg.Server); err != nil || st.IsDir() {
		errs = append(errs, fmt.Errorf("--server %q: not a file (build it with make build)", cfg.Server))
	}
	if cfg.Clients < 1 || cfg.Clients > 1024 {
		errs = append(errs, fmt.Errorf("--clients %d: want 1 to 1024", cfg.Clients))
	}
	if cfg.Duration <= 0 || cfg.Duration > 10*time.Minute || cfg.Warmup < 0 || cfg.Warmup > time.Minute {
		errs = append(errs, errors.New("--duration must be in (0, 10m] and --warmup in [0, 1m]"))
	}
	if cfg.Partners < 1 || cfg.Partners > 100000 {
		errs = append(errs, fmt.Errorf("--partners %d: want 1 to 100000", cfg.Partners))
	}
	if cfg.Cards < 0 || cfg.Cards > 1000 {
		errs = append(errs, fmt.Errorf("--cards %d: want 0 to 1000", cfg.Cards))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", errUsage, errors.Join(errs...))
	}
	return cfg, nil
}
