package models_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// S builds a specification (or a field spec) from alternating names and
// values; a value nil is the empty spec {}.
func S(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		if v == nil {
			v = map[string]any{}
		}
		m[kv[i].(string)] = v
	}
	return m
}

// atVersion returns a copy of env speaking Odoo version v.
func atVersion(env *models.Env, v int) *models.Env {
	e := *env
	e.Version = v
	return &e
}

func TestWebSearchRead(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		// 17: web_read rows, nested many2one, keys in field order.
		got := b.must("loyalty.card", "web_search_read", nil, K("domain", L(),
			"specification", S("code", nil, "points", nil, "program_id", S("fields", S("display_name", nil))),
			"limit", int64(2), "order", "id"))
		require.Equal(t, `{"length":5,"records":[`+
			`{"id":1,"program_id":{"id":2,"display_name":"10% Discount Coupons"},"points":1,"code":"0444-1299-4c24"},`+
			`{"id":2,"program_id":{"id":2,"display_name":"10% Discount Coupons"},"points":0,"code":"0440-d898-4a96"}]}`, ormJSON(t, got))

		// length: exact when the page is not full, else search_count
		// bounded by count_limit; force_search_count always counts.
		cases := []struct {
			name string
			args []any
			kw   map[string]any
			want string
		}{
			{"page not full", L(L(), S()), K("limit", int64(10)), `{"length":5,"records":[{"id":1},{"id":2},{"id":3},{"id":4},{"id":5}]}`},
			{"offset, last page", L(L(), S(), int64(3), int64(10)), nil, `{"length":5,"records":[{"id":4},{"id":5}]}`},
			{"page full: counted", L(L(), S()), K("limit", int64(2)), `{"length":5,"records":[{"id":1},{"id":2}]}`},
			{"counted up to count_limit", L(L(), S()), K("limit", int64(2), "count_limit", int64(3)), `{"length":3,"records":[{"id":1},{"id":2}]}`},
			{"count_limit reached: not counted", L(L(), S(), int64(2), int64(2)), K("count_limit", int64(3)), `{"length":4,"records":[{"id":3},{"id":4}]}`},
			{"full last page counted", L(L(), S(), int64(3), int64(2), false, int64(10)), nil, `{"length":5,"records":[{"id":4},{"id":5}]}`},
			{"force_search_count", L(L(), S()), K("limit", int64(10), "count_limit", int64(2), "context", K("force_search_count", true)), `{"length":2,"records":[{"id":1},{"id":2},{"id":3},{"id":4},{"id":5}]}`},
			{"no limit", L(L(L("program_id", "=", int64(2))), S(), false, false, false, false), nil, `{"length":2,"records":[{"id":1},{"id":2}]}`},
			{"nothing found", L(L(L("id", "=", int64(99))), S("code", nil)), nil, `{"length":0,"records":[]}`},
			{"offset past the end", L(L(), S()), K("offset", int64(10), "limit", int64(2)), `{"length":0,"records":[]}`},
			{"order", L(L(L("points", ">", int64(10))), S("points", nil)), K("order", "points desc"), `{"length":3,"records":[{"id":3,"points":100},{"id":4,"points":50},{"id":5,"points":12.5}]}`},
		}
		for _, tc := range cases {
			require.Equal(t, tc.want, ormJSON(t, b.must("loyalty.card", "web_search_read", tc.args, tc.kw)), tc.name)
		}
		// active_test in the context includes archived programs.
		got = b.must("loyalty.program", "web_search_read", L(L(L("name", "=", "Old Promo")), S("active", nil)), K("context", K("active_test", false)))
		require.Equal(t, `{"length":1,"records":[{"id":4,"active":false}]}`, ormJSON(t, got))

		// 16: field names and search_read rows (many2one as pairs).
		env16 := atVersion(b.admin, 16)
		for _, tc := range []struct {
			args []any
			kw   map[string]any
			want string
		}{
			{L(L(L("program_id", "=", int64(2)))), K("fields", L("code", "program_id"), "limit", int64(1)),
				`{"length":2,"records":[{"id":1,"code":"0444-1299-4c24","program_id":[2,"10% Discount Coupons"]}]}`},
			{L(L(L("program_id", "=", int64(2))), L("code"), int64(0), int64(1), "id desc", int64(1)), nil,
				`{"length":1,"records":[{"id":2,"code":"0440-d898-4a96"}]}`},
			{nil, K("fields", L("code"), "limit", int64(1)), `{"length":5,"records":[{"id":1,"code":"0444-1299-4c24"}]}`},
			{L(L(L("id", "=", int64(99)))), nil, `{"length":0,"records":[]}`},
		} {
			out, err := b.call(env16, "loyalty.card", "web_search_read", tc.args, tc.kw)
			require.NoError(t, err)
			require.Equal(t, tc.want, ormJSON(t, out))
		}
		_, err := b.call(env16, "loyalty.card", "web_search_read", L(L()), K("specification", S()))
		require.Error(t, err, "16 has no specification")

		// Mistakes.
		e := b.fault(b.admin, "loyalty.card", "web_search_read", L(L()), nil)
		require.Equal(t, models.KindType, e.Kind)
		require.Equal(t, "BaseModel.web_search_read() missing 1 required positional argument: 'specification'", e.Message)
		e = b.fault(b.admin, "loyalty.card", "web_search_read", L(L(), L("code")), nil)
		require.Equal(t, models.KindAttribute, e.Kind)
		require.Equal(t, "'list' object has no attribute 'keys'", e.Message)
		e = b.fault(b.admin, "loyalty.card", "web_search_read", L(L(), S("nope", nil)), nil)
		require.Equal(t, "Invalid field 'nope' on model 'loyalty.card'", e.Message)
		e = b.fault(&models.Env{UID: 9, Version: 17}, "loyalty.card", "web_search_read", L(L(), S()), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
	})
}

