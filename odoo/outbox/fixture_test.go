package outbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
	"github.com/odoo-loyalty/loyaltyd/odoo/outbox"
)

// fix is a store with the outbox on, a fake Odoo with the loyalty models
// (Odoo 18's loyalty.history and the seed addon's), and cards.
type fix struct {
	t       *testing.T
	ctx     context.Context
	db      *models.DB
	svc     *engine.Service
	srv     *odootest.Server
	client  *odoo.Client
	program int64 // the same id locally and in Odoo
	partner int64
	mu      sync.Mutex
	keys    int
}

func newFix(t *testing.T, db *models.DB) *fix {
	t.Helper()
	f := &fix{t: t, ctx: t.Context(), db: db}
	f.srv = odootest.New(t, odootest.Options{})
	f.srv.Install(append([]string{outbox.ModelHistory, "res.partner"}, odootest.SeedModels...)...)
	f.client = newClient(t, f.srv)
	f.svc = engine.New(db, engine.Options{}, dbtest.Logger(t))
	f.svc.EnableOutbox()
	f.program = f.srv.Insert("loyalty.program", map[string]any{"name": "Loyalty"})
	f.partner = f.srv.Insert("res.partner", map[string]any{"name": "Ann"})
	f.exec("INSERT INTO promotion_programs (id, name, program_type) VALUES (?, 'Loyalty', 'loyalty')", f.program)
	f.exec("INSERT INTO res_partner (id, name) VALUES (?, 'Ann')", f.partner)
	return f
}

// newClient is a client of srv that does not retry by itself (the outbox
// does) and waits little.
func newClient(t *testing.T, srv *odootest.Server) *odoo.Client {
	t.Helper()
	c, err := odoo.New(odoo.Config{URL: srv.URL, DB: srv.DB(), Login: srv.Login(), APIKey: srv.Password(),
		MaxAttempts: 1, Timeout: 20 * time.Second}, dbtest.Logger(t))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// deliverer is a deliverer of f's outbox with short backoffs.
func (f *fix) deliverer(db *models.DB, opt outbox.Options) *outbox.Deliverer {
	opt.BackoffMin, opt.BackoffMax = time.Millisecond, 5*time.Millisecond
	opt.Poll = 20 * time.Millisecond
	return outbox.New(db, newClient(f.t, f.srv), opt, dbtest.Logger(f.t))
}

func (f *fix) exec(q string, args ...any) {
	f.t.Helper()
	_, err := f.db.ExecContext(f.ctx, q, args...)
	require.NoError(f.t, err, q)
}

// card creates a local card; known cards exist in Odoo too (points 0).
func (f *fix) card(known bool) int64 {
	f.t.Helper()
	var id int64
	code := fmt.Sprintf("C-%d-%d", time.Now().UnixNano(), f.nextKey())
	if known {
		odooID := f.srv.Insert("loyalty.card", map[string]any{"code": code, "program_id": f.program, "points": 0.0})
		require.NoError(f.t, f.db.QueryRowContext(f.ctx, `INSERT INTO loyalty_cards (id, odoo_card_id, program_id, partner_id,
			code, odoo_points) VALUES (?, ?, ?, ?, ?, 0) RETURNING id`, odooID+1000, odooID, f.program, f.partner, code).Scan(&id))
		return id
	}
	require.NoError(f.t, f.db.QueryRowContext(f.ctx, `INSERT INTO loyalty_cards (id, program_id, partner_id, code)
		VALUES (?, ?, ?, ?) RETURNING id`, 100000+f.nextKey(), f.program, f.partner, code).Scan(&id))
	return id
}

func (f *fix) nextKey() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys++
	return f.keys
}

// earn and redeem book on card through svc.
func (f *fix) earn(svc *engine.Service, card int64, pts string) {
	f.t.Helper()
	require.NoError(f.t, svc.InTx(f.ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := svc.Earn(ctx, tx, engine.Movement{Card: card, Points: decimal.RequireFromString(pts),
			Key: "k" + strconv.Itoa(f.nextKey()), Origin: "Shop/1"})
		return err
	}))
}

