package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// cardRow is a local card as delivery needs it.
type cardRow struct {
	id, odooID, program, partner int64
	code                         string
	points                       decimal.Decimal
	odooPoints                   *decimal.Decimal
}

// histRow is a journal row (point_history).
type histRow struct {
	id, card, seq, lot int64
	kind, origin       string
	amount, balance    decimal.Decimal
	at                 string
	tier, status       int64
}

// lotRow is a lot (point_moves).
type lotRow struct {
	id, card, tier     int64
	gain, exp          string
	initial, remaining decimal.Decimal
	state, origin      string
}

// readCards reads the cards ids.
func (d *Deliverer) readCards(ctx context.Context, idb bun.IDB, ids []int64) (map[int64]*cardRow, error) {
	out := make(map[int64]*cardRow, len(ids))
	for part := range slices.Chunk(ids, 500) {
		rows, err := idb.QueryContext(ctx, `SELECT id, COALESCE(odoo_card_id, 0), code, program_id, COALESCE(partner_id, 0),
			points, odoo_points FROM loyalty_cards WHERE id IN (?)`, bun.In(part))
		if err != nil {
			return nil, storeError{err}
		}
		for rows.Next() {
			c := &cardRow{}
			var pts, opts any
			if err := rows.Scan(&c.id, &c.odooID, &c.code, &c.program, &c.partner, &pts, &opts); err != nil {
				_ = rows.Close()
				return nil, storeError{err}
			}
			c.points = d.decOf(pts)
			if opts != nil {
				v := d.decOf(opts)
				c.odooPoints = &v
			}
			out[c.id] = c
		}
		if err := rows.Close(); err != nil {
			return nil, storeError{err}
		}
	}
	return out, nil
}

// createCards creates in Odoo the cards of cs it does not know yet
// (external id loyaltyd.card_<id>) and records their ids.
func (d *Deliverer) createCards(ctx context.Context, p *plan, cs []*cardRow) error {
	var fresh []*cardRow
	var rows [][]any
	for _, c := range cs {
		if c.odooID != 0 {
			continue
		}
		partner := ""
		if c.partner != 0 {
			partner = strconv.FormatInt(c.partner, 10)
		}
		fresh = append(fresh, c)
		rows = append(rows, []any{"loyaltyd.card_" + strconv.FormatInt(c.id, 10), c.code,
			strconv.FormatInt(c.program, 10), partner, c.points.StringFixed(2)})
	}
	if len(rows) == 0 {
		return nil
	}
	ids, err := d.load(ctx, "loyalty.card", []string{"id", "code", "program_id/.id", "partner_id/.id", "points"}, rows)
	if err != nil {
		return err
	}
	for i, c := range fresh {
		c.odooID = ids[i]
		v := c.points
		c.odooPoints = &v
		p.cards[c.id] = cardSync{odooID: c.odooID, points: c.points}
	}
	return nil
}

// pointsBatch delivers points events: the cards' balances, and the lots
// and journal rows of the seq ranges the events name.
type pointsBatch struct {
	d   *Deliverer
	idb bun.IDB
	p   *plan
	has map[string]bool
	evs []event

	cards     map[int64]*cardRow
	hist      map[int64][]histRow // by card, in seq order
	lots      map[int64]lotRow
	conflicts map[int64]bool
}

