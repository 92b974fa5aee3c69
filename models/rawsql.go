package models

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// Raw statements with real bind parameters, for the hot paths that write
// SQL by hand (the points engine). The query texts must be constant (no
// values in them) so that they cache:
//
//   - on PostgreSQL the "?" placeholders become $1..$n and the statement
//     runs in pgx's cache-statement mode, whatever the connection's default
//     (the simple protocol, for bun's inlined statements): pgx prepares it
//     on the connection the first time and reuses it, so the server parses
//     and plans it once per connection, in or out of a transaction;
//   - on SQLite a statement already in the reader's cache (stmt.go) is
//     used; a statement missing from it is prepared on the database in the
//     background (a transaction holds the single writer connection and
//     must not wait for another), run unprepared meanwhile.
//
// With query hooks registered on the bun.DB (tests counting statements,
// debug logging) or an idb of another kind the statement goes through bun,
// which inlines the arguments: arguments must then be of types bun
// formats (integers, strings, nil, booleans).
//
// Arguments are bound as they are: decimals and datetimes must already be
// in the column representation of the dialect (see column.go).

// Query runs query ("?" placeholders) with args on idb (this database or
// one of its transactions) and calls scan for every row.
func (d *DB) Query(ctx context.Context, idb bun.IDB, query string, args []any, scan func(*sql.Rows) error) error {
	rows, release, err := d.rawQuery(ctx, idb, query, args)
	if err != nil {
		return err
	}
	defer release()
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// QueryRow runs query with args on idb and scans its first row into dest;
// sql.ErrNoRows when it returns none.
func (d *DB) QueryRow(ctx context.Context, idb bun.IDB, query string, args []any, dest ...any) error {
	found := false
	err := d.Query(ctx, idb, query, args, func(rows *sql.Rows) error {
		if found {
			return nil
		}
		found = true
		return rows.Scan(dest...)
	})
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	return err
}

// Exec runs a statement ("?" placeholders) with args on idb.
func (d *DB) Exec(ctx context.Context, idb bun.IDB, query string, args ...any) (sql.Result, error) {
	r, ok := d.raw(idb)
	switch {
	case !ok:
		return idb.ExecContext(ctx, query, args...)
	case d.stmts.pg:
		return r.exec(ctx, pgText(query), pgArgs(args)...)
	}
	cs, err := d.liteStmt(ctx, query, r.tx == nil, len(args))
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return r.exec(ctx, query, args...)
	}
	defer d.stmts.release(cs)
	if r.tx != nil {
		st := r.tx.StmtContext(ctx, cs.stmt)
		defer st.Close()
		return st.ExecContext(ctx, args...)
	}
	return cs.stmt.ExecContext(ctx, args...)
}

// rawQuery starts query; release must be called once the rows are closed.
func (d *DB) rawQuery(ctx context.Context, idb bun.IDB, query string, args []any) (*sql.Rows, func(), error) {
	nop := func() {}
	r, ok := d.raw(idb)
	switch {
	case !ok:
		rows, err := idb.QueryContext(ctx, query, args...)
		return rows, nop, err
	case d.stmts.pg:
		rows, err := r.query(ctx, pgText(query), pgArgs(args)...)
		return rows, nop, err
	}
	cs, err := d.liteStmt(ctx, query, r.tx == nil, len(args))
	if err != nil {
		return nil, nop, err
	}
	if cs == nil {
		rows, err := r.query(ctx, query, args...)
		return rows, nop, err
	}
	if r.tx != nil {
		st := r.tx.StmtContext(ctx, cs.stmt)
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			_ = st.Close()
			d.stmts.release(cs)
			return nil, nop, err
		}
		return rows, func() { _ = st.Close(); d.stmts.release(cs) }, nil
	}
	rows, err := cs.stmt.QueryContext(ctx, args...)
	if err != nil {
		d.stmts.release(cs)
		return nil, nop, err
	}
	return rows, func() { d.stmts.release(cs) }, nil
}

// rawConn is where a raw statement runs: the pool or a transaction.
type rawConn struct {
	db *sql.DB
	tx *sql.Tx
}

func (r rawConn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if r.tx != nil {
		return r.tx.QueryContext(ctx, q, args...)
	}
	return r.db.QueryContext(ctx, q, args...)
}

func (r rawConn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if r.tx != nil {
		return r.tx.ExecContext(ctx, q, args...)
	}
	return r.db.ExecContext(ctx, q, args...)
}

// raw returns the database/sql handle under idb, false when the statement
// must go through bun instead.
func (d *DB) raw(idb bun.IDB) (rawConn, bool) {
	if d.stmts == nil || hasQueryHooks(d.DB) {
		return rawConn{}, false
	}
	switch x := idb.(type) {
	case *DB:
		if x == d {
			return rawConn{db: d.DB.DB}, true
		}
	case *bun.DB:
		if x.DB == d.DB.DB {
			return rawConn{db: x.DB}, true
		}
	case *bun.Tx:
		return rawConn{tx: x.Tx}, x.Tx != nil
	case bun.Tx:
		return rawConn{tx: x.Tx}, x.Tx != nil
	}
	return rawConn{}, false
}

// pgArgs puts pgx's cache-statement mode before args.
func pgArgs(args []any) []any {
	out := make([]any, 0, len(args)+1)
	out = append(out, pgx.QueryExecModeCacheStatement)
	return append(out, args...)
}

// pgTexts memoises the $n texts of the raw statements (constant texts:
// few of them; cleared if a caller builds texts with values anyway).
var pgTexts sync.Map

const pgTextsMax = 4096

var pgTextsLen struct {
	sync.Mutex
	n int
}

func pgText(query string) string {
	if t, ok := pgTexts.Load(query); ok {
		return t.(string)
	}
	t := numberPlaceholders(query)
	pgTextsLen.Lock()
	if pgTextsLen.n >= pgTextsMax {
		pgTexts.Clear()
		pgTextsLen.n = 0
	}
	pgTextsLen.n++
	pgTextsLen.Unlock()
	pgTexts.Store(query, t)
	return t
}

// liteStmt returns the cached SQLite statement of query, preparing it now
// when outside a transaction (prepare), else in the background; nil: run
// it unprepared.
func (d *DB) liteStmt(ctx context.Context, query string, prepare bool, nargs int) (*cachedStmt, error) {
	if nargs > maxStmtArgs {
		return nil, nil
	}
	cs, err := d.stmts.acquire(ctx, query, prepare)
	if err != nil || cs != nil || prepare {
		return cs, err
	}
	d.stmts.prepareLater(query)
	return nil, nil
}

// pendingPrepares are the statements being prepared in the background,
// by cache and query.
var pendingPrepares sync.Map // of pendingKey -> struct{}

type pendingKey struct {
	c *stmtCache
	q string
}

// prepareLater prepares query on the database in the background, once.
func (c *stmtCache) prepareLater(query string) {
	k := pendingKey{c, query}
	if _, busy := pendingPrepares.LoadOrStore(k, struct{}{}); busy {
		return
	}
	go func() {
		defer pendingPrepares.Delete(k)
		cs, err := c.acquire(context.Background(), query, true)
		if err == nil && cs != nil {
			c.release(cs)
		}
	}()
}
