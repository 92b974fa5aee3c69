package pull_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
	"github.com/odoo-loyalty/loyaltyd/odoo/pull"
)

// relations are the many2one fields the fake renders as [id, name].
var relations = map[string]map[string]string{
	"res.partner":      {"company_id": "res.company", "membership_product_id": "product.product"},
	"product.product":  {"categ_id": "product.category"},
	"product.category": {"parent_id": "product.category"},
	"loyalty.rule":     {"program_id": "loyalty.program"},
	"loyalty.reward":   {"program_id": "loyalty.program", "reward_product_id": "product.product"},
}

// clock is the fake Odoo's settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// fixture is a fake Odoo, a migrated store and a puller between them.
type fixture struct {
	srv   *odootest.Server
	db    *models.DB
	clk   *clock
	p     *pull.Puller
	ctx   context.Context
	cache *memCache
}

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, db *models.DB, opt pull.Options) *fixture {
	t.Helper()
	clk := &clock{t: t0}
	srv := odootest.New(t, odootest.Options{Relations: relations, Clock: clk.now,
		Models: append([]string{"res.company"}, odootest.DefaultModels...)})
	srv.Fields("res.partner", map[string]string{"name": "char", "email": "char", "active": "boolean",
		"membership_product_id": "many2one", "company_id": "many2one", "phone": "char"})
	srv.Fields("product.product", map[string]string{"name": "char", "active": "boolean", "categ_id": "many2one",
		"list_price": "float", "lst_price": "float", "default_code": "char"})
	srv.Fields("product.category", map[string]string{"name": "char", "parent_id": "many2one"})
	srv.Fields("loyalty.program", map[string]string{"name": "char", "active": "boolean", "program_type": "selection"})
	srv.Fields("loyalty.rule", map[string]string{"program_id": "many2one", "active": "boolean",
		"product_ids": "many2many", "minimum_qty": "integer"})
	srv.Fields("loyalty.reward", map[string]string{"program_id": "many2one", "active": "boolean",
		"reward_type": "selection", "description": "char", "required_points": "float"})
	c, err := odoo.New(odoo.Config{URL: srv.URL, DB: srv.DB(), Login: srv.Login(), APIKey: srv.Password(),
		MaxAttempts: 1}, nil)
	require.NoError(t, err)
	reg := models.NewRegistry(db, nil)
	reg.MustRegister(models.Builtin()...)
	mc := &memCache{deleted: map[string]int{}}
	opt.Cache = mc
	if opt.WebhookDelay == 0 {
		opt.WebhookDelay = -1
	}
	return &fixture{srv: srv, db: db, clk: clk, p: pull.New(db, reg, c, opt, dbtest.Logger(t)),
		ctx: context.Background(), cache: mc}
}

// memCache records deletions.
type memCache struct {
	mu      sync.Mutex
	deleted map[string]int
}

func (m *memCache) Get(context.Context, string) ([]byte, bool)         { return nil, false }
func (m *memCache) Set(context.Context, string, []byte, time.Duration) {}
func (m *memCache) Delete(_ context.Context, keys ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		m.deleted[k]++
	}
}

func (m *memCache) count(key string) int { m.mu.Lock(); defer m.mu.Unlock(); return m.deleted[key] }

// partner reads a local partner's name, active flag and membership product.
type partnerRow struct {
	Name   string
	Active bool
	Tier   int64
}

func (f *fixture) partner(t *testing.T, id int64) (partnerRow, bool) {
	t.Helper()
	var r partnerRow
	var tier sql.NullInt64
	err := f.db.QueryRowContext(f.ctx, `SELECT name, active, membership_product_id FROM res_partner WHERE id = ?`, id).
		Scan(&r.Name, &r.Active, &tier)
	if err == sql.ErrNoRows {
		return r, false
	}
	require.NoError(t, err)
	r.Tier = tier.Int64
	return r, true
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, f.db.QueryRowContext(f.ctx, query, args...).Scan(&n))
	return n
}

func (f *fixture) pull(t *testing.T) pull.Stats {
	t.Helper()
	st, err := f.p.Pull(f.ctx)
	require.NoError(t, err)
	return st
}

