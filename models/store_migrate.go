package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun/migrate"
)

// migrateLockWait bounds how long Migrate waits for bun's migration lock
// row once it holds the database-wide lock; a row still there after that
// was left by a migrator that died.
const migrateLockWait = 15 * time.Second

// Migrate applies the pending schema migrations of set (the embedded
// migrations.Migrations; passed in so that models imports none of the
// project's packages), each in its own transaction. Running it on an up-to-date database does nothing.
//
// Several processes may call Migrate on one database at the same time: on
// PostgreSQL they queue on a session advisory lock (per schema) before
// touching bun's tables, and on SQLite the process's write lock serialises
// them; the later ones then find nothing to do. A migration is recorded as
// applied only after it succeeded.
func Migrate(ctx context.Context, db *DB, set *migrate.Migrations, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if db.writeMu != nil {
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	release, err := advisoryLock(ctx, db, log)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer release()

	m := migrate.NewMigrator(db.DB, set, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("migrate: init: %w", err)
	}
	if err := lockMigrator(ctx, m); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	group, err := m.Migrate(ctx)
	unlockErr := m.Unlock(context.WithoutCancel(ctx))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if unlockErr != nil {
		return fmt.Errorf("migrate: unlock: %w", unlockErr)
	}
	if group.IsZero() {
		log.Debug("schema up to date", slog.String("dialect", db.DialectName()))
		return nil
	}
	names := make([]string, 0, len(group.Migrations))
	for _, mg := range group.Migrations {
		names = append(names, mg.Name+"_"+mg.Comment)
	}
	log.Info("schema migrated", slog.String("dialect", db.DialectName()),
		slog.Int64("group", group.ID), slog.Any("migrations", names))
	return nil
}

// lockMigrator takes bun's lock row, retrying while another migrator holds
// it (only possible when that one does not use Migrate's outer lock).
func lockMigrator(ctx context.Context, m *migrate.Migrator) error {
	deadline := time.Now().Add(migrateLockWait)
	delay := 50 * time.Millisecond
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		if !IsUniqueViolation(err) {
			return fmt.Errorf("lock: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lock: bun_migration_locks still holds a lock after %s; "+
				"if no other loyaltyd is migrating this database, a migrator died: delete that row: %w",
				migrateLockWait, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("lock: %w", ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Second)
	}
}

// advisoryLock serialises migrators on PostgreSQL with a session advisory
// lock keyed on the current schema, held on a dedicated connection until
// release is called (or the connection dies with its process). On SQLite
// it does nothing.
func advisoryLock(ctx context.Context, db *DB, log *slog.Logger) (release func(), err error) {
	if db.DialectName() != DialectPG {
		return func() {}, nil
	}
	const key = "hashtextextended(coalesce(current_schema(), '') || '.bun_migrations', 0)"
	conn, err := db.DB.DB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("advisory lock: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock("+key+")").Scan(&got); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("advisory lock: %w", err)
	}
	if !got {
		log.Info("waiting for another process to finish migrating")
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("advisory lock: %w", err)
		}
	}
	return func() { unlockAdvisory(context.WithoutCancel(ctx), conn, key, log) }, nil
}

func unlockAdvisory(ctx context.Context, conn *sql.Conn, key string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock("+key+")")
	if err != nil {
		// Discarding the session releases the lock with it.
		log.Warn("advisory unlock failed", slog.Any("error", err))
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	_ = conn.Close()
}
