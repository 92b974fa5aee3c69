package models_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// ormT is one test's registry over a fresh database, with the admin
// (all four groups) and a demo user (internal user only).
type ormT struct {
	t     *testing.T
	reg   *models.Registry
	db    *models.DB
	admin *models.Env
	demo  *models.Env
}

func ormSetup(t *testing.T, db *models.DB) *ormT {
	t.Helper()
	reg := models.NewRegistry(db, dbtest.Logger(t))
	require.NoError(t, reg.Register(models.Builtin()...))
	return &ormT{
		t: t, reg: reg, db: db,
		admin: &models.Env{UID: 2, Version: 17, Groups: map[string]bool{
			"base.group_user": true, "base.group_system": true,
			"point_of_sale.group_pos_user": true, "point_of_sale.group_pos_manager": true,
		}},
		demo: &models.Env{UID: 6, Version: 17, Groups: map[string]bool{"base.group_user": true}},
	}
}

// call runs model.method as env.
func (b *ormT) call(env *models.Env, model, method string, args []any, kw map[string]any) (any, error) {
	return b.reg.Execute(context.Background(), env, model, method, args, kw)
}

// must runs model.method as admin and fails the test on error.
func (b *ormT) must(model, method string, args []any, kw map[string]any) any {
	b.t.Helper()
	out, err := b.call(b.admin, model, method, args, kw)
	require.NoError(b.t, err, "%s.%s", model, method)
	return out
}

// fault runs model.method as env and returns the *models.Error it must fail with.
func (b *ormT) fault(env *models.Env, model, method string, args []any, kw map[string]any) *models.Error {
	b.t.Helper()
	_, err := b.call(env, model, method, args, kw)
	require.Error(b.t, err, "%s.%s must fail", model, method)
	var e *models.Error
	require.True(b.t, errors.As(err, &e), "%s.%s: %v is not a *models.Error", model, method, err)
	return e
}

// create creates one record as admin and returns its id.
func (b *ormT) create(model string, vals map[string]any) int64 {
	b.t.Helper()
	id, ok := b.must(model, "create", []any{vals}, nil).(int64)
	require.True(b.t, ok)
	return id
}

// ormJSON renders a result as compact JSON with decimals as numbers.
func ormJSON(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(ormNorm(v))
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, raw))
	return buf.String()
}

func ormNorm(v any) any {
	switch x := v.(type) {
	case decimal.Decimal:
		return json.Number(x.String())
	case *models.Dict:
		d := models.NewDict(x.Len())
		for _, k := range x.Keys() {
			val, _ := x.Get(k)
			d.Set(k, ormNorm(val))
		}
		return d
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = ormNorm(e)
		}
		return out
	}
	return v
}

// L builds an argument list.
func L(vals ...any) []any { return vals }

// K builds keyword arguments from alternating names and values.
func K(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// I is a list of int64 ids as the codecs decode them.
func I(ids ...int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// fixture creates the shared data set through the ORM:
//
//	currencies 1 USD (seed, $ before), 2 EUR (€ after)
//	partners   1 Ready Mat, 2 Azure Interior, 3 Deco Addict (archived)
//	categories 1 All, 2 Saleable < All, 3 Office < Saleable
//	products   1 [D1] Desk (Office), 2 Chair (Saleable), 3 Lamp (archived)
//	programs   1 Loyalty Program (loyalty, seq 5, a rule on Desk, a reward)
//	           2 10% Discount Coupons (coupons, seq 10)
//	           3 Gift Cards (gift_card, seq 1, point name $)
//	           4 Old Promo (archived)
//	cards      1 P2 0444-1299-4c24 1pt, 2 P2 0440-d898-4a96 0pt,
//	           3 P1 Ready Mat POS40-LOYALTY-READYMAT 100pt,
//	           4 P3 Azure GIFT-50 50pt expired 2020-01-01,
//	           5 P1 Azure azure-card 12.5pt
func (b *ormT) fixture() {
	b.t.Helper()
	b.create("res.currency", K("name", "EUR", "symbol", "€", "position", "after"))
	b.create("res.partner", K("name", "Ready Mat"))
	b.create("res.partner", K("name", "Azure Interior", "email", "azure@example.com"))
	b.create("res.partner", K("name", "Deco Addict", "active", false))
	b.create("product.category", K("name", "All"))
	b.create("product.category", K("name", "Saleable", "parent_id", int64(1)))
	b.create("product.category", K("name", "Office", "parent_id", int64(2)))
	b.create("product.product", K("name", "Desk", "default_code", "D1", "categ_id", int64(3), "lst_price", 100.5))
	b.create("product.product", K("name", "Chair", "categ_id", int64(2)))
	b.create("product.product", K("name", "Lamp", "categ_id", int64(1), "active", false))
	b.create("loyalty.program", K("name", "Loyalty Program", "program_type", "loyalty", "sequence", int64(5),
		"applies_on", "both",
		"rule_ids", L(L(int64(0), int64(0), K("reward_point_mode", "money", "product_ids", L(L(int64(6), int64(0), I(1)))))),
		"reward_ids", L(L(int64(0), int64(0), K("description", "5% on your order", "required_points", int64(200))))))
	b.create("loyalty.program", K("name", "10% Discount Coupons", "program_type", "coupons"))
	b.create("loyalty.program", K("name", "Gift Cards", "program_type", "gift_card", "sequence", int64(1),
		"portal_point_name", "$"))
	b.create("loyalty.program", K("name", "Old Promo", "active", false))
	b.create("loyalty.card", K("program_id", int64(2), "code", "0444-1299-4c24", "points", 1.0))
	b.create("loyalty.card", K("program_id", int64(2), "code", "0440-d898-4a96"))
	b.create("loyalty.card", K("program_id", int64(1), "partner_id", int64(1), "code", "POS40-LOYALTY-READYMAT", "points", int64(100)))
	b.create("loyalty.card", K("program_id", int64(3), "partner_id", int64(2), "code", "GIFT-50", "points", "50",
		"expiration_date", "2020-01-01"))
	b.create("loyalty.card", K("program_id", int64(1), "partner_id", int64(2), "code", "azure-card", "points", 12.5))
}
