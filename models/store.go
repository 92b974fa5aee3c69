package models

import (
	"context"
	"sync"

	"github.com/uptrace/bun"
)

// DB is the store: a bun database on PostgreSQL or SQLite. Writes go
// through WriteTx, which serialises writers on SQLite (one writer at a time,
// as SQLite allows) and relies on row locks on PostgreSQL. The reader's
// queries run as prepared statements cached on the DB (see stmt.go).
type DB struct {
	*bun.DB
	writeMu *sync.Mutex // non-nil on SQLite
	stmts   *stmtCache  // set by Open; nil: every query goes through bun
}

// Tx is a write transaction.
type Tx = bun.Tx

// WriteTx runs fn in a transaction, committed when fn returns nil.
// Functions registered with AfterCommit run after the commit.
func (d *DB) WriteTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	ctx, hooks := withCommitHooks(ctx)
	if err := d.writeTx(ctx, fn); err != nil {
		return err
	}
	hooks.run(ctx)
	return nil
}

func (d *DB) writeTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if d.writeMu != nil {
		d.writeMu.Lock()
		defer d.writeMu.Unlock()
	}
	return d.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(ctx, &tx)
	})
}
