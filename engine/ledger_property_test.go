package engine_test

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// An independent in-memory model of the ledger rules, for the property
// test: lots per card, debt, first-expiring-first spending, expiry,
// reversal (rule A) and transfer, written from the rules, not from the
// engine's code.

type mLot struct {
	idx       int // creation order (matches the store's id order)
	card      int
	gain      time.Time
	exp       *time.Time
	remaining decimal.Decimal
	state     string
}

type mCard struct {
	interval int // days; 0: lifetime
	debt     decimal.Decimal
}

// mOp is what an operation did, for its reversal.
type mOp struct {
	kind     string // earn, redeem, adjust
	card     int
	positive bool
	lot      *mLot // earn-like: the lot created
	points   decimal.Decimal
	taken    []mTake // redeem-like: from which lots
	debt     decimal.Decimal
	reversed bool
}

type mTake struct {
	lot *mLot
	x   decimal.Decimal
}

type model struct {
	cards []*mCard
	lots  []*mLot
	ops   map[string]*mOp
	now   time.Time
}

// clone copies the lots and cards (for a dry run).
func (m *model) clone() *model {
	n := &model{ops: m.ops, now: m.now}
	for _, c := range m.cards {
		cc := *c
		n.cards = append(n.cards, &cc)
	}
	for _, l := range m.lots {
		ll := *l
		n.lots = append(n.lots, &ll)
	}
	return n
}

func (m *model) balance(c int) decimal.Decimal {
	b := m.cards[c].debt.Neg()
	for _, l := range m.lots {
		if l.card == c && l.state == "active" {
			b = b.Add(l.remaining)
		}
	}
	return b
}

func fefo(a, b *mLot) int {
	if (a.exp == nil) != (b.exp == nil) {
		if a.exp == nil {
			return 1
		}
		return -1
	}
	if a.exp != nil && !a.exp.Equal(*b.exp) {
		return a.exp.Compare(*b.exp)
	}
	if !a.gain.Equal(b.gain) {
		return a.gain.Compare(b.gain)
	}
	return cmp.Compare(a.idx, b.idx)
}

// spendable lists c's lots usable now, first expiring first.
func (m *model) spendable(c int, exclude *mLot) []*mLot {
	var out []*mLot
	for _, l := range m.lots {
		if l.card == c && l != exclude && l.state == "active" && l.remaining.IsPositive() && (l.exp == nil || !l.exp.Before(m.now)) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, fefo)
	return out
}

func (m *model) take(l *mLot, x decimal.Decimal) {
	l.remaining = l.remaining.Sub(x)
	if l.remaining.IsZero() {
		l.state = "depleted"
	}
}

// spend takes need from c's spendable lots; it returns what it took and
// the shortfall. With dry it changes nothing.
func (m *model) spend(c int, need decimal.Decimal, exclude *mLot, dry bool) ([]mTake, decimal.Decimal) {
	var taken []mTake
	for _, l := range m.spendable(c, exclude) {
		if !need.IsPositive() {
			break
		}
		x := decimal.Min(need, l.remaining)
		if !dry {
			m.take(l, x)
		}
		taken = append(taken, mTake{l, x})
		need = need.Sub(x)
	}
	return taken, need
}

func (m *model) newLot(c int, p decimal.Decimal, gain time.Time, exp *time.Time) *mLot {
	l := &mLot{idx: len(m.lots), card: c, gain: gain, exp: exp, remaining: p, state: "active"}
	m.lots = append(m.lots, l)
	if x := decimal.Min(m.cards[c].debt, p); x.IsPositive() {
		m.take(l, x)
		m.cards[c].debt = m.cards[c].debt.Sub(x)
	}
	return l
}

func (m *model) ruleExpiry(c int) *time.Time {
	n := m.cards[c].interval
	if n == 0 {
		return nil
	}
	y, mo, d := m.now.Date()
	t := time.Date(y, mo, d+n, 23, 59, 59, 0, time.UTC)
	return &t
}

func (m *model) expire(asOf time.Time) {
	for _, l := range m.lots {
		if l.state == "active" && l.remaining.IsPositive() && l.exp != nil && l.exp.Before(asOf) {
			l.remaining, l.state = decimal.Zero, "expired"
		}
	}
}

func (m *model) settle(c int) {
	mc := m.cards[c]
	taken, _ := m.spend(c, mc.debt, nil, false)
	for _, t := range taken {
		mc.debt = mc.debt.Sub(t.x)
	}
}

