package models_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// jdom decodes a domain written as JSON into wire values.
func jdom(t testing.TB, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	require.NoError(t, d.Decode(&v), s)
	return ormWire(v)
}

func ormWire(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = ormWire(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = ormWire(x[k])
		}
	}
	return v
}

// TestDomainSearch runs the same domains on both backends against the
// fixture and checks the ids found, in order.
func TestDomainSearch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, model, domain, order string
		ctx                        map[string]any
		want                       []int64
	}{
		{"all cards", "loyalty.card", `[]`, "", nil, []int64{1, 2, 3, 4, 5}},
		{"points gt 0", "loyalty.card", `[["points", ">", 0]]`, "", nil, []int64{1, 3, 4, 5}},
		{"points eq decimal", "loyalty.card", `[["points", "=", 12.5]]`, "", nil, []int64{5}},
		{"points ge", "loyalty.card", `[["points", ">=", 12.5]]`, "", nil, []int64{3, 4, 5}},
		{"points lt 1", "loyalty.card", `[["points", "<", 1]]`, "", nil, []int64{2}},
		{"no partner", "loyalty.card", `[["partner_id", "=", false]]`, "", nil, []int64{1, 2}},
		{"some partner", "loyalty.card", `[["partner_id", "!=", false]]`, "", nil, []int64{3, 4, 5}},
		{"partner by name", "loyalty.card", `[["partner_id", "=", "Ready Mat"]]`, "", nil, []int64{3}},
		{"partner ilike", "loyalty.card", `[["partner_id", "ilike", "MAT"]]`, "", nil, []int64{3}},
		{"partner not ilike keeps empty", "loyalty.card", `[["partner_id", "not ilike", "mat"]]`, "", nil, []int64{1, 2, 4, 5}},
		{"partner path", "loyalty.card", `[["partner_id.name", "ilike", "AZURE"]]`, "", nil, []int64{4, 5}},
		{"partner in with false", "loyalty.card", `[["partner_id", "in", [1, false]]]`, "", nil, []int64{1, 2, 3}},
		{"partner not in keeps null", "loyalty.card", `[["partner_id", "not in", [1]]]`, "", nil, []int64{1, 2, 4, 5}},
		{"partner not in with false", "loyalty.card", `[["partner_id", "not in", [1, false]]]`, "", nil, []int64{4, 5}},
		{"partner ne value keeps null", "loyalty.card", `[["partner_id", "!=", 1]]`, "", nil, []int64{1, 2, 4, 5}},
		{"like is case-sensitive", "loyalty.card", `[["code", "like", "READY"]]`, "", nil, []int64{3}},
		{"like lower finds nothing", "loyalty.card", `[["code", "like", "ready"]]`, "", nil, []int64{}},
		{"like wildcard kept", "loyalty.card", `[["code", "like", "044_-"]]`, "", nil, []int64{1, 2}},
		{"ilike", "loyalty.card", `[["code", "ilike", "ready"]]`, "", nil, []int64{3}},
		{"eq like", "loyalty.card", `[["code", "=like", "044%"]]`, "", nil, []int64{1, 2}},
		{"eq like underscore", "loyalty.card", `[["code", "=like", "0440-d898-4a9_"]]`, "", nil, []int64{2}},
		{"eq ilike", "loyalty.card", `[["code", "=ilike", "gift%"]]`, "", nil, []int64{4}},
		{"not ilike", "loyalty.card", `[["code", "not ilike", "0"]]`, "", nil, []int64{5}},
		{"not like", "loyalty.card", `[["code", "not like", "-"]]`, "", nil, []int64{}},
		{"date before", "loyalty.card", `[["expiration_date", "<", "2021-01-01"]]`, "", nil, []int64{4}},
		{"no date", "loyalty.card", `[["expiration_date", "=", false]]`, "", nil, []int64{1, 2, 3, 5}},
		{"created today or before", "loyalty.card", `[["create_date", "<=", "2999-12-31"]]`, "", nil, []int64{1, 2, 3, 4, 5}},
		{"related selection", "loyalty.card", `[["program_type", "=", "loyalty"]]`, "", nil, []int64{3, 5}},
		{"program path in", "loyalty.card", `[["program_id.program_type", "in", ["coupons", "gift_card"]]]`, "", nil, []int64{1, 2, 4}},
		{"program by name", "loyalty.card", `[["program_id", "=", "Gift Cards"]]`, "", nil, []int64{4}},
		{"child_of without parent", "loyalty.card", `[["program_id", "child_of", [1]]]`, "", nil, []int64{3, 5}},
		{"related path", "loyalty.card", `[["currency_id.name", "=", "USD"]]`, "", nil, []int64{1, 2, 3, 4, 5}},
		{"display name", "loyalty.card", `[["display_name", "ilike", "gift"]]`, "", nil, []int64{4}},
		{"or not", "loyalty.card", `["|", ["code", "=", "GIFT-50"], "!", ["points", ">", 1]]`, "", nil, []int64{1, 2, 4}},
		{"any", "loyalty.card", `[["program_id", "any", [["name", "ilike", "loyalty"]]]]`, "", nil, []int64{3, 5}},
		{"not any", "loyalty.card", `[["program_id", "not any", [["program_type", "=", "coupons"]]]]`, "", nil, []int64{3, 4, 5}},
		{"in empty", "loyalty.card", `[["id", "in", []]]`, "", nil, []int64{}},
		{"not in empty", "loyalty.card", `[["id", "not in", []]]`, "", nil, []int64{1, 2, 3, 4, 5}},
		{"eq if set", "loyalty.card", `[["code", "=?", false], ["points", "=?", 100]]`, "", nil, []int64{3}},
		{"order m2o asc", "loyalty.card", `[]`, "partner_id, id desc", nil, []int64{5, 4, 3, 2, 1}},
		{"order date desc nulls first", "loyalty.card", `[]`, "expiration_date desc, id", nil, []int64{1, 2, 3, 5, 4}},
		{"order date asc nulls last", "loyalty.card", `[]`, "expiration_date, id", nil, []int64{4, 1, 2, 3, 5}},
		{"order explicit nulls", "loyalty.card", `[]`, "expiration_date asc nulls first, id desc", nil, []int64{5, 3, 2, 1, 4}},
		{"order decimal", "loyalty.card", `[]`, "points desc", nil, []int64{3, 4, 5, 1, 2}},
		{"order m2o desc by program order", "loyalty.card", `[]`, "program_id desc, id", nil, []int64{1, 2, 3, 5, 4}},
		{"programs active by sequence", "loyalty.program", `[]`, "", nil, []int64{3, 1, 2}},
		{"archived programs", "loyalty.program", `[["active", "=", false]]`, "", nil, []int64{4}},
		{"active_test off", "loyalty.program", `[]`, "", map[string]any{"active_test": false}, []int64{3, 1, 2, 4}},
		{"o2m path two hops", "loyalty.program", `[["coupon_ids.partner_id.name", "=", "Azure Interior"]]`, "", nil, []int64{3, 1}},
		{"o2m has some", "loyalty.program", `[["rule_ids", "!=", false]]`, "", nil, []int64{1}},
		{"o2m has none", "loyalty.program", `[["rule_ids", "=", false]]`, "", nil, []int64{3, 2}},
		{"o2m ids", "loyalty.program", `[["coupon_ids", "in", [4, 5]]]`, "", nil, []int64{3, 1}},
		{"o2m not in ids", "loyalty.program", `[["coupon_ids", "not in", [1]]]`, "", nil, []int64{3, 1}},
		{"o2m by name", "loyalty.program", `[["coupon_ids", "=like", "GIFT%"]]`, "", nil, []int64{3}},
		{"m2m path", "loyalty.program", `[["rule_ids.product_ids", "ilike", "desk"]]`, "", nil, []int64{1}},
		{"m2m id", "loyalty.rule", `[["product_ids", "=", 1]]`, "", nil, []int64{1}},
		{"m2m not in", "loyalty.rule", `[["product_ids", "not in", [1]]]`, "", nil, []int64{}},
		{"m2m none", "loyalty.rule", `[["product_ids", "=", false]]`, "", nil, []int64{}},
		{"child_of tree", "product.product", `[["categ_id", "child_of", 2]]`, "", nil, []int64{1, 2}},
		{"child_of by name", "product.product", `[["categ_id", "child_of", "Saleable"]]`, "", nil, []int64{1, 2}},
		{"child_of archived too", "product.product", `[["categ_id", "child_of", 1]]`, "", map[string]any{"active_test": false}, []int64{1, 2, 3}},
		{"parent_of", "product.category", `[["id", "parent_of", [3]]]`, "", nil, []int64{1, 3, 2}},
		{"partners order", "res.partner", `[["name", "ilike", "a"]]`, "", nil, []int64{2, 1}},
		{"bool false matches null", "res.partner", `[["active", "=", false]]`, "", nil, []int64{3}},
		{"rewards by points", "loyalty.reward", `[["required_points", ">", 100]]`, "", nil, []int64{1}},
	}
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				env := *b.admin
				env.Context = tc.ctx
				kw := K("order", tc.order)
				if tc.ctx != nil {
					kw["context"] = tc.ctx
				}
				got, err := b.call(&env, tc.model, "search", L(jdom(t, tc.domain)), kw)
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
				n, err := b.call(&env, tc.model, "search_count", L(jdom(t, tc.domain)), K("context", tc.ctx))
				require.NoError(t, err)
				require.Equal(t, int64(len(tc.want)), n)
			})
		}
	})
}

