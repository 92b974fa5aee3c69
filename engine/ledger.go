package engine

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// How an operation runs (Service.run):
//
//  1. lock the cards it touches (FOR UPDATE on PostgreSQL, in id order;
//     SQLite has one writer at a time) and read points, debt, seq;
//  2. compute the whole operation in memory (the lots it reads, the lots it
//     creates, the journal rows) — a business error here leaves the store
//     untouched; when it fails and the key was used, the stored result
//     is returned instead (a replay);
//  3. write: the operation row with its result JSON (INSERT ... ON
//     CONFLICT (idem_key) DO NOTHING: a key already used, by an earlier
//     operation or a concurrent duplicate on another card that won the
//     race, makes this one a replay: the stored result is returned with
//     Replayed and nothing changes), the new lots, the lot changes, the
//     journal rows, the cards (points, debt, history_seq, sync_version + 1,
//     updated_at).
//
// The stored result is written before the ids it names exist: it has no
// operation id, no journal row ids and negative ids for the lots the
// operation created; a replay fills them in from the operation's journal
// rows (point_history.operation_id).
//
// Every statement has real bind parameters and a constant text (see
// ledger_sql.go).

// Operation kinds (point_operations.kind).
const (
	opEarn     = "earn"
	opRedeem   = "redeem"
	opAdjust   = "adjust"
	opReverse  = "reverse"
	opTransfer = "transfer"
)

// Lot states.
const (
	stateActive   = "active"
	stateDepleted = "depleted"
	stateExpired  = "expired"
)

// cardRow is a locked card and what the operations need of it.
type cardRow struct {
	id, program, partner int64
	progTier             int64 // the program's membership product
	statusTier           int64 // the partner's membership product now
	interval             int64
	intervalType         string
	points, debt         decimal.Decimal
	seq                  int64
	touched              bool
}

// lot is a point_moves row as an operation sees it (id < 0: created by
// this operation, not yet inserted).
type lot struct {
	id, card, tier, program int64
	gain                    time.Time
	exp                     *time.Time
	initial, remaining      decimal.Decimal
	state                   string
	origin                  string
	changed                 bool
}

// ledgerOp is one operation being computed.
type ledgerOp struct {
	s       *Service
	ctx     context.Context
	tx      bun.IDB
	lite    bool
	kind    string
	key     string
	origin  string
	reason  string
	at      time.Time
	cards   map[int64]*cardRow
	order   []int64 // cards in result order
	lots    map[int64]*lot
	newLots []*lot
	entries []*Entry
	reverse int64 // the operation reversed (reverse only)
}

// run executes an operation on cards (the first is the operation's card)
// under key; compute fills the operation in memory.
func (s *Service) run(ctx context.Context, tx bun.IDB, kind, key, origin, reason string, at time.Time,
	cards []int64, compute func(o *ledgerOp) error) ([]Result, error) {
	if strings.TrimSpace(key) == "" {
		return nil, ErrKeyRequired
	}
	if at.IsZero() {
		at = s.now()
	}
	s.touched(ctx, cards...) // the balance cache, after the commit (balance_cache.go)
	o := &ledgerOp{s: s, ctx: ctx, tx: tx, lite: isLite(tx), kind: kind, key: key, origin: origin, reason: reason,
		at: at.UTC().Truncate(time.Second), cards: map[int64]*cardRow{}, lots: map[int64]*lot{}}
	o.order = slices.Clone(cards)
	sorted := slices.Clone(cards)
	slices.Sort(sorted)
	for _, id := range slices.Compact(sorted) {
		c, err := s.lockCard(ctx, tx, o.lite, id)
		if err != nil {
			return nil, err
		}
		o.cards[id] = c
	}
	if err := compute(o); err != nil {
		// A repeated key replays whatever the operation would do now.
		if res, found, rerr := o.replay(); rerr == nil && found {
			return res, nil
		} else if found {
			return nil, rerr
		}
		return nil, err
	}
	return o.write()
}

