package models

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/uptrace/bun"
)

// Prepared statements. The reader's queries (searches, rows by id,
// display names, x2many links, counts) run with real bind parameters
// through statements prepared once and kept in a bounded cache on DB, so
// that neither SQLite nor PostgreSQL parses and plans the same statement on
// every call. A statement prepared on the *sql.DB is safe for concurrent
// use: database/sql prepares it again on each connection that runs it, and
// a transaction borrows it with Tx.StmtContext. The other statements go
// through bun, which inlines the arguments into the SQL text.

// stmtCacheSize bounds the prepared statements one DB keeps.
const stmtCacheSize = 512

// maxStmtArgs bounds the arguments of a cached statement: longer queries
// (a client's long list of ids) are one-offs, run unprepared.
const maxStmtArgs = 1024

// errStoreClosed is the error of a query on a closed DB.
var errStoreClosed = errors.New("store is closed")

// stmtCache maps query texts (as compiled, with "?" placeholders) to
// statements prepared on db, least recently used first out.
type stmtCache struct {
	db     *sql.DB
	pg     bool // placeholders are $1..$n
	size   int  // most statements kept
	mu     sync.Mutex
	byKey  map[string]*list.Element // of *cachedStmt
	lru    list.List                // most recently used at the front
	closed bool
}

// cachedStmt is one prepared statement; refs counts the callers between
// acquire and release, so an evicted statement closes after its last use.
type cachedStmt struct {
	key     string
	stmt    *sql.Stmt
	refs    int
	evicted bool
}

func newStmtCache(db *sql.DB, dialect string) *stmtCache {
	return &stmtCache{db: db, pg: dialect == DialectPG, size: stmtCacheSize, byKey: make(map[string]*list.Element)}
}

// acquire returns the statement of query, preparing it on a miss when
// prepare is set (nil otherwise). The caller must release it once the
// query has started.
func (c *stmtCache) acquire(ctx context.Context, query string, prepare bool) (*cachedStmt, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errStoreClosed
	}
	if e, ok := c.byKey[query]; ok {
		c.lru.MoveToFront(e)
		cs := e.Value.(*cachedStmt)
		cs.refs++
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()
	if !prepare {
		return nil, nil
	}
	stmt, err := c.db.PrepareContext(ctx, c.text(query))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		_ = stmt.Close()
		return nil, errStoreClosed
	}
	if e, ok := c.byKey[query]; ok { // prepared meanwhile by another caller
		c.lru.MoveToFront(e)
		cs := e.Value.(*cachedStmt)
		cs.refs++
		c.mu.Unlock()
		_ = stmt.Close()
		return cs, nil
	}
	cs := &cachedStmt{key: query, stmt: stmt, refs: 1}
	c.byKey[query] = c.lru.PushFront(cs)
	var drop []*sql.Stmt
	for c.lru.Len() > c.size {
		old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.byKey, old.key)
		old.evicted = true
		if old.refs == 0 {
			drop = append(drop, old.stmt)
		}
	}
	c.mu.Unlock()
	for _, s := range drop {
		_ = s.Close()
	}
	return cs, nil
}

// text is query with the placeholders of the dialect.
func (c *stmtCache) text(query string) string {
	if c.pg {
		return numberPlaceholders(query)
	}
	return query
}

// release ends a use of cs; an evicted statement closes with its last use.
func (c *stmtCache) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.refs--
	drop := cs.evicted && cs.refs == 0
	c.mu.Unlock()
	if drop {
		_ = cs.stmt.Close()
	}
}

// close closes every statement; later acquires fail.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	stmts := make([]*sql.Stmt, 0, c.lru.Len())
	for e := c.lru.Front(); e != nil; e = e.Next() {
		stmts = append(stmts, e.Value.(*cachedStmt).stmt)
	}
	c.lru.Init()
	clear(c.byKey)
	c.mu.Unlock()
	for _, s := range stmts {
		_ = s.Close()
	}
}

// len is the number of cached statements.
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// numberPlaceholders rewrites the "?" placeholders of a compiled query as
// PostgreSQL's $1..$n, leaving quoted literals and identifiers alone.
func numberPlaceholders(q string) string {
	if strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0 // a doubled quote reopens at once: same result
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// queryHooksField locates bun.DB's query hooks (unexported), so that the
// reader can tell whether someone watches the statements bun runs.
var queryHooksField = func() []int {
	f, ok := reflect.TypeFor[bun.DB]().FieldByName("queryHooks")
	if !ok || f.Type.Kind() != reflect.Slice {
		return nil
	}
	return f.Index
}()

// hasQueryHooks reports whether query hooks are registered on db (tests
// count statements with them, debug logging prints them). Prepared
// statements bypass bun, so the reader then goes through bun instead.
func hasQueryHooks(db *bun.DB) bool {
	if queryHooksField == nil || db == nil {
		return false
	}
	return reflect.ValueOf(db).Elem().FieldByIndex(queryHooksField).Len() > 0
}

// eachRow runs query (compiled, "?" placeholders) with args on idb (this
// database or one of its transactions) and calls scan for every row.
// It uses a cached prepared statement when it can and bun otherwise.
func (d *DB) eachRow(ctx context.Context, idb bun.IDB, query string, args []any, scan func(*sql.Rows) error) error {
	var tx *sql.Tx
	direct := d.stmts != nil && !hasQueryHooks(d.DB)
	if direct {
		switch x := idb.(type) {
		case *bun.DB:
			direct = x.DB == d.DB.DB
		case *bun.Tx:
			tx = x.Tx
		case bun.Tx:
			tx = x.Tx
		default:
			direct = false
		}
	}
	var rows *sql.Rows
	var err error
	if !direct {
		rows, err = idb.QueryContext(ctx, query, args...)
	} else {
		// Preparing takes a connection of the pool, which a transaction
		// holding one must not wait for: it borrows cached statements and
		// runs the others unprepared.
		var cs *cachedStmt
		if len(args) <= maxStmtArgs {
			if cs, err = d.stmts.acquire(ctx, query, tx == nil); err != nil {
				return err
			}
		}
		switch {
		case cs == nil && tx == nil:
			rows, err = d.DB.DB.QueryContext(ctx, d.stmts.text(query), args...)
		case cs == nil:
			rows, err = tx.QueryContext(ctx, d.stmts.text(query), args...)
		case tx != nil:
			st := tx.StmtContext(ctx, cs.stmt)
			rows, err = st.QueryContext(ctx, args...)
			defer st.Close()
		default:
			rows, err = cs.stmt.QueryContext(ctx, args...)
		}
		if cs != nil {
			d.stmts.release(cs)
		}
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Close closes the cached statements and the database.
func (d *DB) Close() error {
	if d.stmts != nil {
		d.stmts.close()
	}
	return d.DB.Close()
}