func (f *fix) redeem(svc *engine.Service, card int64, pts string) {
	f.t.Helper()
	require.NoError(f.t, svc.InTx(f.ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := svc.Redeem(ctx, tx, engine.Movement{Card: card, Points: decimal.RequireFromString(pts),
			Key: "k" + strconv.Itoa(f.nextKey()), Origin: "Shop/2"})
		return err
	}))
}

// count runs a COUNT query.
func (f *fix) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.db.QueryRowContext(f.ctx, q, args...).Scan(&n), q)
	return n
}

// status counts the events of a status.
func (f *fix) status(s string) int {
	return f.count("SELECT COUNT(*) FROM sync_log WHERE status = ? AND action <> 'conflict'", s)
}

// odooCard reads a local card's Odoo id and balance.
func (f *fix) local(card int64) (odooID int64, points decimal.Decimal) {
	f.t.Helper()
	var oid sql.NullInt64
	var pts any
	require.NoError(f.t, f.db.QueryRowContext(f.ctx, "SELECT odoo_card_id, points FROM loyalty_cards WHERE id = ?", card).
		Scan(&oid, &pts))
	return oid.Int64, dec(f.db, pts)
}

func dec(db *models.DB, v any) decimal.Decimal {
	return models.DecimalOf(db.DialectName() == models.DialectSQLite, v)
}

// odooPoints is the fake's points of its card id.
func (f *fix) odooPoints(odooID int64) decimal.Decimal {
	for _, r := range f.srv.Records("loyalty.card") {
		if r["id"] == odooID {
			p, _ := r["points"].(float64)
			return decimal.NewFromFloat(p).Round(2)
		}
	}
	f.t.Fatalf("no card %d in Odoo", odooID)
	return decimal.Zero
}

// assertConverged checks that Odoo has every card's balance and every
// journal row and lot exactly once (records and external ids), for the
// cards cards.
func (f *fix) assertConverged(cards []int64) {
	f.t.Helper()
	for _, c := range cards {
		oid, pts := f.local(c)
		require.NotZero(f.t, oid, "card %d has no Odoo id", c)
		require.True(f.t, pts.Equal(f.odooPoints(oid)), "card %d: engine %s, Odoo %s", c, pts, f.odooPoints(oid))
	}
	xml := map[string]int{}
	for _, r := range f.srv.Records("ir.model.data") {
		xml[fmt.Sprint(r["module"], ".", r["name"])]++
	}
	for name, n := range xml {
		require.Equal(f.t, 1, n, "external id %s", name)
	}
	hist := f.count("SELECT COUNT(*) FROM point_history")
	lots := f.count("SELECT COUNT(*) FROM point_moves")
	require.Len(f.t, f.srv.Records(outbox.ModelPointHistory), hist)
	require.Len(f.t, f.srv.Records(outbox.ModelHistory), hist)
	require.Len(f.t, f.srv.Records(outbox.ModelPointMove), lots)
	rows, err := f.db.QueryContext(f.ctx, "SELECT id FROM point_history")
	require.NoError(f.t, err)
	defer rows.Close()
	for rows.Next() {
		var id int64
		require.NoError(f.t, rows.Scan(&id))
		require.Equal(f.t, 1, xml["loyaltyd.point_history_"+strconv.FormatInt(id, 10)], "history row %d", id)
		require.Equal(f.t, 1, xml["loyaltyd.loyalty_history_"+strconv.FormatInt(id, 10)], "history row %d", id)
	}
	require.NoError(f.t, rows.Err())
}

// drain delivers until nothing is pending (transient failures retried),
// failing after a generous deadline.
func (f *fix) drain(d *outbox.Deliverer) {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for f.status(engine.SyncPending) > 0 {
		require.True(f.t, time.Now().Before(deadline), "events still pending")
		if _, err := d.DeliverOnce(f.ctx); err != nil {
			f.t.Logf("deliver: %v", err)
		}
	}
}