func TestWebRead(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		b.must("loyalty.card", "write", L(I(2), K("source_pos_order_id", int64(7))), nil)
		cases := []struct {
			name, model string
			args        []any
			want        string
		}{
			{"many2one: nested with fields, id without", "loyalty.card",
				L(I(3, 1), S("code", nil, "program_id", nil, "partner_id", S("fields", S("display_name", nil, "email", nil)))),
				`[{"id":3,"program_id":1,"partner_id":{"id":1,"email":false,"display_name":"Ready Mat"},"code":"POS40-LOYALTY-READYMAT"},` +
					`{"id":1,"program_id":2,"partner_id":false,"code":"0444-1299-4c24"}]`},
			{"many2one: empty fields, context", "loyalty.card",
				L(I(5), S("partner_id", S("fields", S(), "context", K("active_test", false)))),
				`[{"id":5,"partner_id":{"id":2}}]`},
			{"many2one to a model not served", "loyalty.card",
				L(I(2, 1), S("source_pos_order_id", S("fields", S("display_name", nil)))),
				`[{"id":2,"source_pos_order_id":{"id":7,"display_name":"Order 7"}},{"id":1,"source_pos_order_id":false}]`},
			{"nested many2one two levels", "loyalty.card",
				L(I(4), S("program_id", S("fields", S("name", nil, "currency_id", S("fields", S("display_name", nil, "symbol", nil)))))),
				`[{"id":4,"program_id":{"id":3,"name":"Gift Cards","currency_id":{"id":1,"symbol":"$","display_name":"USD"}}}]`},
			{"x2many: ids, ordered ids, dicts with limit", "loyalty.program",
				L(I(1, 2), S("rule_ids", nil, "coupon_ids", S("order", "id desc"),
					"reward_ids", S("fields", S("description", nil, "required_points", nil)))),
				`[{"id":1,"rule_ids":[1],"reward_ids":[{"id":1,"description":"5% on your order","required_points":200}],"coupon_ids":[5,3]},` +
					`{"id":2,"rule_ids":[],"reward_ids":[],"coupon_ids":[2,1]}]`},
			{"x2many: limit leaves the rest as ids", "loyalty.program",
				L(I(1, 2), S("coupon_ids", S("fields", S("code", nil), "order", "id desc", "limit", int64(1)))),
				`[{"id":1,"coupon_ids":[{"id":5,"code":"azure-card"},{"id":3}]},{"id":2,"coupon_ids":[{"id":2,"code":"0440-d898-4a96"},{"id":1}]}]`},
			{"x2many: nested many2one", "loyalty.rule",
				L(I(1), S("product_ids", S("fields", S("display_name", nil, "categ_id", S("fields", S("display_name", nil)))))),
				`[{"id":1,"product_ids":[{"id":1,"categ_id":{"id":3,"display_name":"All / Saleable / Office"},"display_name":"[D1] Desk"}]}]`},
			{"missing records left out", "loyalty.card", L(I(1, 99), S("code", nil)), `[{"id":1,"code":"0444-1299-4c24"}]`},
			{"ids only: no read", "loyalty.card", L(I(1, 99), S()), `[{"id":1},{"id":99}]`},
			{"single id, computed fields", "loyalty.card", L(int64(4), S("display_name", nil, "points_display", nil)),
				`[{"id":4,"points_display":"$` + "\u00a0" + `50.00","display_name":"Gift Cards: GIFT-50"}]`},
		}
		for _, tc := range cases {
			require.Equal(t, tc.want, ormJSON(t, b.must(tc.model, "web_read", tc.args, nil)), tc.name)
		}
		// Specs of plain fields are not looked at; a false x2many spec keeps the ids.
		got := b.must("loyalty.program", "web_read", L(I(2), map[string]any{"name": true, "coupon_ids": false}), nil)
		require.Equal(t, `[{"id":2,"name":"10% Discount Coupons","coupon_ids":[1,2]}]`, ormJSON(t, got))
		// Keyword specification; an ordered *Dict keeps its order.
		got = b.must("loyalty.card", "web_read", L(I(5)), K("specification", models.D("code", S(), "points", S())))
		require.Equal(t, `[{"id":5,"code":"azure-card","points":12.5}]`, ormJSON(t, got))

		// display_name of a many2one needs no access to the comodel; other
		// fields do. A POS user may not read res.partner.
		pos := &models.Env{UID: 7, Version: 17, Groups: map[string]bool{"point_of_sale.group_pos_user": true}}
		out, err := b.call(pos, "loyalty.card", "web_read", L(I(3), S("partner_id", S("fields", S("display_name", nil)))), nil)
		require.NoError(t, err)
		require.Equal(t, `[{"id":3,"partner_id":{"id":1,"display_name":"Ready Mat"}}]`, ormJSON(t, out))
		e := b.fault(pos, "loyalty.card", "web_read", L(I(3), S("partner_id", S("fields", S("email", nil)))), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		require.Contains(t, e.Message, "(res.partner)")

		// Mistakes.
		for _, tc := range []struct {
			args []any
			kind models.Kind
			msg  string
		}{
			{L(I(1)), models.KindType, "BaseModel.web_read() missing 1 required positional argument: 'specification'"},
			{L(I(1), nil), models.KindType, "'NoneType' object is not iterable"},
			{L(I(1), L("code")), models.KindAttribute, "'list' object has no attribute 'items'"},
			{L(I(1), S("foo", nil)), models.KindValue, "Invalid field 'foo' on model 'loyalty.card'"},
			{L(I(1), S("partner_id", S("fields", S("foo", nil)))), models.KindValue, "Invalid field 'foo' on model 'res.partner'"},
			{L(I(1), S("partner_id", true)), models.KindType, "argument of type 'bool' is not iterable"},
			{L(I(1), map[string]any{"program_id": nil}), models.KindType, "argument of type 'NoneType' is not iterable"},
			{L(I(1), S("source_pos_order_id", S("fields", S("name", nil)))), models.KindUser, "Object pos.order doesn't exist"},
		} {
			e := b.fault(b.admin, "loyalty.card", "web_read", tc.args, nil)
			require.Equal(t, tc.kind, e.Kind, tc.msg)
			require.Equal(t, tc.msg, e.Message)
		}
		e = b.fault(atVersion(b.admin, 16), "loyalty.card", "web_read", L(I(1), S()), nil)
		require.Equal(t, models.KindAttribute, e.Kind)
		require.Equal(t, "The method 'web_read' does not exist on the model 'loyalty.card'", e.Message)
	})
}