// TestCursorMissesNothing changes records in the middle of a pull, between
// its pages: a late commit (a write_date inside the range the pull has
// already read: Odoo's write_date is the transaction's start), an update
// of a record already read, and new records after the range. The next pull
// (rewound by the overlap window) gets every change; one more pull with
// nothing new writes nothing.
func TestCursorMissesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		var f *fixture
		var lateID int64
		midPull := func(model string, page int) {
			if model != "res.partner" || page != 1 || lateID != 0 {
				return
			}
			// Page 1 read up to t0+20s. A transaction that began at t0+15s
			// commits now: its write_date is behind the cursor.
			f.clk.set(t0.Add(15 * time.Second))
			lateID = f.srv.Insert("res.partner", map[string]any{"name": "late", "active": true})
			f.srv.Write("res.partner", 1, map[string]any{"name": "p1 changed late"})
			// And changes after the range.
			f.clk.set(t0.Add(100 * time.Second))
			f.srv.Insert("res.partner", map[string]any{"name": "after", "active": true})
			f.srv.Write("res.partner", 2, map[string]any{"name": "p2 changed after"})
		}
		f = newFixture(t, db, pull.Options{PageSize: 2, Overlap: 2 * time.Minute, AfterPage: midPull})
		for i, name := range []string{"p1", "p2", "p3", "p4", "p5"} {
			f.clk.set(t0.Add(time.Duration(i) * 20 * time.Second))
			f.srv.Insert("res.partner", map[string]any{"name": name, "active": true})
		}
		f.clk.set(t0.Add(90 * time.Second))

		first := f.pull(t)
		require.Equal(t, 7, first.Written, "p1..p5, after, and p2 again")
		_, ok := f.partner(t, lateID)
		require.False(t, ok, "the late commit is behind the first pull's cursor")
		got, _ := f.partner(t, 2)
		require.Equal(t, "p2 changed after", got.Name)

		second := f.pull(t)
		require.Equal(t, 2, second.Written, "the late record and p1's late change")
		for _, r := range f.srv.Records("res.partner") {
			got, ok := f.partner(t, r["id"].(int64))
			require.True(t, ok, "partner %d missing", r["id"])
			require.Equal(t, r["name"], got.Name)
		}
		require.Equal(t, 7, f.count(t, `SELECT count(*) FROM res_partner WHERE odoo_write_date IS NOT NULL`))

		third := f.pull(t)
		require.Zero(t, third.Written, "a pull with nothing new writes nothing")
		require.Positive(t, third.Read, "the overlap window re-reads")
		cur, err := f.p.Cursor(f.ctx, "res.partner")
		require.NoError(t, err)
		require.Equal(t, t0.Add(100*time.Second), cur.WriteDate, "the cursor never moves back")
	})
}

// TestCursorResumesAfterCrash: the cursor is stored with each page, so a
// pull that fails half way resumes without reading everything again.
func TestCursorResumesAfterCrash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFixture(t, db, pull.Options{PageSize: 2, Overlap: time.Second})
		for i := range 6 {
			f.clk.set(t0.Add(time.Duration(i) * time.Minute))
			f.srv.Insert("res.partner", map[string]any{"name": "p", "active": true})
		}
		var pages int
		f2 := newFixtureFrom(t, f, pull.Options{PageSize: 2, Overlap: time.Second, AfterPage: func(m string, page int) {
			if m == "res.partner" {
				pages++
				if pages == 2 {
					f.srv.Fault("res.partner", "search_read", 2, "odoo.exceptions.UserError", "boom")
				}
			}
		}})
		_, err := f2.Pull(f.ctx)
		require.Error(t, err)
		require.Equal(t, 4, f.count(t, `SELECT count(*) FROM res_partner WHERE odoo_write_date IS NOT NULL`))
		cur, err := f.p.Cursor(f.ctx, "res.partner")
		require.NoError(t, err)
		require.Equal(t, t0.Add(3*time.Minute), cur.WriteDate)

		f.srv.ClearFaults()
		st := f.pull(t)
		require.Equal(t, 2, st.Written)
		require.LessOrEqual(t, st.Read, 3, "resumed from the stored cursor")
	})
}

// newFixtureFrom makes a second puller on f's store and fake.
func newFixtureFrom(t *testing.T, f *fixture, opt pull.Options) *pull.Puller {
	c, err := odoo.New(odoo.Config{URL: f.srv.URL, DB: f.srv.DB(), Login: f.srv.Login(), APIKey: f.srv.Password(),
		MaxAttempts: 1}, nil)
	require.NoError(t, err)
	reg := models.NewRegistry(f.db, nil)
	reg.MustRegister(models.Builtin()...)
	return pull.New(f.db, reg, c, opt, dbtest.Logger(t))
}
