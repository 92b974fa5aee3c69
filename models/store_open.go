package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// The dialect names DialectName returns and ToColumn/FromColumn take.
const (
	DialectPG     = "pg"
	DialectSQLite = "sqlite"
)

// StoreConfig says which database Open connects to.
type StoreConfig struct {
	// URL selects the backend: "postgres://..." or "postgresql://..." is
	// PostgreSQL (libpq URL syntax; unknown query parameters such as
	// search_path become session settings). "sqlite:///abs/path.db",
	// "file:..." and ":memory:" are SQLite. Empty means the SQLite file
	// <DataDir>/<DBName>.sqlite.
	URL string
	// DataDir holds the default SQLite file; created 0700 when missing.
	DataDir string
	// DBName names the default SQLite file (the Odoo database name).
	DBName string
	// MaxOpenConns caps the connection pool; 0 picks a default (20 on
	// PostgreSQL, max(4, CPUs) on SQLite, 1 for :memory:).
	MaxOpenConns int
}

// pingTimeout bounds the connection check in Open.
const pingTimeout = 10 * time.Second

// Open connects to the database cfg names and checks the connection. It
// does not migrate: call Migrate.
//
// SQLite connections run with journal_mode=WAL, busy_timeout=10000,
// foreign_keys=ON, synchronous=NORMAL and BEGIN IMMEDIATE transactions, and
// WriteTx serialises writers in the process.
func Open(ctx context.Context, cfg StoreConfig, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := strings.TrimSpace(cfg.URL)
	lower := strings.ToLower(u)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return openPostgres(ctx, u, cfg.MaxOpenConns, log)
	}
	return openSQLite(ctx, cfg, log)
}

func openPostgres(ctx context.Context, rawURL string, maxConns int, log *slog.Logger) (*DB, error) {
	pcfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// The error text may quote the URL; keep the password out of logs.
		return nil, fmt.Errorf("open postgres: invalid URL: %w", redactErr(err, rawURL))
	}
	if !strings.Contains(rawURL, "default_query_exec_mode") {
		// bun inlines arguments into the SQL text, so its statements are new
		// to the server: caching them would add a round trip each and evict
		// each other; the simple protocol sends each once. The reader's
		// statements have real bind parameters and run prepared (stmt.go):
		// pgx executes a statement prepared on its connection whatever this
		// mode, so they are parsed and planned once per connection.
		pcfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	sqldb := stdlib.OpenDB(*pcfg)
	if maxConns <= 0 {
		maxConns = 20
	}
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{DB: bun.NewDB(sqldb, pgdialect.New()), stmts: newStmtCache(sqldb, DialectPG)}
	if err := ping(ctx, db); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("open postgres %s:%d/%s: %w", pcfg.Host, pcfg.Port, pcfg.Database, err)
	}
	log.Info("store opened", slog.String("dialect", DialectPG), slog.String("host", pcfg.Host),
		slog.Int("port", int(pcfg.Port)), slog.String("database", pcfg.Database))
	return db, nil
}

// memSeq names private in-memory databases, one per Open.
var memSeq atomic.Int64

func openSQLite(ctx context.Context, cfg StoreConfig, log *slog.Logger) (*DB, error) {
	name, memory, err := sqliteName(cfg)
	if err != nil {
		return nil, err
	}
	params := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	dsn := name + "?" + params
	if strings.Contains(name, "?") {
		dsn = name + "&" + params
	}
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", name, err)
	}
	maxConns := cfg.MaxOpenConns
	switch {
	case memory:
		// Every connection to a private memory database would see its own
		// empty database; one connection, never recycled, keeps one.
		maxConns = 1
		sqldb.SetConnMaxLifetime(0)
		sqldb.SetConnMaxIdleTime(0)
	case maxConns <= 0:
		maxConns = max(4, runtime.NumCPU())
	}
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	db := &DB{DB: bun.NewDB(sqldb, sqlitedialect.New()), writeMu: &sync.Mutex{},
		stmts: newStmtCache(sqldb, DialectSQLite)}
	if err := ping(ctx, db); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", name, err)
	}
	var journal string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("open sqlite %s: journal mode: %w", name, err)
	}
	log.Info("store opened", slog.String("dialect", DialectSQLite), slog.String("file", name),
		slog.String("journal_mode", journal))
	return db, nil
}

// sqliteName turns cfg into the name handed to the driver (a path or a
// file: URI, without the driver parameters) and says whether the database
// lives in memory.
func sqliteName(cfg StoreConfig) (name string, memory bool, err error) {
	u := strings.TrimSpace(cfg.URL)
	switch {
	case u == ":memory:" || u == "sqlite://:memory:" || u == "sqlite::memory:":
		return fmt.Sprintf("file:loyaltyd-mem-%d?mode=memory&cache=shared", memSeq.Add(1)), true, nil
	case strings.HasPrefix(u, "file:"):
		return u, strings.Contains(u, "mode=memory") || strings.HasPrefix(u, "file::memory:"), nil
	case strings.HasPrefix(u, "sqlite://"):
		path := strings.TrimPrefix(u, "sqlite://")
		if path == "" {
			return "", false, errors.New("open sqlite: empty path in URL")
		}
		return path, false, mkdirFor(path)
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(u, "sqlite:")
		if path == "" {
			return "", false, errors.New("open sqlite: empty path in URL")
		}
		return path, false, mkdirFor(path)
	case u != "":
		return "", false, fmt.Errorf("open store: unsupported URL scheme in %q (want postgres://, sqlite://, file: or :memory:)", redactURL(u))
	}
	if cfg.DataDir == "" || cfg.DBName == "" {
		return "", false, errors.New("open sqlite: data dir and database name are required when no URL is set")
	}
	if strings.ContainsAny(cfg.DBName, `/\`) || cfg.DBName == "." || cfg.DBName == ".." {
		return "", false, fmt.Errorf("open sqlite: invalid database name %q", cfg.DBName)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return "", false, fmt.Errorf("open sqlite: data dir: %w", err)
	}
	return filepath.Join(cfg.DataDir, cfg.DBName+".sqlite"), false, nil
}

// mkdirFor creates the directory that will hold the database file path.
func mkdirFor(path string) error {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	return nil
}

func ping(ctx context.Context, db *DB) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// DialectName is the backend of the store: DialectPG ("pg") or
// DialectSQLite ("sqlite").
func (d *DB) DialectName() string {
	switch d.Dialect().Name() {
	case dialect.PG:
		return DialectPG
	case dialect.SQLite:
		return DialectSQLite
	default:
		return d.Dialect().Name().String()
	}
}

// redactURL hides the password of a URL for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// redactErr replaces the password of rawURL in err's text.
func redactErr(err error, rawURL string) error {
	u, perr := url.Parse(rawURL)
	if perr != nil || u.User == nil {
		return err
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" || !strings.Contains(err.Error(), pw) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
}