func (m *model) transfer(from, to int) {
	m.settle(from)
	var moving []*mLot
	for _, l := range m.lots {
		if l.card == from && l.state == "active" && l.remaining.IsPositive() {
			moving = append(moving, l)
		}
	}
	slices.SortFunc(moving, fefo)
	for _, l := range moving {
		x := l.remaining
		m.take(l, x)
		m.lots = append(m.lots, &mLot{idx: len(m.lots), card: to, gain: l.gain, exp: l.exp, remaining: x, state: "active"})
	}
	m.cards[to].debt = m.cards[to].debt.Add(m.cards[from].debt)
	m.cards[from].debt = decimal.Zero
	m.settle(to)
}

func (m *model) reverse(op *mOp) {
	op.reversed = true
	c := m.cards[op.card]
	if op.positive {
		rest := op.points
		l := op.lot
		if l.state == "active" && l.remaining.IsPositive() {
			x := decimal.Min(rest, l.remaining)
			m.take(l, x)
			rest = rest.Sub(x)
		}
		_, short := m.spend(op.card, rest, l, false)
		c.debt = c.debt.Add(short)
		return
	}
	for _, t := range op.taken {
		if t.lot.state == "expired" || (t.lot.exp != nil && t.lot.exp.Before(m.now)) {
			continue // given back and expired again at once
		}
		t.lot.remaining = t.lot.remaining.Add(t.x)
		t.lot.state = "active"
	}
	if op.debt.IsPositive() {
		r := decimal.Min(op.debt, c.debt)
		c.debt = c.debt.Sub(r)
		if rest := op.debt.Sub(r); rest.IsPositive() {
			m.newLot(op.card, rest, m.now, m.ruleExpiry(op.card))
		}
	}
	m.settle(op.card)
}

// TestLedgerProperty runs seeded random sequences of operations on both
// stores, checking the invariants and the model after every step.
func TestLedgerProperty(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, db *models.DB) {
				t.Parallel()
				lgProperty(t, db, seed, 250)
			})
		})
	}
}

