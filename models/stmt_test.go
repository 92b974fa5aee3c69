package models

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
)

func TestNumberPlaceholders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`"t0"."id" = ?`, `"t0"."id" = $1`},
		{`a IN (?, ?, ?) AND b = ?`, `a IN ($1, $2, $3) AND b = $4`},
		{`lower(x) LIKE lower(?) ESCAPE '\' AND y = ?`, `lower(x) LIKE lower($1) ESCAPE '\' AND y = $2`},
		{`x = '?' AND "we?ird" = ? AND z = 'it''s ?'`, `x = '?' AND "we?ird" = $1 AND z = 'it''s ?'`},
	} {
		require.Equal(t, tc.want, numberPlaceholders(tc.in), tc.in)
	}
}

func TestPadIDs(t *testing.T) {
	t.Parallel()
	require.Empty(t, padIDs(nil))
	require.Equal(t, []int64{7}, padIDs([]int64{7}))
	require.Equal(t, []int64{1, 2}, padIDs([]int64{1, 2}))
	require.Equal(t, []int64{1, 2, 3, 3}, padIDs([]int64{1, 2, 3}))
	require.Len(t, padIDs(make([]int64, 9)), 16)
	require.Len(t, padIDs(make([]int64, 1000)), 1024)
}

// stmtDB opens a private SQLite store with a small table t(id, v).
func stmtDB(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, StoreConfig{DataDir: t.TempDir(), DBName: "stmt", MaxOpenConns: 4}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	_, err = db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`)
	require.NoError(t, err)
	for i := 1; i <= 20; i++ {
		_, err = db.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`, i, fmt.Sprintf("v%d", i))
		require.NoError(t, err)
	}
	return db
}

// values runs "SELECT v FROM t WHERE id IN (ids)" through eachRow on idb.
func values(t *testing.T, db *DB, idb bun.IDB, ids ...any) []string {
	t.Helper()
	q := "SELECT v FROM t WHERE id IN (?" + repeatPlaceholder(len(ids)-1) + ") ORDER BY id"
	var out []string
	err := db.eachRow(context.Background(), idb, q, ids, func(rows *sql.Rows) error {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	require.NoError(t, err)
	return out
}

func repeatPlaceholder(n int) string {
	s := ""
	for range n {
		s += ", ?"
	}
	return s
}

func TestStmtCache(t *testing.T) {
	t.Parallel()
	db := stmtDB(t)
	ctx := context.Background()

	// One statement per query text, whatever the arguments.
	require.Equal(t, []string{"v1", "v2"}, values(t, db, db.DB, int64(1), int64(2)))
	require.Equal(t, []string{"v3", "v4"}, values(t, db, db.DB, int64(4), int64(3)))
	require.Equal(t, 1, db.stmts.len())

	// Inside a transaction the cached statement is borrowed; the others run
	// unprepared, even when the transaction holds the only connection.
	require.NoError(t, db.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE t SET v = 'changed' WHERE id = 5`)
		require.NoError(t, err)
		require.Equal(t, []string{"changed", "v6"}, values(t, db, tx, int64(5), int64(6)))
		require.Equal(t, []string{"changed", "v6"}, values(t, db, *tx, int64(5), int64(6)))
		require.Equal(t, []string{"v1", "v2", "changed"}, values(t, db, tx, int64(1), int64(2), int64(5)))
		return nil
	}))
	require.Equal(t, 1, db.stmts.len())
	one, err := Open(ctx, StoreConfig{URL: ":memory:"}, nil)
	require.NoError(t, err)
	defer one.Close()
	require.NoError(t, one.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		var n int64
		err := one.eachRow(ctx, tx, "SELECT ? + 1", []any{int64(41)}, func(rows *sql.Rows) error { return rows.Scan(&n) })
		require.Equal(t, int64(42), n)
		return err
	}))

	// Concurrent callers share the statements; the cache stays bounded and
	// evicted statements close after their last use.
	db.stmts.mu.Lock()
	db.stmts.size = 3
	db.stmts.mu.Unlock()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				n := 1 + (g+i)%6
				ids := make([]any, n)
				for k := range ids {
					ids[k] = int64(k + 1)
				}
				if got := values(t, db, db.DB, ids...); len(got) != n {
					t.Errorf("%d ids: %d values", n, len(got))
				}
			}
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, db.stmts.len(), 3)

	// Long argument lists run unprepared.
	long := make([]any, maxStmtArgs+1)
	for i := range long {
		long[i] = int64(i%20 + 1)
	}
	before := db.stmts.len()
	require.Len(t, values(t, db, db.DB, long...), 20)
	require.Equal(t, before, db.stmts.len())

	// Statements of another database, or watched by query hooks, go through bun.
	other := stmtDB(t)
	require.Equal(t, []string{"v7"}, values(t, db, other.DB, int64(7)))
	db.AddQueryHook(nopHook{})
	before = db.stmts.len()
	require.Equal(t, []string{"v8", "v9", "v10", "v11", "v12", "v13", "v14"},
		values(t, db, db.DB, int64(8), int64(9), int64(10), int64(11), int64(12), int64(13), int64(14)))
	require.Equal(t, before, db.stmts.len())

	// Closing the store closes the statements.
	require.NoError(t, db.Close())
	require.Equal(t, 0, db.stmts.len())
	_, err = db.stmts.acquire(ctx, "SELECT 1", true)
	require.ErrorIs(t, err, errStoreClosed)
}

type nopHook struct{}

func (nopHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (nopHook) AfterQuery(context.Context, *bun.QueryEvent)                        {}