// lockCardSQL locks and reads a card with its program's tier and expiry
// rule and its partner's tier: one statement, planned once (prepared), of
// three primary-key lookups; only the card row is locked.
const lockCardSQL = `SELECT c.id, c.program_id, c.partner_id, p.membership_product_id, rp.membership_product_id,
		p.expired_interval, p.expired_interval_type, c.points, c.debt, c.history_seq
		FROM loyalty_cards c
		LEFT JOIN promotion_programs p ON p.id = c.program_id
		LEFT JOIN res_partner rp ON rp.id = c.partner_id
		WHERE c.id = ?`

// lockCard locks and reads a card.
func (s *Service) lockCard(ctx context.Context, tx bun.IDB, lite bool, id int64) (*cardRow, error) {
	q := lockCardSQL
	if !lite {
		q = lockCardSQL + " FOR UPDATE OF c"
	}
	c := &cardRow{}
	var itype sql.NullString
	err := s.queryRow(ctx, tx, q, []any{id}, &c.id, nullID{&c.program}, nullID{&c.partner}, nullID{&c.progTier},
		nullID{&c.statusTier}, nullID{&c.interval}, &itype, decCol{lite, &c.points}, decCol{lite, &c.debt}, &c.seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnknownCard
	}
	if err != nil {
		return nil, fmt.Errorf("engine: lock card %d: %w", id, err)
	}
	c.intervalType = itype.String
	return c, nil
}

// storedOp is a point_operations row.
type storedOp struct {
	id, card, reversedBy int64
	kind                 string
	result               sql.NullString
}

// loadOpSQL reads a point_operations row by key.
const loadOpSQL = `SELECT id, loyalty_card_id, kind, reversed_by_id, result FROM point_operations WHERE idem_key = ?`

// loadOp reads the operation of key (nil: none), through bun.
func loadOp(ctx context.Context, db bun.IDB, key string) (*storedOp, error) {
	return scanOp(key, db.QueryRowContext(ctx, loadOpSQL, key).Scan)
}

// loadOp reads the operation of key (nil: none).
func (s *Service) loadOp(ctx context.Context, db bun.IDB, key string) (*storedOp, error) {
	return scanOp(key, func(dest ...any) error { return s.queryRow(ctx, db, loadOpSQL, []any{key}, dest...) })
}

func scanOp(key string, scan func(dest ...any) error) (*storedOp, error) {
	op := &storedOp{}
	err := scan(&op.id, &op.card, &op.kind, nullID{&op.reversedBy}, &op.result)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engine: operation %q: %w", key, err)
	}
	return op, nil
}

// replay returns the stored results when the key was used.
func (o *ledgerOp) replay() ([]Result, bool, error) {
	op, err := o.s.loadOp(o.ctx, o.tx, o.key)
	if err != nil || op == nil {
		return nil, false, err
	}
	res, err := o.stored(op)
	return res, true, err
}

