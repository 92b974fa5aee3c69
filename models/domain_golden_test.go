package models

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Golden SQL: each case compiles a domain and an order for both dialects
// and compares the SQL and its arguments with
// testdata/domain/<case>.<pg|sqlite>.sql. Run `go test ./models -run
// TestDomainGolden -update` to rewrite the files after a deliberate change.

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// goldenCases are the domains of the golden files.
var goldenCases = []struct {
	name, model, domain, order string
	ctx                        map[string]any
}{
	{name: "empty_card", model: "loyalty.card", domain: `[]`},
	{name: "empty_program_active", model: "loyalty.program", domain: `[]`},
	{name: "active_mentioned", model: "loyalty.program", domain: `[["active", "=", false]]`},
	{name: "active_test_off", model: "loyalty.program", domain: `[]`, ctx: map[string]any{"active_test": false}},
	{name: "eq_id", model: "loyalty.card", domain: `[["program_id", "=", 4]]`},
	{name: "eq_false_char", model: "loyalty.card", domain: `[["code", "=", false]]`},
	{name: "ne_false_char", model: "loyalty.card", domain: `[["code", "!=", false]]`},
	{name: "eq_false_bool", model: "loyalty.program", domain: `[["pos_ok", "=", false]]`},
	{name: "ne_false_bool", model: "loyalty.program", domain: `[["pos_ok", "!=", false]]`},
	{name: "eq_true_bool", model: "loyalty.program", domain: `[["pos_ok", "=", true]]`},
	{name: "ne_value", model: "loyalty.card", domain: `[["code", "!=", "X"]]`},
	{name: "gt_decimal", model: "loyalty.card", domain: `[["points", ">", 0]]`},
	{name: "le_decimal_float", model: "loyalty.card", domain: `[["points", "<=", 12.25]]`},
	{name: "lt_date", model: "loyalty.card", domain: `[["expiration_date", "<", "2030-01-01"]]`},
	{name: "datetime_day_end", model: "loyalty.card", domain: `[["create_date", "<=", "2024-01-01"]]`},
	{name: "datetime_day_start", model: "loyalty.card", domain: `[["create_date", ">=", "2024-01-01"]]`},
	{name: "in_ids", model: "loyalty.card", domain: `[["id", "in", [1, 2, 3]]]`},
	{name: "in_with_false", model: "loyalty.card", domain: `[["partner_id", "in", [1, false]]]`},
	{name: "not_in", model: "loyalty.card", domain: `[["partner_id", "not in", [1, 2]]]`},
	{name: "not_in_with_false", model: "loyalty.card", domain: `[["partner_id", "not in", [1, false]]]`},
	{name: "in_empty", model: "loyalty.card", domain: `[["code", "in", []]]`},
	{name: "not_in_empty", model: "loyalty.card", domain: `[["code", "not in", []]]`},
	{name: "in_bool", model: "loyalty.program", domain: `[["pos_ok", "in", [false]]]`},
	{name: "like", model: "loyalty.card", domain: `[["code", "like", "04_*"]]`},
	{name: "ilike", model: "loyalty.card", domain: `[["code", "ilike", "Abc"]]`},
	{name: "not_like", model: "loyalty.card", domain: `[["code", "not like", "abc"]]`},
	{name: "not_ilike", model: "loyalty.card", domain: `[["code", "not ilike", "abc"]]`},
	{name: "eq_like", model: "loyalty.card", domain: `[["code", "=like", "044%"]]`},
	{name: "eq_ilike", model: "loyalty.card", domain: `[["code", "=ilike", "044%"]]`},
	{name: "ilike_number_column", model: "loyalty.card", domain: `[["points", "ilike", 12]]`},
	{name: "eq_if_set_false", model: "loyalty.card", domain: `[["code", "=?", false]]`},
	{name: "eq_if_set_value", model: "loyalty.card", domain: `[["code", "=?", "x"]]`},
	{name: "or_not", model: "loyalty.card", domain: `["|", ["code", "=", "a"], "!", ["points", ">", 1]]`},
	{name: "not_eq_if_set", model: "loyalty.card", domain: `["!", ["code", "=?", "a"]]`},
	{name: "constants", model: "loyalty.card", domain: `["|", [0, "=", 1], [1, "=", 1]]`},
	{name: "m2o_path", model: "loyalty.card", domain: `[["partner_id.name", "ilike", "mat"]]`},
	{name: "m2o_path_two_hops", model: "loyalty.card", domain: `[["program_id.currency_id.name", "=", "USD"]]`},
	{name: "m2o_name", model: "loyalty.card", domain: `[["partner_id", "=", "Ready Mat"]]`},
	{name: "m2o_name_negative", model: "loyalty.card", domain: `[["partner_id", "not ilike", "mat"]]`},
	{name: "m2o_names_list", model: "loyalty.card", domain: `[["program_id", "in", ["A", "B"]]]`},
	{name: "m2o_false", model: "loyalty.card", domain: `[["partner_id", "=", false]]`},
	{name: "related_selection", model: "loyalty.card", domain: `[["program_type", "=", "loyalty"]]`},
	{name: "related_path", model: "loyalty.card", domain: `[["currency_id.name", "=", "USD"]]`},
	{name: "o2m_path", model: "loyalty.program", domain: `[["coupon_ids.code", "=", "X"]]`},
	{name: "o2m_ids", model: "loyalty.program", domain: `[["rule_ids", "in", [1, 2]]]`},
	{name: "o2m_not_in", model: "loyalty.program", domain: `[["rule_ids", "not in", [1]]]`},
	{name: "o2m_false", model: "loyalty.program", domain: `[["rule_ids", "=", false]]`},
	{name: "o2m_not_false", model: "loyalty.program", domain: `[["rule_ids", "!=", false]]`},
	{name: "m2m_id", model: "loyalty.rule", domain: `[["product_ids", "=", 5]]`},
	{name: "m2m_name", model: "loyalty.rule", domain: `[["product_ids", "ilike", "desk"]]`},
	{name: "m2m_not_name", model: "loyalty.rule", domain: `[["product_ids", "not ilike", "desk"]]`},
	{name: "m2m_false", model: "loyalty.rule", domain: `[["product_ids", "=", false]]`},
	{name: "any_o2m", model: "loyalty.program", domain: `[["rule_ids", "any", [["minimum_qty", ">", 2]]]]`},
	{name: "not_any_m2o", model: "loyalty.card", domain: `[["partner_id", "not any", [["name", "=", "x"]]]]`},
	{name: "any_m2m", model: "loyalty.rule", domain: `[["product_ids", "any", [["categ_id.name", "=", "Office"]]]]`},
	{name: "child_of_tree", model: "product.product", domain: `[["categ_id", "child_of", 1]]`},
	{name: "parent_of_tree", model: "product.category", domain: `[["id", "parent_of", [3]]]`},
	{name: "child_of_flat", model: "loyalty.card", domain: `[["partner_id", "child_of", [1]]]`},
	{name: "child_of_name", model: "product.product", domain: `[["categ_id", "child_of", "All"]]`},
	{name: "display_name_as_code", model: "loyalty.card", domain: `[["display_name", "ilike", "044"]]`},
	{name: "value_injection", model: "loyalty.card", domain: `[["code", "=", "x'; DROP TABLE loyalty_cards; --"]]`},
	{name: "order_m2o_desc", model: "loyalty.card", domain: `[]`, order: "program_id desc, code"},
	{name: "order_nulls", model: "loyalty.card", domain: `[]`, order: "expiration_date DESC NULLS LAST, partner_id"},
	{name: "order_default_partner", model: "res.partner", domain: `[]`},
	{name: "order_quoted_id", model: "loyalty.card", domain: `[]`, order: `"id" desc`},
}

