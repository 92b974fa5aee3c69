package methods

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// extendCardModel makes the points of loyalty.card's create and write go
// through the ledger. Odoo's own code and its clients set a card's balance
// by writing points (the back office's form, scripts, Odoo 17's POS
// confirmation does card.points += n); here such a write books an
// adjustment of the difference, with a journal row and a lot (or FEFO
// consumption), so the balance always equals the lots, the history shows
// who changed it, and the outbox sends it to an upstream Odoo like any
// other movement. The other fields are written as before.
func (m *Methods) extendCardModel(reg *models.Registry) error {
	card := reg.Model("loyalty.card")
	if card == nil {
		return models.Internal(fmt.Errorf("methods: loyalty.card must be registered first"))
	}
	if card.Methods == nil {
		card.Methods = map[string]models.MethodFunc{}
	}
	create, write := models.GenericMethod("create"), models.GenericMethod("write")
	if c, ok := card.Methods["create"]; ok {
		create = c
	}
	if w, ok := card.Methods["write"]; ok {
		write = w
	}
	if card.RecordMethods == nil {
		card.RecordMethods = map[string]bool{}
	}
	card.RecordMethods["write"] = true // write(ids, vals), as the generic one
	card.Methods["create"] = func(ctx context.Context, c *models.Call) (any, error) { return m.cardCreate(ctx, c, create) }
	card.Methods["write"] = func(ctx context.Context, c *models.Call) (any, error) { return m.cardWrite(ctx, c, write) }
	return nil
}

// cardCreate creates the cards without their points, then books each
// card's points as an adjustment.
func (m *Methods) cardCreate(ctx context.Context, c *models.Call, create models.MethodFunc) (any, error) {
	vals, single, err := createVals(c)
	if err != nil {
		return nil, err
	}
	points := make([]decimal.Decimal, len(vals))
	stripped := make([]any, len(vals))
	for i, v := range vals {
		if p, ok := v["points"]; ok {
			if points[i], err = toDecimal("points", p); err != nil {
				return nil, err
			}
			v = maps.Clone(v)
			delete(v, "points")
		}
		stripped[i] = v
	}
	call := *c
	call.Args, call.Kwargs = []any{stripped}, withoutKey(c.Kwargs, "vals_list")
	if single {
		call.Args = []any{stripped[0]}
	}
	res, err := create(ctx, &call)
	if err != nil {
		return nil, err
	}
	created := createdIDs(res)
	if len(created) != len(vals) {
		return nil, models.Internal(fmt.Errorf("methods: loyalty.card create returned %v", res))
	}
	for i, id := range created {
		if err := m.setPoints(ctx, c, id, points[i], "points set when the card was created"); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// cardWrite writes the other fields, then moves each card's balance to the
// points written.
func (m *Methods) cardWrite(ctx context.Context, c *models.Call, write models.MethodFunc) (any, error) {
	raw, ok := c.Arg(1, "vals")
	vals, isMap := raw.(map[string]any)
	p, hasPoints := vals["points"]
	if !ok || !isMap || !hasPoints {
		return write(ctx, c)
	}
	target, err := toDecimal("points", p)
	if err != nil {
		return nil, err
	}
	rest := maps.Clone(vals)
	delete(rest, "points")
	call := *c
	ids, _ := c.Arg(0, "ids")
	call.Args, call.Kwargs = []any{ids, rest}, withoutKey(withoutKey(c.Kwargs, "vals"), "ids")
	res, err := write(ctx, &call)
	if err != nil {
		return nil, err
	}
	cards, err := idList(ids)
	if err != nil {
		return nil, err
	}
	for _, id := range cards {
		if err := m.setPoints(ctx, c, id, target, fmt.Sprintf("points written on the card by user %d", c.Env.UID)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// setPoints books target - the card's balance (nothing when equal). On
// PostgreSQL the card row is locked first, so that the difference is taken
// from the balance the adjustment changes (SQLite has one writer).
func (m *Methods) setPoints(ctx context.Context, c *models.Call, card int64, target decimal.Decimal, reason string) error {
	if storeOf(c).dialect == models.DialectPG {
		if _, err := c.DB.ExecContext(ctx, `SELECT 1 FROM loyalty_cards WHERE id = ? FOR UPDATE`, card); err != nil {
			return internal("loyalty.card points", err)
		}
	}
	st, err := m.svc.Card(ctx, c.DB, card)
	if err != nil {
		return err
	}
	diff := target.Round(2).Sub(st.Points)
	if diff.IsZero() {
		return nil
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	_, err = m.svc.Adjust(ctx, c.DB, engine.Movement{Card: card, Points: diff, Reason: reason,
		Key: fmt.Sprintf("loyalty.card:%d:points:%s", card, hex.EncodeToString(b[:]))})
	return err
}

// createdIDs reads create's answer: an id or a list of ids.
func createdIDs(res any) []int64 {
	switch x := res.(type) {
	case int64:
		return []int64{x}
	case []int64:
		return x
	case []any:
		out := make([]int64, 0, len(x))
		for _, v := range x {
			if id, ok := v.(int64); ok {
				out = append(out, id)
			}
		}
		return out
	}
	return nil
}

// idList reads a record method's ids: an id or a list of ids.
func idList(v any) ([]int64, error) {
	switch x := v.(type) {
	case int64:
		return []int64{x}, nil
	case []int64:
		return x, nil
	case []any:
		out := make([]int64, 0, len(x))
		for _, e := range x {
			id, err := toID("ids", e)
			if err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		slices.Sort(out)
		return slices.Compact(out), nil
	}
	return nil, models.TypeErrorf("write: ids must be a list of integers")
}

func withoutKey(kw map[string]any, k string) map[string]any {
	if _, ok := kw[k]; !ok {
		return kw
	}
	out := maps.Clone(kw)
	delete(out, k)
	return out
}
