package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// lgFix is a ledger test fixture: a store, a service with a settable
// clock, and helpers creating programs, partners and cards.
type lgFix struct {
	t   *testing.T
	ctx context.Context
	db  *models.DB
	svc *engine.Service
	now time.Time
	seq int
}

func lgSetup(t *testing.T, db *models.DB, loc *time.Location) *lgFix {
	t.Helper()
	f := &lgFix{t: t, ctx: t.Context(), db: db, now: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	f.svc = engine.New(db, engine.Options{Now: func() time.Time { return f.now }, Location: loc}, nil)
	return f
}

// exec runs a statement, failing the test on error.
func (f *lgFix) exec(q string, args ...any) {
	f.t.Helper()
	_, err := f.db.ExecContext(f.ctx, q, args...)
	require.NoError(f.t, err, q)
}

// id runs an INSERT ... RETURNING id.
func (f *lgFix) id(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	require.NoError(f.t, f.db.QueryRowContext(f.ctx, q+" RETURNING id", args...).Scan(&id), q)
	return id
}

// program creates a loyalty program with an expiry rule and a tier.
func (f *lgFix) program(interval int64, unit string, tier int64) int64 {
	f.t.Helper()
	var t any
	if tier != 0 {
		t = tier
	}
	return f.id("INSERT INTO promotion_programs (name, program_type, expired_interval, expired_interval_type, membership_product_id) VALUES (?, 'loyalty', ?, ?, ?)",
		fmt.Sprintf("P%d", f.next()), interval, unit, t)
}

func (f *lgFix) partner(tier int64) int64 {
	f.t.Helper()
	var t any
	if tier != 0 {
		t = tier
	}
	return f.id("INSERT INTO res_partner (name, membership_product_id) VALUES (?, ?)", fmt.Sprintf("C%d", f.next()), t)
}

func (f *lgFix) card(program, partner int64) int64 {
	f.t.Helper()
	return f.id("INSERT INTO loyalty_cards (program_id, partner_id, code) VALUES (?, ?, ?)", program, partner,
		fmt.Sprintf("CARD-%d", f.next()))
}

func (f *lgFix) next() int { f.seq++; return f.seq }

// tx runs fn in a write transaction.
func (f *lgFix) tx(fn func(tx bun.IDB) error) error {
	return f.svc.InTx(f.ctx, func(_ context.Context, tx bun.IDB) error { return fn(tx) })
}

func (f *lgFix) earn(m engine.Movement) (engine.Result, error) {
	var r engine.Result
	err := f.tx(func(tx bun.IDB) (err error) { r, err = f.svc.Earn(f.ctx, tx, m); return })
	return r, err
}

func (f *lgFix) redeem(m engine.Movement) (engine.Result, error) {
	var r engine.Result
	err := f.tx(func(tx bun.IDB) (err error) { r, err = f.svc.Redeem(f.ctx, tx, m); return })
	return r, err
}

func (f *lgFix) adjust(m engine.Movement) (engine.Result, error) {
	var r engine.Result
	err := f.tx(func(tx bun.IDB) (err error) { r, err = f.svc.Adjust(f.ctx, tx, m); return })
	return r, err
}

func (f *lgFix) reverse(original string, m engine.Movement) (engine.Result, error) {
	var r engine.Result
	err := f.tx(func(tx bun.IDB) (err error) { r, err = f.svc.Reverse(f.ctx, tx, original, m); return })
	return r, err
}

func (f *lgFix) transfer(from, to, tier int64, key string) (engine.Result, engine.Result, error) {
	var out, in engine.Result
	err := f.tx(func(tx bun.IDB) (err error) {
		out, in, err = f.svc.Transfer(f.ctx, tx, from, to, tier, key, "tier change", time.Time{})
		return
	})
	return out, in, err
}

// state reads a card's summary.
func (f *lgFix) state(card int64) engine.CardState {
	f.t.Helper()
	st, err := f.svc.Card(f.ctx, f.db, card)
	require.NoError(f.t, err)
	return st
}

// check asserts the invariants of cards.
func (f *lgFix) check(cards ...int64) {
	f.t.Helper()
	for _, c := range cards {
		require.NoError(f.t, engine.CheckInvariants(f.ctx, f.db, c))
	}
}

// lotRow is a lot as the tests look at it.
type lotRow struct {
	Remaining string
	State     string
	Exp       string // UTC "2006-01-02 15:04:05" or ""
}

// lots reads a card's lots by id.
func (f *lgFix) lots(card int64) []lotRow {
	f.t.Helper()
	rows, err := f.db.QueryContext(f.ctx, "SELECT remaining_point, state, expiration_date FROM point_moves WHERE loyalty_card_id = ? ORDER BY id", card)
	require.NoError(f.t, err)
	defer rows.Close()
	var out []lotRow
	for rows.Next() {
		var rem, exp any
		var r lotRow
		require.NoError(f.t, rows.Scan(&rem, &r.State, &exp))
		r.Remaining = lgDec(f.db, rem).String()
		r.Exp = lgTime(exp)
		out = append(out, r)
	}
	require.NoError(f.t, rows.Err())
	return out
}

// journal reads a card's journal as "kind amount balance lot_amount" lines.
func (f *lgFix) journal(card int64) []string {
	f.t.Helper()
	rows, err := f.db.QueryContext(f.ctx, "SELECT seq, kind, points_amount, points_balance, lot_amount FROM point_history WHERE loyalty_card_id = ? ORDER BY seq", card)
	require.NoError(f.t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var seq int64
		var kind string
		var a, b, l any
		require.NoError(f.t, rows.Scan(&seq, &kind, &a, &b, &l))
		out = append(out, fmt.Sprintf("%d %s %s %s %s", seq, kind, lgDec(f.db, a), lgDec(f.db, b), lgDec(f.db, l)))
	}
	require.NoError(f.t, rows.Err())
	return out
}

// lgDec turns a scanned decimal column into a decimal.
func lgDec(db *models.DB, v any) decimal.Decimal {
	return models.DecimalOf(db.DialectName() == models.DialectSQLite, v)
}

func lgTime(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.Format(models.DatetimeLayout)
	case string:
		return x
	case []byte:
		return string(x)
	}
	panic(fmt.Sprintf("time of %T", v))
}

// lgD is a decimal from a string.
func lgD(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// lgDay is a UTC time.
func lgDay(y int, m time.Month, dd, h, mi int) time.Time {
	return time.Date(y, m, dd, h, mi, 0, 0, time.UTC)
}