func goldenRegistry(t testing.TB) *Registry {
	t.Helper()
	reg := NewRegistry(nil, nil)
	require.NoError(t, reg.Register(Builtin()...))
	return reg
}

// fmtArgs prints arguments with their Go types, which differ by dialect.
func fmtArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprintf("%T(%#v)", a, a)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func TestDomainGolden(t *testing.T) {
	t.Parallel()
	reg := goldenRegistry(t)
	for _, tc := range goldenCases {
		for _, dialect := range []string{DialectPG, DialectSQLite} {
			t.Run(tc.name+"/"+dialect, func(t *testing.T) {
				t.Parallel()
				m := reg.Model(tc.model)
				require.NotNil(t, m)
				env := &Env{UID: 2, Version: 17, Context: tc.ctx}
				cond, args, err := reg.Where(env, m, dialect, dom(t, tc.domain))
				require.NoError(t, err)
				require.Equal(t, strings.Count(cond, "?"), len(args), "one placeholder per argument")
				order, err := reg.OrderBy(m, dialect, tc.order)
				require.NoError(t, err)
				got := fmt.Sprintf("-- %s %s order=%q\nSELECT \"t0\".\"id\" FROM %s AS \"t0\"\nWHERE %s\nORDER BY %s\n-- args: %s\n",
					tc.model, tc.domain, tc.order, qi(m.Table), cond, order, fmtArgs(args))
				path := filepath.Join("..", "testdata", "domain", tc.name+"."+dialect+".sql")
				if updateGolden() {
					require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
					require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
					return
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "missing golden file: run with -update")
				require.Equal(t, string(want), got)
			})
		}
	}
}