func TestWebSaveAndSearchFetch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		spec := S("name", nil, "program_type", nil, "rule_ids", S("fields", S("reward_point_mode", nil, "minimum_qty", nil)))
		// Create (no ids), with x2many commands.
		got := b.must("loyalty.program", "web_save", L(L(), K("name", "Summer", "program_type", "promotion",
			"rule_ids", L(L(int64(0), int64(0), K("reward_point_mode", "unit", "minimum_qty", int64(2)))))), K("specification", spec))
		require.Equal(t, `[{"id":5,"name":"Summer","rule_ids":[{"id":2,"reward_point_mode":"unit","minimum_qty":2}],"program_type":"promotion"}]`, ormJSON(t, got))
		// Write.
		got = b.must("loyalty.program", "web_save", L(I(5), K("name", "Summer 2026"), S("name", nil, "write_uid", nil)), nil)
		require.Equal(t, `[{"id":5,"name":"Summer 2026","write_uid":2}]`, ormJSON(t, got))
		// next_id: the record read is the next one.
		got = b.must("loyalty.program", "web_save", L(I(5), K("sequence", int64(3)), S("name", nil)), K("next_id", int64(2)))
		require.Equal(t, `[{"id":2,"name":"10% Discount Coupons"}]`, ormJSON(t, got))
		got = b.must("loyalty.program", "read", L(I(5), L("sequence")), nil)
		require.Equal(t, `[{"id":5,"sequence":3}]`, ormJSON(t, got))
		// Cards are created the same way.
		got = b.must("loyalty.card", "web_save", L(L(), K("program_id", int64(1), "code", "WS-1", "points", 5.5), S("code", nil, "points", nil)), nil)
		require.Equal(t, `[{"id":6,"points":5.5,"code":"WS-1"}]`, ormJSON(t, got))

		e := b.fault(b.admin, "loyalty.program", "web_save", L(I(99), K("name", "x"), S()), nil)
		require.Equal(t, models.KindMissing, e.Kind)
		e = b.fault(b.demo, "loyalty.program", "web_save", L(L(), K("name", "Nope"), S()), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		e = b.fault(b.demo, "loyalty.program", "web_save", L(I(1), K("name", "Nope"), S()), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		e = b.fault(b.admin, "loyalty.program", "web_save", L(I(1), L(), S()), nil)
		require.Equal(t, "'list' object has no attribute 'items'", e.Message)
		e = b.fault(b.admin, "loyalty.program", "web_save", L(L(), K("name", "Bad spec")), nil)
		require.Equal(t, "BaseModel.web_save() missing 1 required positional argument: 'specification'", e.Message)
		// A failing read after the create rolls the create back.
		e = b.fault(b.admin, "loyalty.program", "web_save", L(L(), K("name", "Rolled back"), S("nope", nil)), nil)
		require.Equal(t, models.KindValue, e.Kind)
		require.Equal(t, int64(0), b.must("loyalty.program", "search_count", L(L(L("name", "in", L("Nope", "Rolled back")))), nil))
		e = b.fault(atVersion(b.admin, 16), "loyalty.program", "web_save", L(L(), K("name", "x"), S()), nil)
		require.Equal(t, models.KindAttribute, e.Kind)

		// search_fetch: ids, positional or keyword.
		require.Equal(t, []int64{1, 2}, b.must("loyalty.card", "search_fetch", L(L(L("program_id", "=", int64(2))), L("code")), nil))
		require.Equal(t, []int64{5, 4}, b.must("loyalty.card", "search_fetch", L(L(), L("code"), int64(1), int64(2), "id desc"), nil))
		require.Equal(t, []int64{3}, b.must("loyalty.card", "search_fetch", nil, K("domain", L(L("points", "=", int64(100))),
			"field_names", L(), "limit", false, "order", false)))
		e = b.fault(b.admin, "loyalty.card", "search_fetch", L(L()), nil)
		require.Equal(t, "BaseModel.search_fetch() missing 1 required positional argument: 'field_names'", e.Message)
		e = b.fault(b.admin, "loyalty.card", "search_fetch", L(L(), L("nope")), nil)
		require.Equal(t, "Invalid field 'nope' on model 'loyalty.card'", e.Message)
		e = b.fault(&models.Env{UID: 9, Version: 17}, "loyalty.card", "search_fetch", L(L(), L()), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		e = b.fault(atVersion(b.admin, 16), "loyalty.card", "search_fetch", L(L(), L()), nil)
		require.Equal(t, models.KindAttribute, e.Kind)
		// Version 18 has them all.
		_, err := b.call(atVersion(b.admin, 18), "loyalty.card", "search_fetch", L(L(), L()), nil)
		require.NoError(t, err)
	})
}

// queryCounter is a bun query hook counting statements.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	q.n.Add(1)
	return ctx
}

func (q *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

// TestWebReadBatches checks that nested specifications cost a fixed
// number of queries, whatever the number of records.
func TestWebReadBatches(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		counter := &queryCounter{}
		db.AddQueryHook(counter)
		queries := func(model string, args []any) int64 {
			before := counter.n.Load()
			b.must(model, "web_read", args, nil)
			return counter.n.Load() - before
		}
		card := S("display_name", nil, "partner_id", S("fields", S("display_name", nil, "email", nil)),
			"program_id", S("fields", S("name", nil, "currency_id", S("fields", S("display_name", nil, "symbol", nil)))))
		one, all := queries("loyalty.card", L(I(3), card)), queries("loyalty.card", L(I(3, 4, 5), card))
		require.Equal(t, one, all)
		program := S("name", nil, "coupon_ids", S("fields", card, "order", "code"), "rule_ids", S("fields", S("product_ids", S())))
		one, all = queries("loyalty.program", L(I(1), program)), queries("loyalty.program", L(I(1, 2, 3), program))
		require.Equal(t, one, all)
		require.Greater(t, one, int64(3))
		require.Less(t, all, int64(20))
	})
}
