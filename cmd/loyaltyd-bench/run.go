package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// adminUID is the uid of the admin user loyaltyd creates at first start.
const adminUID = 2

// bench is the state of one run.
type bench struct {
	cfg     *runConfig
	log     *slog.Logger
	client  *http.Client
	tmp     string // removed at the end of the run
	server  string // absolute path of loyaltyd
	self    string // this executable, started again as the ceiling
	cr      credentials
	results []*result
	notes   []string
}

// runBench runs every scenario, prints the report on stdout and fails
// when a request failed.
func runBench(ctx context.Context, cfg *runConfig, stdout io.Writer, log *slog.Logger) error {
	started := time.Now()
	server, err := filepath.Abs(cfg.Server)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	tmp, err := os.MkdirTemp("", "loyaltyd-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	b := &bench{
		cfg: cfg, log: log, client: newLoadClient(cfg.Clients), tmp: tmp, server: server, self: self,
		cr: credentials{DB: cfg.DBName, UID: adminUID, Password: rand.Text()},
	}
	defer b.client.CloseIdleConnections()
	if err := b.sqlite(ctx); err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		if err := b.postgres(ctx); err != nil {
			return err
		}
	} else {
		b.notes = append(b.notes, "PostgreSQL SKIPPED: no --database-url and no TEST_DATABASE_URL")
	}
	if n := printReport(stdout, cfg, b.results, b.notes, time.Since(started)); n > 0 {
		return fmt.Errorf("%d requests failed", n)
	}
	return nil
}

// sqlite measures loyaltyd on a fresh SQLite database, and the ceiling on
// the bytes that server answered.
func (b *bench) sqlite(ctx context.Context) error {
	srv, exs, err := b.startServer(ctx, "sqlite", "--database-url=", "--data-dir", filepath.Join(b.tmp, "sqlite"))
	if err != nil {
		return err
	}
	defer srv.stop()
	if err := b.ceiling(ctx, exs); err != nil {
		return err
	}
	return b.measure(ctx, "sqlite", srv, exs, false)
}

// postgres measures loyaltyd on a schema of its own in the database of
// cfg.DatabaseURL, dropped afterwards.
func (b *bench) postgres(ctx context.Context) error {
	dbURL, drop, err := createSchema(ctx, b.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer drop(b.log)
	srv, exs, err := b.startServer(ctx, "postgresql", "--database-url", dbURL, "--data-dir", filepath.Join(b.tmp, "pg"))
	if err != nil {
		return err
	}
	defer srv.stop()
	return b.measure(ctx, "postgresql", srv, exs, false)
}

// startServer starts loyaltyd on a free loopback port with store args,
// seeds it and records its response to every request of every protocol
// (indexed like protocols).
func (b *bench) startServer(ctx context.Context, name string, store ...string) (*child, [][]exchange, error) {
	args := append([]string{"serve", "--http-interface", "127.0.0.1", "--http-port", "0",
		"--db-name", b.cfg.DBName, "--redis-url=", "--log-level", "warn"}, store...)
	env := []string{"LOYALTYD_ADMIN_PASSWORD=" + b.cr.Password}
	srv, err := startChild(ctx, b.log, "loyaltyd "+name, b.server, args, env, "external API on")
	if err != nil {
		return nil, nil, err
	}
	rc := &rpcClient{http: b.client, url: srv.url, cr: b.cr}
	t := time.Now()
	partners, err := seed(ctx, rc, b.cfg.Partners, b.cfg.Cards)
	if err != nil {
		srv.stop()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	b.log.Info("seeded", slog.String("store", name), slog.Int("partners", len(partners)),
		slog.Int("cards", len(partners)*b.cfg.Cards), slog.Duration("took", time.Since(t)))
	exs := make([][]exchange, len(protocols))
	for i, p := range protocols {
		if exs[i], err = capture(ctx, rc, p, partners, min(b.cfg.Cards, searchLimit)); err != nil {
			srv.stop()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return srv, exs, nil
}

// ceiling starts the bare net/http server on exs and measures it.
func (b *bench) ceiling(ctx context.Context, exs [][]exchange) error {
	var all []exchange
	for _, e := range exs {
		all = append(all, e...)
	}
	file := filepath.Join(b.tmp, "ceiling.json")
	if err := writeExchanges(file, all); err != nil {
		return err
	}
	srv, err := startChild(ctx, b.log, "ceiling", b.self, []string{"ceiling", "--port", "0", "--responses", file}, nil, ceilingBanner)
	if err != nil {
		return err
	}
	defer srv.stop()
	return b.measure(ctx, "ceiling", srv, exs, true)
}

// measure runs the load of every protocol against srv.
func (b *bench) measure(ctx context.Context, name string, srv *child, exs [][]exchange, ceiling bool) error {
	defer b.client.CloseIdleConnections()
	for i, p := range protocols {
		sc := scenario{Name: name, Proto: p, BaseURL: srv.url, Exchanges: exs[i], Ceiling: ceiling, PID: srv.cmd.Process.Pid}
		res, err := runLoad(ctx, b.client, sc, loadConfig{Clients: b.cfg.Clients, Warmup: b.cfg.Warmup, Duration: b.cfg.Duration})
		if err != nil {
			return err
		}
		s := summarize(res)
		b.log.Info("measured", slog.String("scenario", name), slog.String("protocol", p.Name),
			slog.Int("req_per_s", int(s.RPS)), slog.Duration("p50", s.P50), slog.Duration("p99", s.P99),
			slog.Int("errors", s.Errors))
		b.results = append(b.results, res)
	}
	return nil
}

// createSchema creates an empty schema in the database of baseURL and
// returns baseURL with search_path set to it (loyaltyd's pgx connection
// makes it a session setting), and a function dropping it.
func createSchema(ctx context.Context, baseURL string) (string, func(*slog.Logger), error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", nil, fmt.Errorf("--database-url: not a URL")
	}
	name := "loyaltyd_bench_" + strings.ToLower(rand.Text()[:10])
	ident := pgx.Identifier{name}.Sanitize()
	if err := pgExec(ctx, baseURL, "CREATE SCHEMA "+ident); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	drop := func(log *slog.Logger) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := pgExec(ctx, baseURL, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			log.Warn("drop schema", slog.String("schema", name), slog.Any("err", err))
		}
	}
	return u.String(), drop, nil
}

// pgExec runs one statement on a connection of its own.
func pgExec(ctx context.Context, dbURL, sql string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}
