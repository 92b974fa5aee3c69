// Package migrations holds the database schema of loyaltyd as bun
// migrations, one Go migration per schema version.
//
// Each migration executes embedded SQL written once per dialect, because
// PostgreSQL and SQLite store the same values differently (see the storage
// design in package models): for version 20261125000001_init the files are
//
//	20261125000001_init.pg.up.sql       20261125000001_init.pg.down.sql
//	20261125000001_init.sqlite.up.sql   20261125000001_init.sqlite.down.sql
//
// and the Go file 20261125000001_init.go registers them with
// Migrations.MustRegister (bun derives the migration name from that file
// name). Every migration runs in one transaction. bun keeps the applied
// migrations in bun_migrations and its lock in bun_migration_locks.
//
// To add a migration, copy the init Go file under a new timestamped name,
// point it at its own four SQL files, and never edit a migration that has
// shipped.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// Migrations is the set of all schema migrations, applied in name order.
var Migrations = migrate.NewMigrations()

//go:embed *.sql
var sqlFiles embed.FS

// sqlMigration returns the up and down functions of the migration named
// name (the file name prefix, e.g. "20261125000001_init"): each reads
// <name>.<dialect>.<up|down>.sql and executes its statements in one
// transaction.
func sqlMigration(name string) (up, down migrate.MigrationFunc) {
	return sqlMigrationFunc(name, "up"), sqlMigrationFunc(name, "down")
}

func sqlMigrationFunc(name, direction string) migrate.MigrationFunc {
	return func(ctx context.Context, db *bun.DB) error {
		file, err := fileFor(db.Dialect().Name(), name, direction)
		if err != nil {
			return err
		}
		script, err := sqlFiles.ReadFile(file)
		if err != nil {
			return fmt.Errorf("migration %s: %w", file, err)
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i, stmt := range statements(string(script)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migration %s: statement %d: %w", file, i+1, err)
				}
			}
			return nil
		})
	}
}

// fileFor names the SQL file of a migration for a dialect.
func fileFor(d dialect.Name, name, direction string) (string, error) {
	switch d {
	case dialect.PG:
		return name + ".pg." + direction + ".sql", nil
	case dialect.SQLite:
		return name + ".sqlite." + direction + ".sql", nil
	default:
		return "", fmt.Errorf("migration %s: unsupported dialect %s", name, d)
	}
}

// statements splits an SQL script into statements: a statement ends with a
// semicolon at the end of a line. Lines that are only "--" comments are
// dropped. The scripts contain no semicolons inside string literals at line
// ends, so this simple rule is enough.
func statements(script string) []string {
	var (
		out []string
		cur strings.Builder
	)
	for _, line := range strings.Split(script, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}