func lgProperty(t *testing.T, db *models.DB, seed uint64, steps int) {
	f := lgSetup(t, db, nil)
	rng := rand.New(rand.NewPCG(seed, 42))
	p, q := f.partner(0), f.partner(0)
	m := &model{ops: map[string]*mOp{}, now: f.now}
	intervals := []int{30, 0, 60}
	cards := []int64{f.card(f.program(30, "days", 0), p), f.card(f.program(0, "", 0), p), f.card(f.program(60, "days", 0), q)}
	for _, n := range intervals {
		m.cards = append(m.cards, &mCard{interval: n, debt: decimal.Zero})
	}
	amount := func(maxCents int) decimal.Decimal { return decimal.New(int64(1+rng.IntN(maxCents)), -2) }
	var keys []string
	for step := range steps {
		// The clock moves on by minutes to days.
		f.now = f.now.Add(time.Duration(rng.IntN(3*24*60)) * time.Minute)
		m.now = f.now
		c := rng.IntN(len(cards))
		key := fmt.Sprintf("k%d", step)
		var err error
		var what string
		switch r := rng.IntN(100); {
		case r < 30:
			pts := amount(10000)
			var exp *time.Time
			if rng.IntN(4) == 0 {
				e := f.now.Add(time.Duration(rng.IntN(20*24)) * time.Hour).Truncate(time.Second)
				exp = &e
			}
			what = fmt.Sprintf("earn %s on %d", pts, c)
			_, err = f.earn(engine.Movement{Card: cards[c], Points: pts, Key: key, Expiry: exp})
			require.NoError(t, err, what)
			if exp == nil {
				exp = m.ruleExpiry(c)
			}
			m.ops[key] = &mOp{kind: "earn", card: c, positive: true, points: pts, lot: m.newLot(c, pts, f.now, exp)}
		case r < 55:
			pts := amount(15000)
			debt := rng.IntN(3) == 0
			what = fmt.Sprintf("redeem %s on %d (debt %v)", pts, c, debt)
			_, err = f.redeem(engine.Movement{Card: cards[c], Points: pts, Key: key, AllowDebt: debt})
			settled := m.clone()
			settled.settle(c)
			_, short := settled.spend(c, pts, nil, true)
			if short.IsPositive() && !debt {
				require.ErrorIs(t, err, engine.ErrInsufficientPoints, what)
				break
			}
			require.NoError(t, err, what)
			m.settle(c)
			taken, short := m.spend(c, pts, nil, false)
			m.cards[c].debt = m.cards[c].debt.Add(short)
			m.ops[key] = &mOp{kind: "redeem", card: c, taken: taken, debt: short}
		case r < 65:
			pts := amount(5000)
			if rng.IntN(2) == 0 {
				pts = pts.Neg()
			}
			what = fmt.Sprintf("adjust %s on %d", pts, c)
			_, err = f.adjust(engine.Movement{Card: cards[c], Points: pts, Key: key, Reason: "test"})
			if pts.IsPositive() {
				require.NoError(t, err, what)
				m.ops[key] = &mOp{kind: "adjust", card: c, positive: true, points: pts, lot: m.newLot(c, pts, f.now, m.ruleExpiry(c))}
				break
			}
			settled := m.clone()
			settled.settle(c)
			if _, short := settled.spend(c, pts.Neg(), nil, true); short.IsPositive() {
				require.ErrorIs(t, err, engine.ErrInsufficientPoints, what)
				break
			}
			require.NoError(t, err, what)
			m.settle(c)
			taken, _ := m.spend(c, pts.Neg(), nil, false)
			m.ops[key] = &mOp{kind: "adjust", card: c, taken: taken, debt: decimal.Zero}
		case r < 75:
			what = "expire"
			_, err = f.svc.Expire(f.ctx, f.now)
			require.NoError(t, err, what)
			m.expire(f.now)
		case r < 87:
			var open []string
			for _, k := range keys {
				if !m.ops[k].reversed {
					open = append(open, k)
				}
			}
			if len(open) == 0 {
				continue
			}
			orig := open[rng.IntN(len(open))]
			what = "reverse " + orig
			_, err = f.reverse(orig, engine.Movement{Key: key})
			require.NoError(t, err, what)
			m.reverse(m.ops[orig])
		case r < 95:
			from := rng.IntN(2)
			what = fmt.Sprintf("transfer %d to %d", from, 1-from)
			_, _, err = f.transfer(cards[from], cards[1-from], 0, key)
			require.NoError(t, err, what)
			m.transfer(from, 1-from)
		default:
			// Replay an earlier key: same result, nothing changes.
			if len(keys) == 0 {
				continue
			}
			k := keys[rng.IntN(len(keys))]
			op := m.ops[k]
			what = "replay " + k
			var r engine.Result
			switch op.kind {
			case "earn":
				r, err = f.earn(engine.Movement{Card: cards[op.card], Points: lgD("1"), Key: k})
			case "redeem":
				r, err = f.redeem(engine.Movement{Card: cards[op.card], Points: lgD("1"), Key: k})
			case "adjust":
				r, err = f.adjust(engine.Movement{Card: cards[op.card], Points: lgD("1"), Key: k, Reason: "x"})
			}
			require.NoError(t, err, what)
			require.True(t, r.Replayed, what)
		}
		if m.ops[key] != nil {
			keys = append(keys, key)
		}
		// The store agrees with the model and keeps the invariants.
		for i, card := range cards {
			st := f.state(card)
			require.Equal(t, m.balance(i).String(), st.Points.String(), "step %d %s: card %d balance", step, what, i)
			require.Equal(t, m.cards[i].debt.String(), st.Debt.String(), "step %d %s: card %d debt", step, what, i)
			if err := engine.CheckInvariants(f.ctx, db, card); err != nil {
				require.NoError(t, errors.Join(fmt.Errorf("step %d %s", step, what), err))
			}
		}
		if step%25 == 0 || step == steps-1 {
			var want, got []string
			for _, l := range m.lots {
				want = append(want, fmt.Sprintf("%d %s %s", l.card, l.remaining, l.state))
			}
			for i, card := range cards {
				for _, l := range f.lotsWithID(card) {
					got = append(got, fmt.Sprintf("%d|%d %s %s", l.id, i, l.Remaining, l.State))
				}
			}
			slices.SortFunc(got, func(a, b string) int {
				var x, y int
				fmt.Sscanf(a, "%d|", &x)
				fmt.Sscanf(b, "%d|", &y)
				return cmp.Compare(x, y)
			})
			for i := range got {
				_, after, _ := cutBar(got[i])
				got[i] = after
			}
			require.Equal(t, want, got, "step %d: lots", step)
		}
	}
}

func cutBar(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '|' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

type lotWithID struct {
	id int64
	lotRow
}

func (f *lgFix) lotsWithID(card int64) []lotWithID {
	f.t.Helper()
	rows, err := f.db.QueryContext(f.ctx, "SELECT id FROM point_moves WHERE loyalty_card_id = ? ORDER BY id", card)
	require.NoError(f.t, err)
	var ids []int64
	for rows.Next() {
		var id int64
		require.NoError(f.t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(f.t, rows.Close())
	lots := f.lots(card)
	out := make([]lotWithID, len(ids))
	for i := range ids {
		out[i] = lotWithID{ids[i], lots[i]}
	}
	return out
}