// load reads what the batch sends.
func (b *pointsBatch) load(ctx context.Context, keys []int64) error {
	var err error
	if b.cards, err = b.d.readCards(ctx, b.idb, keys); err != nil {
		return err
	}
	b.hist, b.lots, b.conflicts = map[int64][]histRow{}, map[int64]lotRow{}, map[int64]bool{}
	if !b.has[ModelPointHistory] && !b.has[ModelPointMove] && !b.has[ModelHistory] {
		return nil
	}
	ranges := map[int64][2]int64{}
	for _, e := range b.evs {
		if e.seqTo < e.seqFrom || e.seqTo == 0 {
			continue
		}
		r, ok := ranges[e.entityID]
		if !ok {
			r = [2]int64{e.seqFrom, e.seqTo}
		}
		r[0], r[1] = min(r[0], e.seqFrom), max(r[1], e.seqTo)
		ranges[e.entityID] = r
	}
	cards := slices.Sorted(maps.Keys(ranges))
	lotIDs := map[int64]bool{}
	for part := range slices.Chunk(cards, 200) {
		var where []string
		var args []any
		for _, c := range part {
			where = append(where, "(loyalty_card_id = ? AND seq BETWEEN ? AND ?)")
			args = append(args, c, ranges[c][0], ranges[c][1])
		}
		rows, err := b.idb.QueryContext(ctx, `SELECT id, loyalty_card_id, seq, kind, COALESCE(point_move_id, 0), points_amount,
			points_balance, transaction_time, COALESCE(origin, ''), COALESCE(membership_product_id, 0),
			COALESCE(status_membership_product_id, 0) FROM point_history WHERE `+strings.Join(where, " OR ")+
			" ORDER BY loyalty_card_id, seq", args...)
		if err != nil {
			return storeError{err}
		}
		for rows.Next() {
			var h histRow
			var amount, balance, at any
			if err := rows.Scan(&h.id, &h.card, &h.seq, &h.kind, &h.lot, &amount, &balance, &at, &h.origin, &h.tier,
				&h.status); err != nil {
				_ = rows.Close()
				return storeError{err}
			}
			h.amount, h.balance, h.at = b.d.decOf(amount), b.d.decOf(balance), timeText(at)
			b.hist[h.card] = append(b.hist[h.card], h)
			if h.lot != 0 {
				lotIDs[h.lot] = true
			}
		}
		if err := rows.Close(); err != nil {
			return storeError{err}
		}
	}
	ids := slices.Sorted(maps.Keys(lotIDs))
	for part := range slices.Chunk(ids, 500) {
		rows, err := b.idb.QueryContext(ctx, `SELECT id, loyalty_card_id, COALESCE(membership_product_id, 0), gain_date, expiration_date,
			initial_point, remaining_point, state, COALESCE(origin, '') FROM point_moves WHERE id IN (?)`, bun.In(part))
		if err != nil {
			return storeError{err}
		}
		for rows.Next() {
			var l lotRow
			var gain, exp, initial, remaining any
			if err := rows.Scan(&l.id, &l.card, &l.tier, &gain, &exp, &initial, &remaining, &l.state, &l.origin); err != nil {
				_ = rows.Close()
				return storeError{err}
			}
			l.gain, l.exp = timeText(gain), timeText(exp)
			l.initial, l.remaining = b.d.decOf(initial), b.d.decOf(remaining)
			b.lots[l.id] = l
		}
		if err := rows.Close(); err != nil {
			return storeError{err}
		}
	}
	return nil
}