func (o *ledgerOp) stored(op *storedOp) ([]Result, error) {
	if op.kind != o.kind || op.card != o.order[0] {
		return nil, models.ValidationErrorf("The idempotency key %q was already used for another operation.", o.key)
	}
	if !op.result.Valid {
		return nil, fmt.Errorf("engine: operation %q has no stored result", o.key)
	}
	var res []Result
	if err := json.Unmarshal([]byte(op.result.String), &res); err != nil {
		return nil, fmt.Errorf("engine: operation %q: stored result: %w", o.key, err)
	}
	// The ids the result was stored without, from the operation's
	// journal rows.
	type row struct{ id, lot int64 }
	rows := map[[2]int64]row{}
	err := o.s.query(o.ctx, o.tx, "SELECT id, loyalty_card_id, seq, point_move_id FROM point_history WHERE operation_id = ?",
		[]any{op.id}, func(r *sql.Rows) error {
			var x row
			var card, seq int64
			if err := r.Scan(&x.id, &card, &seq, nullID{&x.lot}); err != nil {
				return err
			}
			rows[[2]int64{card, seq}] = x
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("engine: operation %q: journal: %w", o.key, err)
	}
	for i := range res {
		res[i].Operation = op.id
		res[i].Replayed = true
		for j := range res[i].Entries {
			e := &res[i].Entries[j]
			if x, ok := rows[[2]int64{e.Card, e.Seq}]; ok {
				e.ID, e.Lot = x.id, x.lot
			}
		}
	}
	return res, nil
}

// card returns a locked card of the operation.
func (o *ledgerOp) card(id int64) *cardRow { return o.cards[id] }

// journal appends a row to c's journal.
func (o *ledgerOp) journal(c *cardRow, kind Kind, amount decimal.Decimal, l *lot, lotAmount decimal.Decimal, tier int64) *Entry {
	c.seq++
	c.points = c.points.Add(amount)
	c.touched = true
	e := &Entry{Card: c.id, Seq: c.seq, Kind: kind, Amount: amount, Balance: c.points, LotAmount: lotAmount,
		Origin: o.origin, Tier: tier, StatusTier: c.statusTier, At: o.at}
	if l != nil {
		e.Lot = l.id
		e.Tier = l.tier
	}
	o.entries = append(o.entries, e)
	return e
}

// expiryFor returns the expiry of a lot gained at gain on c: the program's
// interval counted from the gain date, at the end of that day in the
// company time zone; nil for a lifetime lot.
func (o *ledgerOp) expiryFor(c *cardRow, gain time.Time) *time.Time {
	return expiryAfter(gain, c.interval, c.intervalType, o.s.loc)
}

func expiryAfter(gain time.Time, n int64, unit string, loc *time.Location) *time.Time {
	if n <= 0 {
		return nil
	}
	y, m, d := gain.In(loc).Date()
	switch unit {
	case "days":
		d += int(n)
	case "weeks":
		d += 7 * int(n)
	case "months":
		y, m, d = addMonths(y, m, d, int(n))
	case "years":
		y, m, d = addMonths(y, m, d, 12*int(n))
	default:
		return nil
	}
	t := time.Date(y, m, d, 23, 59, 59, 0, loc).UTC()
	return &t
}

// addMonths adds n months, clamping the day to the month's last day (as
// dateutil's relativedelta does: 31 Jan + 1 month = 28/29 Feb).
func addMonths(y int, m time.Month, d, n int) (int, time.Month, int) {
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return first.Year(), first.Month(), min(d, last)
}

// newLot creates a lot of points on c (written at the end), booking kind
// +points and, when c has debt, settling it from the new lot first.
func (o *ledgerOp) newLot(c *cardRow, kind Kind, points decimal.Decimal, tier int64, gain time.Time, exp *time.Time) *lot {
	if tier == 0 {
		tier = c.progTier
	}
	l := &lot{id: -int64(len(o.newLots) + 1), card: c.id, tier: tier, program: c.program, gain: gain, exp: exp,
		initial: points, remaining: points, state: stateActive, origin: o.origin}
	o.newLots = append(o.newLots, l)
	o.lots[l.id] = l
	o.journal(c, kind, points, l, points, tier)
	o.settleFrom(c, l)
	return l
}

// settleFrom pays c's debt from lot l as far as it goes.
func (o *ledgerOp) settleFrom(c *cardRow, l *lot) {
	if !c.debt.IsPositive() || !l.remaining.IsPositive() || l.state != stateActive {
		return
	}
	x := decimal.Min(c.debt, l.remaining)
	o.take(l, x)
	c.debt = c.debt.Sub(x)
	// amount 0: the balance already counted the debt.
	o.journal(c, KindSettle, decimal.Zero, l, x.Neg(), l.tier)
}

// take lowers a lot's remaining points by x (depleted at 0).
func (o *ledgerOp) take(l *lot, x decimal.Decimal) {
	l.remaining = l.remaining.Sub(x)
	if l.remaining.IsZero() {
		l.state = stateDepleted
	}
	l.changed = true
}

// give raises a lot's remaining points by x (a depleted lot is active
// again).
func (o *ledgerOp) give(l *lot, x decimal.Decimal) {
	l.remaining = l.remaining.Add(x)
	if l.state == stateDepleted && l.remaining.IsPositive() {
		l.state = stateActive
	}
	l.changed = true
}

// lotColumns are the point_moves columns loadLots reads.
const lotColumns = `id, loyalty_card_id, membership_product_id, program_id, gain_date, expiration_date,
	initial_point, remaining_point, state, origin`

// loadLots reads lots (query selects lotColumns), keeping the version
// already in the operation.
func (o *ledgerOp) loadLots(query string, args ...any) ([]*lot, error) {
	var out []*lot
	err := o.s.query(o.ctx, o.tx, query, args, func(rows *sql.Rows) error {
		l := &lot{}
		var exp time.Time
		var hasExp bool
		var origin sql.NullString
		if err := rows.Scan(&l.id, &l.card, nullID{&l.tier}, nullID{&l.program}, timeCol{&l.gain, nil},
			timeCol{&exp, &hasExp}, decCol{o.lite, &l.initial}, decCol{o.lite, &l.remaining}, &l.state, &origin); err != nil {
			return err
		}
		if hasExp {
			l.exp = &exp
		}
		l.origin = origin.String
		if have, ok := o.lots[l.id]; ok {
			l = have
		} else {
			o.lots[l.id] = l
		}
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: read lots: %w", err)
	}
	return out, nil
}

// spendable returns the lots of c a spending of need may use, first
// expiring first: active, with points, not expired at the operation time,
// of tier (0: any), not in exclude; only as many as cover need (all when
// need is zero).
func (o *ledgerOp) spendable(c *cardRow, tier int64, need decimal.Decimal, exclude ...int64) ([]*lot, error) {
	where := "loyalty_card_id = ? AND state = 'active' AND remaining_point > 0 AND (expiration_date IS NULL OR expiration_date >= ?)"
	args := []any{c.id, timeArg(o.lite, o.at)}
	if tier != 0 {
		where += " AND membership_product_id = ?"
		args = append(args, tier)
	}
	if len(exclude) > 0 {
		where += " AND NOT " + idsIn(o.lite, "id")
		args = append(args, idsArg(o.lite, exclude))
	}
	// The window cut-off reads only the lots that cover need; when this
	// operation already changed lots of c in memory their stored remaining
	// is stale, so then every lot is read.
	for _, l := range o.lots {
		if l.card == c.id && l.changed {
			need = decimal.Zero
			break
		}
	}
	q := "SELECT " + lotColumns + " FROM point_moves WHERE " + where + " ORDER BY " + fefoOrder
	if need.IsPositive() {
		q = "SELECT " + lotColumns + " FROM (SELECT " + lotColumns + ", SUM(remaining_point) OVER (ORDER BY " + fefoOrder +
			" ROWS UNBOUNDED PRECEDING) AS cum FROM point_moves WHERE " + where + ") x WHERE cum - remaining_point < " +
			castDec(o.lite) + " ORDER BY cum"
		args = append(args, decArg(o.lite, need))
	}
	lots, err := o.loadLots(q, args...)
	if err != nil {
		return nil, err
	}
	// Lots this operation created or changed on c: not in the store yet,
	// or stored with values the query above filtered on.
	seen := make(map[int64]bool, len(lots))
	for _, l := range lots {
		seen[l.id] = true
	}
	for _, l := range o.lots {
		if l.card == c.id && !seen[l.id] && (l.id < 0 || l.changed) && (tier == 0 || l.tier == tier) &&
			!slices.Contains(exclude, l.id) {
			lots = append(lots, l)
		}
	}
	out := lots[:0]
	for _, l := range lots {
		if l.state == stateActive && l.remaining.IsPositive() && (l.exp == nil || !l.exp.Before(o.at)) {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, fefoCompare)
	return out, nil
}

// fefoCompare is fefoOrder in Go.
func fefoCompare(a, b *lot) int {
	switch {
	case a.exp == nil && b.exp != nil:
		return 1
	case a.exp != nil && b.exp == nil:
		return -1
	case a.exp != nil && !a.exp.Equal(*b.exp):
		return a.exp.Compare(*b.exp)
	case !a.gain.Equal(b.gain):
		return a.gain.Compare(b.gain)
	}
	// Lots of this operation (negative ids) come after stored ones.
	ai, bi := a.id, b.id
	if ai < 0 {
		ai = 1<<62 - ai
	}
	if bi < 0 {
		bi = 1<<62 - bi
	}
	return int(min(max(ai-bi, -1), 1))
}

// spend takes need from c's spendable lots of tier, one kind row per lot;
// it returns what it could not take.
func (o *ledgerOp) spend(c *cardRow, kind Kind, need decimal.Decimal, tier int64, exclude ...int64) (decimal.Decimal, error) {
	lots, err := o.spendable(c, tier, need, exclude...)
	if err != nil {
		return need, err
	}
	for _, l := range lots {
		if !need.IsPositive() {
			break
		}
		x := decimal.Min(need, l.remaining)
		o.take(l, x)
		need = need.Sub(x)
		o.journal(c, kind, x.Neg(), l, x.Neg(), l.tier)
	}
	return need, nil
}

// available sums the spendable points of c of tier.
func (o *ledgerOp) available(c *cardRow, tier int64) (decimal.Decimal, error) {
	lots, err := o.spendable(c, tier, decimal.Zero)
	if err != nil {
		return decimal.Zero, err
	}
	sum := decimal.Zero
	for _, l := range lots {
		sum = sum.Add(l.remaining)
	}
	return sum, nil
}

// write stores the operation and returns its results, one per card in
// o.order.
func (o *ledgerOp) write() ([]Result, error) {
	ctx, tx, lite, s := o.ctx, o.tx, o.lite, o.s
	now := timeArg(lite, s.now())

	// The result, as stored: without the ids the rows below get.
	res := make([]Result, len(o.order))
	for i, id := range o.order {
		c := o.cards[id]
		res[i] = Result{Card: id, Balance: c.points, Debt: c.debt, Entries: []Entry{}}
		for _, e := range o.entries {
			if e.Card == id {
				res[i].Entries = append(res[i].Entries, *e)
			}
		}
	}
	js, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("engine: result: %w", err)
	}
	if !lite && len(o.newLots) <= writeChunk && len(o.lots) <= writeChunk &&
		len(o.entries) <= writeChunk {
		return o.writePG(res, string(js), now)
	}
	var opID int64
	inserted := false
	err = s.query(ctx, tx, `INSERT INTO point_operations (loyalty_card_id, kind, idem_key, origin, reverses_id, result, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING RETURNING id`,
		[]any{o.order[0], o.kind, o.key, o.origin, idArg(o.reverse), string(js), now}, func(r *sql.Rows) error {
			inserted = true
			return r.Scan(&opID)
		})
	if err != nil {
		return nil, fmt.Errorf("engine: insert operation: %w", err)
	}
	if !inserted {
		// The key was used: by an earlier operation, or by a concurrent
		// one on another card that took it first.
		op, err := s.loadOp(ctx, tx, o.key)
		if err != nil {
			return nil, err
		}
		if op == nil {
			return nil, fmt.Errorf("engine: operation %q conflicts but is not found", o.key)
		}
		return o.stored(op)
	}

	// New lots.
	realID := map[int64]int64{}
	for _, l := range o.newLots {
		var id int64
		err := s.queryRow(ctx, tx, `INSERT INTO point_moves (loyalty_card_id, membership_product_id, program_id,
			operation_id, gain_date, expiration_date, initial_point, remaining_point, state, origin, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			[]any{l.card, idArg(l.tier), idArg(l.program), opID, timeArg(lite, l.gain), nullTimeArg(lite, l.exp),
				decArg(lite, l.initial), decArg(lite, l.remaining), l.state, nullString(l.origin), now}, &id)
		if err != nil {
			return nil, fmt.Errorf("engine: insert lot: %w", err)
		}
		realID[l.id] = id
		l.id = id
		l.changed = false
	}
	// Changed lots.
	var changed []*lot
	for _, l := range o.lots {
		if l.changed && l.id > 0 {
			changed = append(changed, l)
		}
	}
	slices.SortFunc(changed, func(a, b *lot) int { return cmp.Compare(a.id, b.id) })
	for part := range slices.Chunk(changed, writeChunk) {
		if err := o.updateLots(part); err != nil {
			return nil, err
		}
	}
	// Journal rows.
	for _, e := range o.entries {
		if id, ok := realID[e.Lot]; ok {
			e.Lot = id
		}
	}
	for part := range slices.Chunk(o.entries, writeChunk) {
		if err := o.insertJournal(part, opID, now); err != nil {
			return nil, err
		}
	}
	// Cards.
	for _, id := range o.sortedCards() {
		c := o.cards[id]
		if _, err := s.exec(ctx, tx, `UPDATE loyalty_cards SET points = ?, debt = ?, history_seq = ?,
			sync_version = COALESCE(sync_version, 0) + 1, updated_at = ? WHERE id = ?`,
			decArg(lite, c.points), decArg(lite, c.debt), c.seq, now, c.id); err != nil {
			return nil, fmt.Errorf("engine: update card %d: %w", c.id, err)
		}
	}
	if s.outbox {
		if err := o.queuePoints(); err != nil {
			return nil, err
		}
	}
	if o.reverse != 0 {
		if _, err := s.exec(ctx, tx, "UPDATE point_operations SET reversed_by_id = ? WHERE id = ?", opID, o.reverse); err != nil {
			return nil, fmt.Errorf("engine: mark reversed: %w", err)
		}
	}
	return o.results(res, opID), nil
}

// results completes the stored result res with the ids.
func (o *ledgerOp) results(res []Result, opID int64) []Result {
	for i, id := range o.order {
		res[i].Operation = opID
		res[i].Entries = res[i].Entries[:0]
		for _, e := range o.entries {
			if e.Card == id {
				res[i].Entries = append(res[i].Entries, *e)
			}
		}
	}
	return res
}

// writePG is write on PostgreSQL, in one statement: the operation row
// (nothing else when its key is taken), the new lots (ids drawn first, so
// that the journal rows can name them: a negative lot id -n in the
// journal is the n-th new lot), the changed lots, the journal rows, the
// cards and the reversed operation. The statement returns the operation's
// id (kind 0) and the journal rows (kind 1).
//
// Its text depends only on the number of rows of each part (VALUES lists
// of typed parameters), so that PostgreSQL keeps one generic plan per
// shape: an operation has few shapes (an earn: one new lot, one or two
// journal rows, one card).
func (o *ledgerOp) writePG(res []Result, js string, now any) ([]Result, error) {
	var b strings.Builder
	args := make([]any, 0, 64)
	values := func(n int, types ...string) {
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + strconv.Itoa(i+1))
			for _, t := range types {
				b.WriteString(", CAST(? AS " + t + ")")
			}
			b.WriteString(")")
		}
	}
	b.WriteString(`WITH op AS (
	INSERT INTO point_operations (loyalty_card_id, kind, idem_key, origin, reverses_id, result, created_at)
	VALUES (?, ?, ?, ?, CAST(? AS BIGINT), ?, CAST(? AS TIMESTAMP)) ON CONFLICT (idem_key) DO NOTHING RETURNING id
)`)
	args = append(args, o.order[0], o.kind, o.key, o.origin, idArg(o.reverse), js, now)
	if len(o.newLots) > 0 {
		b.WriteString(", nv (n, card, tier, program, gain, exp, initial, remaining, state, origin) AS (VALUES ")
		values(len(o.newLots), "BIGINT", "BIGINT", "BIGINT", "TIMESTAMP", "TIMESTAMP", "NUMERIC", "NUMERIC", "TEXT", "TEXT")
		for i, l := range o.newLots {
			if l.id != -int64(i+1) {
				return nil, fmt.Errorf("engine: new lot %d numbered %d", i, l.id)
			}
			args = append(args, l.card, idArg(l.tier), idArg(l.program), timeArg(false, l.gain), nullTimeArg(false, l.exp),
				decArg(false, l.initial), decArg(false, l.remaining), l.state, nullString(l.origin))
		}
		b.WriteString(`), ids AS (
	SELECT nv.n, nextval(CAST(pg_get_serial_sequence('point_moves', 'id') AS REGCLASS)) AS id FROM nv, op
), nl AS (
	INSERT INTO point_moves (id, loyalty_card_id, membership_product_id, program_id, operation_id, gain_date,
		expiration_date, initial_point, remaining_point, state, origin, created_at)
	SELECT ids.id, nv.card, nv.tier, nv.program, op.id, nv.gain, nv.exp, nv.initial, nv.remaining, nv.state, nv.origin,
		CAST(? AS TIMESTAMP)
	FROM nv JOIN ids ON ids.n = nv.n CROSS JOIN op
)`)
		args = append(args, now)
	}
	var changed []*lot
	for _, l := range o.lots {
		if l.changed && l.id > 0 {
			changed = append(changed, l)
		}
	}
	if len(changed) > 0 {
		slices.SortFunc(changed, func(a, b *lot) int { return cmp.Compare(a.id, b.id) })
		b.WriteString(", cl AS (UPDATE point_moves m SET remaining_point = v.remaining, state = v.state FROM (VALUES ")
		values(len(changed), "BIGINT", "NUMERIC", "TEXT")
		b.WriteString(") AS v(n, id, remaining, state), op WHERE m.id = v.id)")
		for _, l := range changed {
			args = append(args, l.id, decArg(false, l.remaining), l.state)
		}
	}
	if len(o.entries) > 0 {
		b.WriteString(`, hist AS (
	INSERT INTO point_history (loyalty_card_id, seq, kind, point_move_id, points_amount, points_balance, lot_amount,
		transaction_time, origin, membership_product_id, status_membership_product_id, operation_id, reason, created_at)
	SELECT v.card, v.seq, v.kind, `)
		if len(o.newLots) > 0 {
			b.WriteString("COALESCE(ids.id, v.lot)")
		} else {
			b.WriteString("v.lot")
		}
		b.WriteString(`, v.amount, v.balance, v.lot_amount, v.at, v.origin, v.tier, v.status, op.id, CAST(? AS TEXT),
		CAST(? AS TIMESTAMP)
	FROM (VALUES `)
		args = append(args, nullString(o.reason), now)
		values(len(o.entries), "BIGINT", "BIGINT", "TEXT", "BIGINT", "NUMERIC", "NUMERIC", "NUMERIC", "TIMESTAMP", "TEXT",
			"BIGINT", "BIGINT")
		for _, e := range o.entries {
			args = append(args, e.Card, e.Seq, string(e.Kind), idArg(e.Lot), decArg(false, e.Amount), decArg(false, e.Balance),
				decArg(false, e.LotAmount), timeArg(false, e.At), nullString(e.Origin), idArg(e.Tier), idArg(e.StatusTier))
		}
		b.WriteString(") AS v(n, card, seq, kind, lot, amount, balance, lot_amount, at, origin, tier, status) CROSS JOIN op")
		if len(o.newLots) > 0 {
			b.WriteString(" LEFT JOIN ids ON ids.n = -v.lot")
		}
		b.WriteString(" RETURNING id, loyalty_card_id, seq, point_move_id)")
	}
	cards := o.sortedCards()
	b.WriteString(`, cards AS (
	UPDATE loyalty_cards c SET points = v.points, debt = v.debt, history_seq = v.seq,
		sync_version = COALESCE(c.sync_version, 0) + 1, updated_at = CAST(? AS TIMESTAMP)
	FROM (VALUES `)
	args = append(args, now)
	values(len(cards), "BIGINT", "NUMERIC", "NUMERIC", "BIGINT")
	for _, id := range cards {
		c := o.cards[id]
		args = append(args, c.id, decArg(false, c.points), decArg(false, c.debt), c.seq)
	}
	b.WriteString(") AS v(n, id, points, debt, seq), op WHERE c.id = v.id")
	if o.s.outbox {
		// One sync event per card, NOTIFY when there is one (outbox.go).
		b.WriteString(` RETURNING c.id, c.points, c.history_seq, c.sync_version), ev AS (
	INSERT INTO sync_log (entity_type, entity_id, part, action, status, lane, seq_from, seq_to, points, sync_version)
	SELECT 'loyalty.card', cards.id, cards.id % 64, 'points', 'pending', 'realtime', `)
		if len(o.entries) > 0 {
			b.WriteString("(SELECT MIN(h.seq) FROM hist h WHERE h.loyalty_card_id = cards.id)")
		} else {
			b.WriteString("cards.history_seq + 1")
		}
		b.WriteString(`, cards.history_seq, cards.points, cards.sync_version FROM cards ORDER BY cards.id RETURNING id
), nt AS (SELECT pg_notify('` + SyncChannel + `', '') FROM (SELECT 1 FROM ev LIMIT 1) x`)
	}
	b.WriteString(")")
	if o.reverse != 0 {
		b.WriteString(", rev AS (UPDATE point_operations SET reversed_by_id = op.id FROM op WHERE point_operations.id = CAST(? AS BIGINT))")
		args = append(args, o.reverse)
	}
	if o.s.outbox {
		b.WriteString("\nSELECT 0, id, (SELECT COUNT(*) FROM nt), 0, 0 FROM op")
	} else {
		b.WriteString("\nSELECT 0, id, 0, 0, 0 FROM op")
	}
	if len(o.entries) > 0 {
		b.WriteString(" UNION ALL SELECT 1, id, loyalty_card_id, seq, COALESCE(point_move_id, 0) FROM hist")
	}

	type row struct{ id, lot int64 }
	var opID int64
	inserted := false
	rows := map[[2]int64]row{}
	err := o.s.query(o.ctx, o.tx, b.String(), args, func(r *sql.Rows) error {
		var kind, id, card, seq, lot int64
		if err := r.Scan(&kind, &id, &card, &seq, &lot); err != nil {
			return err
		}
		if kind == 0 {
			opID, inserted = id, true
		} else {
			rows[[2]int64{card, seq}] = row{id, lot}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: write operation: %w", err)
	}
	if !inserted {
		// The key was used: by an earlier operation, or by a concurrent
		// one on another card that took it first.
		op, err := o.s.loadOp(o.ctx, o.tx, o.key)
		if err != nil {
			return nil, err
		}
		if op == nil {
			return nil, fmt.Errorf("engine: operation %q conflicts but is not found", o.key)
		}
		return o.stored(op)
	}
	for _, e := range o.entries {
		if x, ok := rows[[2]int64{e.Card, e.Seq}]; ok {
			e.ID, e.Lot = x.id, x.lot
		}
	}
	for _, l := range o.newLots {
		l.changed = false
	}
	return o.results(res, opID), nil
}

// writeChunk bounds the rows of one multi-row statement, so that the
// statement texts are few (one per row count up to it) and the
// parameters stay well below the dialects' limits.
const writeChunk = 32

// updateLots stores the remaining points and state of lots (in id order).
func (o *ledgerOp) updateLots(lots []*lot) error {
	var rem, st, in strings.Builder
	args := make([]any, 0, 5*len(lots))
	stArgs := make([]any, 0, 2*len(lots))
	ids := make([]any, 0, len(lots))
	for i, l := range lots {
		rem.WriteString(" WHEN ? THEN " + castDec(o.lite))
		args = append(args, l.id, decArg(o.lite, l.remaining))
		st.WriteString(" WHEN ? THEN ?")
		stArgs = append(stArgs, l.id, l.state)
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteByte('?')
		ids = append(ids, l.id)
	}
	q := "UPDATE point_moves SET remaining_point = CASE id" + rem.String() + " END, state = CASE id" + st.String() +
		" END WHERE id IN (" + in.String() + ")"
	args = append(append(args, stArgs...), ids...)
	if _, err := o.s.exec(o.ctx, o.tx, q, args...); err != nil {
		return fmt.Errorf("engine: update lots: %w", err)
	}
	return nil
}

// insertJournal inserts journal rows and sets their ids.
func (o *ledgerOp) insertJournal(entries []*Entry, opID int64, now any) error {
	lite := o.lite
	var b strings.Builder
	b.WriteString(`INSERT INTO point_history (loyalty_card_id, seq, kind, point_move_id, points_amount, points_balance,
			lot_amount, transaction_time, origin, membership_product_id, status_membership_product_id, operation_id, reason,
			created_at) VALUES `)
	args := make([]any, 0, 14*len(entries))
	for i, e := range entries {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, e.Card, e.Seq, string(e.Kind), idArg(e.Lot), decArg(lite, e.Amount), decArg(lite, e.Balance),
			decArg(lite, e.LotAmount), timeArg(lite, e.At), nullString(e.Origin), idArg(e.Tier), idArg(e.StatusTier),
			opID, nullString(o.reason), now)
	}
	b.WriteString(" RETURNING id, loyalty_card_id, seq")
	bySeq := make(map[[2]int64]*Entry, len(entries))
	for _, e := range entries {
		bySeq[[2]int64{e.Card, e.Seq}] = e
	}
	err := o.s.query(o.ctx, o.tx, b.String(), args, func(r *sql.Rows) error {
		var id, card, seq int64
		if err := r.Scan(&id, &card, &seq); err != nil {
			return err
		}
		if e := bySeq[[2]int64{card, seq}]; e != nil {
			e.ID = id
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("engine: insert journal: %w", err)
	}
	return nil
}

func (o *ledgerOp) sortedCards() []int64 {
	ids := make([]int64, 0, len(o.cards))
	for id := range o.cards {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// nullString is s, or NULL when empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