// TestInjection sends hostile field names, operators, orders and values:
// names and operators are refused before any SQL exists, values are
// arguments and match literally.
func TestInjection(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		hostile := []string{
			`x'); DROP TABLE loyalty_cards; --`, `a?b`, `?0`, `back\slash\`, `"quoted"`, `100%_off`, `$1`, `' OR '1'='1`,
		}
		for _, code := range hostile {
			id := b.create("loyalty.card", K("program_id", int64(2), "code", code))
			got := b.must("loyalty.card", "search", L(L(L("code", "=", code))), nil)
			require.Equal(t, []int64{id}, got, "code %q", code)
			got = b.must("loyalty.card", "search", L(L(L("code", "in", L(code, "nothing")))), nil)
			require.Equal(t, []int64{id}, got, "code %q", code)
			rows := b.must("loyalty.card", "read", L(id, L("code")), nil)
			require.Equal(t, `[{"id":`+ormJSON(t, id)+`,"code":`+ormJSON(t, code)+`}]`, ormJSON(t, rows))
		}
		// % and _ keep their wildcard meaning in like, as in Odoo.
		got := b.must("loyalty.card", "search", L(L(L("code", "=like", "100%_off"))), nil)
		require.Len(t, got, 1)
		got = b.must("loyalty.card", "search", L(L(L("code", "ilike", `'`))), nil)
		require.Len(t, got, 2)

		refused := []struct {
			name, model, method string
			args                []any
			kw                  map[string]any
			kind                models.Kind
			msg                 string
		}{
			{"field name", "loyalty.card", "search", L(L(L(`code" = 'x' OR "1`, "=", "x"))), nil, models.KindValue,
				`Invalid field loyalty.card.code" = 'x' OR "1 in leaf ('code" = \'x\' OR "1', '=', 'x')`},
			{"field path", "loyalty.card", "search", L(L(L("partner_id.name;DROP", "=", "x"))), nil, models.KindValue,
				"Invalid field res.partner.name;DROP in leaf ('name;DROP', '=', 'x')"},
			{"operator", "loyalty.card", "search", L(L(L("code", "= 'x' OR 1=1 --", "x"))), nil, models.KindValue,
				`Invalid leaf ('code', "= 'x' OR 1=1 --", 'x')`},
			{"order statement", "loyalty.card", "search", L(L()), K("order", "id; DROP TABLE loyalty_cards"), models.KindUser,
				`Invalid "order" specified (id; DROP TABLE loyalty_cards). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`},
			{"order subquery", "loyalty.card", "search", L(L()), K("order", "(SELECT 1)"), models.KindUser,
				`Invalid "order" specified ((SELECT 1)). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`},
			{"order unknown field", "loyalty.card", "search", L(L()), K("order", "pg_sleep desc"), models.KindValue,
				"Invalid field 'pg_sleep' on model 'loyalty.card'"},
			{"read field", "loyalty.card", "read", L(I(1), L(`code"; --`)), nil, models.KindValue,
				`Invalid field 'code"; --' on model 'loyalty.card'`},
			{"create key", "loyalty.card", "create", L(K("program_id", int64(2), "code = 'x'--", "y")), nil, models.KindValue,
				`Invalid field "code = 'x'--" on model 'loyalty.card'`},
			{"nul value", "loyalty.card", "search", L(L(L("code", "=", "a\x00b"))), nil, models.KindValue,
				"A string literal cannot contain NUL (0x00) characters."},
		}
		for _, tc := range refused {
			e := b.fault(b.admin, tc.model, tc.method, tc.args, tc.kw)
			require.Equal(t, tc.kind, e.Kind, tc.name)
			require.Equal(t, tc.msg, e.Message, tc.name)
		}
		n := b.must("loyalty.card", "search_count", L(L()), nil)
		require.Equal(t, int64(5+len(hostile)), n, "the table is intact")
	})
}
