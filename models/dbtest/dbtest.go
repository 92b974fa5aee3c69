// Package dbtest gives tests a migrated store of their own: SQLite always,
// PostgreSQL when TEST_DATABASE_URL names a server, and the Redis URL when
// TEST_REDIS_URL is set.
//
// A test that needs a server it does not have is skipped with a loud
// reason, except under CI=true, where it fails: CI must run everything.
// `make test` starts throw-away servers and sets both variables.
//
// Typical use runs one suite on both backends:
//
//	func TestCards(t *testing.T) {
//		dbtest.Each(t, func(t *testing.T, db *models.DB) {
//			t.Parallel()
//			// ... same assertions on SQLite and PostgreSQL
//		})
//	}
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// The environment variables the helpers read.
const (
	EnvDatabaseURL = "TEST_DATABASE_URL"
	EnvRedisURL    = "TEST_REDIS_URL"
)

// maxConns caps each test database's pool, so parallel tests of several
// packages stay under the server's connection limit.
const maxConns = 8

// Each runs fn as two subtests, "sqlite" and "postgres", each with its own
// freshly migrated database. fn may call t.Parallel. Without a PostgreSQL
// server the "postgres" subtest skips (fails under CI=true).
func Each(t *testing.T, fn func(t *testing.T, db *models.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachConfig runs fn as subtests "sqlite" and "postgres", each with the
// configuration of a new, empty (unmigrated) database, for tests that open
// the store themselves: several instances on one database, migrations,
// a whole server.
func EachConfig(t *testing.T, fn func(t *testing.T, cfg models.StoreConfig)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteConfig(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresConfig(t)) })
}

// SQLite returns a migrated SQLite store in a file under t.TempDir(),
// closed when the test ends. The file is a copy of one migrated once per
// test binary, so a test pays for a file write, not for the migrations.
func SQLite(t testing.TB) *models.DB {
	t.Helper()
	image := sqliteImage(t)
	cfg := SQLiteConfig(t)
	if err := os.WriteFile(filepath.Join(cfg.DataDir, cfg.DBName+".sqlite"), image, 0o600); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return Open(t, cfg)
}

// sqliteTemplate is the content of a freshly migrated SQLite file.
var sqliteTemplate struct {
	once  sync.Once
	image []byte
	err   error
}

func sqliteImage(t testing.TB) []byte {
	t.Helper()
	sqliteTemplate.once.Do(func() {
		sqliteTemplate.image, sqliteTemplate.err = migratedSQLiteImage()
	})
	if sqliteTemplate.err != nil {
		t.Fatalf("dbtest: migrated SQLite template: %v", sqliteTemplate.err)
	}
	return sqliteTemplate.image
}

func migratedSQLiteImage() ([]byte, error) {
	dir, err := os.MkdirTemp("", "loyaltyd-dbtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	db, err := models.Open(ctx, models.StoreConfig{DataDir: dir, DBName: "template"}, log)
	if err != nil {
		return nil, err
	}
	err = models.Migrate(ctx, db, migrations.Migrations, log)
	if err == nil {
		// Move everything from the WAL into the main file before copying it.
		_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, "template.sqlite"))
}

// EmptySQLite is SQLite without the migrations.
func EmptySQLite(t testing.TB) *models.DB {
	t.Helper()
	return Open(t, SQLiteConfig(t))
}

// SQLiteConfig names a new SQLite file under t.TempDir().
func SQLiteConfig(t testing.TB) models.StoreConfig {
	t.Helper()
	return models.StoreConfig{DataDir: t.TempDir(), DBName: "test", MaxOpenConns: maxConns}
}

// Postgres returns a migrated store in a schema of its own (t_<random>) on
// the TEST_DATABASE_URL server, dropped when the test ends.
func Postgres(t testing.TB) *models.DB {
	t.Helper()
	db := EmptyPostgres(t)
	Migrate(t, db)
	return db
}

// EmptyPostgres is Postgres without the migrations.
func EmptyPostgres(t testing.TB) *models.DB {
	t.Helper()
	return Open(t, PostgresConfig(t))
}

// PostgresConfig points at a new empty schema (see PostgresURL).
func PostgresConfig(t testing.TB) models.StoreConfig {
	t.Helper()
	return models.StoreConfig{URL: PostgresURL(t), MaxOpenConns: maxConns}
}

// PostgresURL creates an empty schema for the test and returns a URL whose
// connections use it (search_path), for tests that open the store
// themselves, e.g. several instances on one database. The schema is
// dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := serverURL(t, EnvDatabaseURL, "PostgreSQL")
	admin := adminDB(t, base)
	schema := "t_" + randomHex(t, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("dbtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		// t.Context() is already cancelled here.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(context.Background()), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: %s: %v", EnvDatabaseURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Redis returns TEST_REDIS_URL (redis://host:port/db), skipping the test
// when it is unset (failing under CI=true).
func Redis(t testing.TB) string {
	t.Helper()
	return serverURL(t, EnvRedisURL, "Redis")
}

// serverURL reads a server URL from the environment or skips/fails.
func serverURL(t testing.TB, env, what string) string {
	t.Helper()
	v := strings.TrimSpace(os.Getenv(env))
	if v != "" {
		return v
	}
	msg := fmt.Sprintf("dbtest: %s is not set: %s tests NOT RUN (run `make test`, which starts a throw-away %s)",
		env, what, what)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI=true requires every backend")
	}
	t.Skip(msg)
	return ""
}

// Open opens the store cfg names (with the test logger) and closes it when
// the test ends.
func Open(t testing.TB, cfg models.StoreConfig) *models.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := models.Open(ctx, cfg, Logger(t))
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("dbtest: close: %v", err)
		}
	})
	return db
}

// Migrate applies the migrations to db, failing the test on error.
func Migrate(t testing.TB, db *models.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := models.Migrate(ctx, db, migrations.Migrations, Logger(t)); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", db.DialectName(), err)
	}
}

// admin pools, one per server URL, shared by the tests of a package.
var (
	adminMu  sync.Mutex
	adminDBs = map[string]*sql.DB{}
)

func adminDB(t testing.TB, base string) *sql.DB {
	t.Helper()
	adminMu.Lock()
	defer adminMu.Unlock()
	if db, ok := adminDBs[base]; ok {
		return db
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("dbtest: %s: %v", EnvDatabaseURL, err)
	}
	db.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		t.Fatalf("dbtest: cannot reach PostgreSQL at %s: %v", EnvDatabaseURL, err)
	}
	adminDBs[base] = db
	return db
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("dbtest: random: %v", err)
	}
	return hex.EncodeToString(b)
}