// send delivers the cards keys.
func (b *pointsBatch) send(ctx context.Context, keys []int64) error {
	var cs []*cardRow
	for _, k := range keys {
		if c := b.cards[k]; c != nil {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return nil
	}
	var known []*cardRow
	for _, c := range cs {
		if c.odooID != 0 {
			known = append(known, c)
		}
	}
	if err := b.d.createCards(ctx, b.p, cs); err != nil {
		return err
	}
	if len(known) > 0 {
		// Conflicts: what Odoo holds against what we last wrote.
		ids := make([]any, len(known))
		for i, c := range known {
			ids[i] = c.odooID
		}
		var rows []map[string]any
		if err := b.d.c.ExecuteKw(ctx, "loyalty.card", "read", []any{ids}, map[string]any{"fields": []any{"points"}},
			&rows); err != nil {
			return err
		}
		theirs := map[int64]decimal.Decimal{}
		for _, r := range rows {
			theirs[toInt(r["id"])] = toDec(r["points"])
		}
		for _, c := range known {
			v, ok := theirs[c.odooID]
			if !ok || c.odooPoints == nil || v.Equal(*c.odooPoints) || b.conflicts[c.id] {
				continue
			}
			b.conflicts[c.id] = true
			b.p.conflict = append(b.p.conflict, conflict{card: c.id, odoo: v, ours: c.points})
			b.d.log.WarnContext(ctx, "sync conflict: Odoo changed a card's points, the engine's value wins",
				slog.Int64("card", c.id), slog.Int64("odoo_card", c.odooID), slog.String("odoo", v.StringFixed(2)),
				slog.String("last_written", c.odooPoints.StringFixed(2)), slog.String("engine", c.points.StringFixed(2)))
		}
		data := make([][]any, len(known))
		for i, c := range known {
			data[i] = []any{strconv.FormatInt(c.odooID, 10), c.points.StringFixed(2)}
		}
		if _, err := b.d.load(ctx, "loyalty.card", []string{".id", "points"}, data); err != nil {
			return err
		}
		for _, c := range known {
			v := c.points
			c.odooPoints = &v
			b.p.cards[c.id] = cardSync{odooID: c.odooID, points: c.points}
		}
	}
	return b.sendRows(ctx, cs)
}

// sendRows loads the lots and journal rows of cs.
func (b *pointsBatch) sendRows(ctx context.Context, cs []*cardRow) error {
	var lots, hist, lh [][]any
	lotSeen := map[int64]bool{}
	for _, c := range cs {
		card := strconv.FormatInt(c.odooID, 10)
		partner := idText(c.partner)
		for _, h := range b.hist[c.id] {
			if l, ok := b.lots[h.lot]; ok && !lotSeen[l.id] {
				lotSeen[l.id] = true
				lots = append(lots, []any{"loyaltyd.point_move_" + strconv.FormatInt(l.id, 10), card, partner, idText(l.tier),
					l.gain, l.exp, l.initial.StringFixed(2), l.remaining.StringFixed(2), l.state, l.origin})
			}
			lot := ""
			if h.lot != 0 {
				lot = "loyaltyd.point_move_" + strconv.FormatInt(h.lot, 10)
			}
			hist = append(hist, []any{"loyaltyd.point_history_" + strconv.FormatInt(h.id, 10), card, partner, lot,
				h.amount.StringFixed(2), h.balance.StringFixed(2), h.at, h.origin, idText(h.tier), idText(h.status), h.kind})
			issued, used := decimal.Zero, decimal.Zero
			if h.amount.IsPositive() {
				issued = h.amount
			} else {
				used = h.amount.Neg()
			}
			lh = append(lh, []any{"loyaltyd.loyalty_history_" + strconv.FormatInt(h.id, 10), card,
				strings.TrimSpace(h.kind + " " + h.origin), issued.StringFixed(2), used.StringFixed(2)})
		}
	}
	if b.has[ModelPointMove] {
		if _, err := b.d.load(ctx, ModelPointMove, []string{"id", "loyalty_card_id/.id", "partner_id/.id",
			"membership_product_id/.id", "gain_date", "expiration_date", "initial_point", "remaining_point", "state",
			"origin"}, lots); err != nil {
			return err
		}
	}
	if b.has[ModelPointHistory] {
		if !b.has[ModelPointMove] {
			for _, r := range hist {
				r[3] = ""
			}
		}
		if _, err := b.d.load(ctx, ModelPointHistory, []string{"id", "loyalty_card_id/.id", "partner_id/.id",
			"point_move_id/id", "points_amount", "points_balance", "transaction_time", "origin", "membership_product_id/.id",
			"status_membership_product_id/.id", "name"}, hist); err != nil {
			return err
		}
	}
	if b.has[ModelHistory] {
		if _, err := b.d.load(ctx, ModelHistory, []string{"id", "card_id/.id", "description", "issued", "used"}, lh); err != nil {
			return err
		}
	}
	return nil
}

// idText is a many2one database id for load ("" for none).
func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// cardBatch delivers card events (fields written over RPC): the latest
// value of each field per card.
type cardBatch struct {
	d   *Deliverer
	idb bun.IDB
	p   *plan
	evs []event

	cards map[int64]*cardRow
	vals  map[int64]map[string]any
}

func (b *cardBatch) load(ctx context.Context, keys []int64) error {
	var err error
	if b.cards, err = b.d.readCards(ctx, b.idb, keys); err != nil {
		return err
	}
	b.vals = map[int64]map[string]any{}
	for _, e := range b.evs {
		m := b.vals[e.entityID]
		if m == nil {
			m = map[string]any{}
			b.vals[e.entityID] = m
		}
		for k, v := range payloadOf(e) {
			m[k] = v
		}
	}
	return nil
}

func (b *cardBatch) send(ctx context.Context, keys []int64) error {
	for _, k := range keys {
		c := b.cards[k]
		if c == nil {
			continue
		}
		if err := b.d.createCards(ctx, b.p, []*cardRow{c}); err != nil {
			return err
		}
		vals := b.vals[k]
		fields := []string{".id"}
		row := []any{strconv.FormatInt(c.odooID, 10)}
		for _, f := range slices.Sorted(maps.Keys(vals)) {
			if f == "points" || f == "id" {
				continue // points go by the points events
			}
			v := vals[f]
			switch x := v.(type) {
			case bool:
				if strings.HasSuffix(f, "_id") && !x {
					fields, row = append(fields, f+"/.id"), append(row, "")
					continue
				}
				s := "0"
				if x {
					s = "1"
				}
				fields, row = append(fields, f), append(row, s)
			case float64:
				if strings.HasSuffix(f, "_id") {
					fields, row = append(fields, f+"/.id"), append(row, strconv.FormatInt(int64(x), 10))
					continue
				}
				fields, row = append(fields, f), append(row, strconv.FormatFloat(x, 'f', -1, 64))
			case nil:
				fields, row = append(fields, f), append(row, "")
			default:
				fields, row = append(fields, f), append(row, fmt.Sprint(x))
			}
		}
		if len(fields) == 1 {
			continue
		}
		if _, err := b.d.load(ctx, "loyalty.card", fields, [][]any{row}); err != nil {
			return err
		}
	}
	return nil
}

// tierBatch delivers tier events: the partner's membership level, where
// the upstream has the seed addon (which defines it); elsewhere there is
// nothing to write.
type tierBatch struct {
	d   *Deliverer
	has map[string]bool
	evs []event

	level map[int64]string
}

func (b *tierBatch) load(context.Context, []int64) error {
	b.level = map[int64]string{}
	for _, e := range b.evs {
		v := payloadOf(e)["membership_product_id"]
		if f, ok := v.(float64); ok {
			b.level[e.entityID] = strconv.FormatInt(int64(f), 10)
		} else {
			b.level[e.entityID] = ""
		}
	}
	return nil
}

func (b *tierBatch) send(ctx context.Context, keys []int64) error {
	if !b.has[ModelPointMove] {
		return nil
	}
	rows := make([][]any, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, []any{strconv.FormatInt(k, 10), b.level[k]})
	}
	_, err := b.d.load(ctx, "res.partner", []string{".id", "membership_product_id/.id"}, rows)
	return err
}
