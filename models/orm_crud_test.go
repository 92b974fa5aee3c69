package models_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

const fkProgramMsg = "The operation cannot be completed: another model requires the record being deleted." +
	" If possible, archive it instead.\n\nModel: Loyalty Coupon (loyalty.card)\nConstraint: loyalty_card_program_id_fkey\n"

func TestCreate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()

		// capture 06: a dict gives an int; a list gives a list.
		id := b.must("loyalty.card", "create", L(K("program_id", int64(4), "partner_id", int64(1), "points", 5.5,
			"code", "PEER-CAPTURE-0001")), nil)
		require.Equal(t, int64(6), id)
		ids := b.must("loyalty.card", "create", L(L(K("program_id", int64(2)), K("program_id", int64(2)))), nil)
		require.Equal(t, []int64{7, 8}, ids)
		require.Equal(t, []int64{}, b.must("loyalty.card", "create", L(L()), nil))

		// Defaults: a generated code, 0 points, the program's company; the
		// magic and computed fields given are ignored.
		rows := b.must("loyalty.card", "read", L(I(7), L("code", "points", "company_id", "use_count")), nil)
		code := rows.([]any)[0].(*models.Dict)
		c, _ := code.Get("code")
		require.Regexp(t, regexp.MustCompile(`^044[0-9a-f]-[0-9a-f]{4}-[0-9a-f]{4}$`), c)
		require.Contains(t, ormJSON(t, rows), `"points":0,"company_id":[1,"My Company"],"use_count":0`)
		id = b.create("loyalty.card", K("program_id", int64(2), "code", "MAGIC", "id", int64(999),
			"create_date", "2000-01-01 00:00:00", "display_name", "x", "points_display", "x", "use_count", int64(9)))
		require.NotEqual(t, int64(999), id)

		// context default_<field> fills what vals lack.
		id, err := b.call(b.admin, "loyalty.card", "create", L(K("code", "CTX")),
			K("context", K("default_program_id", int64(3), "default_points", 7.25)))
		require.NoError(t, err)
		rows = b.must("loyalty.card", "read", L(id, L("program_id", "points")), nil)
		require.Equal(t, `[{"id":`+ormJSON(t, id)+`,"program_id":[3,"Gift Cards"],"points":7.25}]`, ormJSON(t, rows))

		// Readonly stored fields are writable over RPC, as in Odoo.
		pid := b.create("loyalty.program", K("name", "RO", "program_type", "loyalty"))
		require.Equal(t, int64(5), pid)

		cases := []struct {
			name, model string
			vals        map[string]any
			kind        models.Kind
			msg         string
		}{
			{"capture 19: missing program", "loyalty.card", K("program_id", int64(999999)), models.KindValidation, fkProgramMsg},
			{"no program", "loyalty.card", K("code", "NOPROG"), models.KindValidation,
				"The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Loyalty Coupon (loyalty.card)\nField: Program (program_id)\n"},
			{"required name", "res.company", K("currency_id", int64(1)), models.KindValidation,
				"The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Companies (res.company)\nField: Company Name (name)\n"},
			{"unique code", "loyalty.card", K("program_id", int64(2), "code", "GIFT-50"), models.KindValidation,
				"The operation cannot be completed: A coupon/loyalty card must have a unique code."},
			{"unknown field", "loyalty.card", K("program_id", int64(2), "foo", int64(1)), models.KindValue,
				"Invalid field 'foo' on model 'loyalty.card'"},
			{"bad selection", "loyalty.program", K("name", "x", "program_type", "foo"), models.KindValue,
				"Wrong value for loyalty.program.program_type: 'foo'"},
			{"bad many2one", "loyalty.card", K("program_id", L(int64(1), "x")), models.KindValue,
				"Wrong value for loyalty.card.program_id: [1, 'x']"},
			{"bad date", "loyalty.card", K("program_id", int64(2), "expiration_date", "31/12/2030"), models.KindValue,
				"time data '31/12/2030' does not match format '%Y-%m-%d'"},
			{"bad x2many", "loyalty.program", K("name", "x", "rule_ids", "nope"), models.KindValue,
				"Wrong value for loyalty.program.rule_ids: 'nope'"},
		}
		for _, tc := range cases {
			e := b.fault(b.admin, tc.model, "create", L(tc.vals), nil)
			require.Equal(t, tc.kind, e.Kind, tc.name)
			require.Equal(t, tc.msg, e.Message, tc.name)
		}
		e := b.fault(b.admin, "loyalty.card", "create", L(L(K("program_id", int64(2)), int64(3))), nil)
		require.Equal(t, "'int' object has no attribute 'items'", e.Message)
		// A failed create leaves nothing behind (one transaction per call).
		before := b.must("loyalty.card", "search_count", L(L()), nil)
		b.fault(b.admin, "loyalty.card", "create", L(L(K("program_id", int64(2), "code", "OK1"), K("program_id", int64(999)))), nil)
		require.Equal(t, before, b.must("loyalty.card", "search_count", L(L()), nil))
	})
}

func TestWriteUnlink(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()

		// capture 07 / 07b.
		require.Equal(t, true, b.must("loyalty.card", "write", L(I(3), K("points", 12.25, "expiration_date", "2030-12-31")), nil))
		rows := b.must("loyalty.card", "read", L(I(3)), K("fields", L("code", "program_id", "partner_id", "points", "expiration_date")))
		require.Equal(t, `[{"id":3,"code":"POS40-LOYALTY-READYMAT","program_id":[1,"Loyalty Program"],"partner_id":[1,"Ready Mat"],"points":12.25,"expiration_date":"2030-12-31"}]`,
			ormJSON(t, rows))
		require.Equal(t, true, b.must("loyalty.card", "write", L(I(3, 5), K("expiration_date", false, "partner_id", false)), nil))
		require.Equal(t, []int64{1, 2, 3, 4, 5}, b.must("loyalty.card", "search", L(L()), nil))
		require.Equal(t, []int64{1, 2, 3, 5}, b.must("loyalty.card", "search", L(L(L("expiration_date", "=", false))), nil))
		require.Equal(t, true, b.must("loyalty.card", "write", L(int64(3), K()), nil), "empty vals")
		require.Equal(t, true, b.must("loyalty.card", "write", L(L(), K("points", 1)), nil), "no ids")

		// capture 08e: MissingError names the missing records.
		e := b.fault(b.admin, "res.partner", "write", L(I(43), K("name", "x")), nil)
		require.Equal(t, models.KindMissing, e.Kind)
		require.Equal(t, "Record does not exist or has been deleted.\n(Record: res.partner(43,), User: 2)", e.Message)
		e = b.fault(b.admin, "res.partner", "write", L(I(1, 43, 44), K("name", "x")), nil)
		require.Equal(t, "Record does not exist or has been deleted.\n(Record: res.partner(43, 44), User: 2)", e.Message)
		e = b.fault(b.admin, "loyalty.card", "write", L(I(1), K("code", false)), nil)
		require.Contains(t, e.Message, "Field: Code (code)")
		e = b.fault(b.admin, "loyalty.card", "write", L(I(1), K("program_id", int64(77))), nil)
		require.Equal(t, fkProgramMsg, e.Message)
		e = b.fault(b.admin, "loyalty.card", "write", L(I(1), L(1)), nil)
		require.Equal(t, "'list' object has no attribute 'items'", e.Message)

		// Changing the program moves the stored related company.
		b.create("res.company", K("name", "Other Co"))
		b.must("loyalty.program", "write", L(I(2), K("company_id", int64(2))), nil)
		b.must("loyalty.card", "write", L(I(3), K("program_id", int64(2))), nil)
		rows = b.must("loyalty.card", "read", L(I(3), L("company_id", "program_type")), nil)
		require.Equal(t, `[{"id":3,"company_id":[2,"Other Co"],"program_type":"coupons"}]`, ormJSON(t, rows))

		// unlink: ids already gone are ignored; set null on references;
		// restrict refuses; cascade follows.
		require.Equal(t, true, b.must("res.partner", "unlink", L(I(2, 999)), nil))
		require.Equal(t, true, b.must("res.partner", "unlink", L(I(2)), nil))
		rows = b.must("loyalty.card", "read", L(I(4), L("partner_id")), nil)
		require.Equal(t, `[{"id":4,"partner_id":false}]`, ormJSON(t, rows))
		e = b.fault(b.admin, "loyalty.program", "unlink", L(I(1)), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		require.Equal(t, fkProgramMsg, e.Message)
		require.Equal(t, true, b.must("loyalty.program", "unlink", L(I(4)), K("context", K("active_test", false))))
		require.Equal(t, []int64{}, b.must("loyalty.program", "exists", L(I(4)), nil))
		// A program without cards takes its rules and rewards with it.
		p := b.create("loyalty.program", K("name", "Tmp",
			"rule_ids", L(L(int64(0), int64(0), K("minimum_qty", int64(3)))),
			"reward_ids", L(L(int64(0), int64(0), K("description", "gift")))))
		rules := b.must("loyalty.rule", "search", L(L(L("program_id", "=", p))), nil).([]int64)
		require.Len(t, rules, 1)
		b.must("loyalty.program", "unlink", L(p), nil)
		require.Equal(t, []int64{}, b.must("loyalty.rule", "exists", L(I(rules...)), nil))
		require.Equal(t, int64(0), b.must("loyalty.reward", "search_count", L(L(L("description", "=", "gift"))), nil))
		// Deleting a category deletes its sub-categories (ondelete cascade)
		// and empties the products' category.
		b.must("product.category", "unlink", L(I(2)), nil)
		require.Equal(t, []int64{1}, b.must("product.category", "search", L(L()), nil))
		rows = b.must("product.product", "read", L(I(1, 2), L("categ_id")), nil)
		require.Equal(t, `[{"id":1,"categ_id":false},{"id":2,"categ_id":false}]`, ormJSON(t, rows))
		// A product still used as a reward's discount line is protected.
		b.must("loyalty.reward", "write", L(I(1), K("discount_line_product_id", int64(1))), nil)
		e = b.fault(b.admin, "product.product", "unlink", L(I(1)), nil)
		require.Contains(t, e.Message, "Model: Loyalty Reward (loyalty.reward)\nConstraint: loyalty_reward_discount_line_product_id_fkey\n")
	})
}

func TestX2manyCommands(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		products := func(rule int64) string {
			return ormJSON(t, b.must("loyalty.rule", "read", L(I(rule), L("product_ids")), nil))
		}
		cases := []struct {
			name string
			cmds any
			want string
		}{
			{"plain list is set", I(2, 1), `[{"id":1,"product_ids":[1,2]}]`},
			{"unlink", L(L(int64(3), int64(1), int64(0))), `[{"id":1,"product_ids":[2]}]`},
			{"link", L(L(int64(4), int64(1), int64(0)), L(int64(4), int64(1), int64(0))), `[{"id":1,"product_ids":[1,2]}]`},
			{"clear short", L(L(int64(5))), `[{"id":1,"product_ids":[]}]`},
			{"set", L(L(int64(6), int64(0), I(2))), `[{"id":1,"product_ids":[2]}]`},
			{"plain list of one id is set", L(int64(1)), `[{"id":1,"product_ids":[1]}]`},
			{"bare id in commands links", L(L(int64(4), int64(2), int64(0)), int64(1)), `[{"id":1,"product_ids":[1,2]}]`},
			{"false clears", false, `[{"id":1,"product_ids":[]}]`},
			{"create", L(L(int64(0), int64(0), K("name", "Bench", "default_code", "B1"))), `[{"id":1,"product_ids":[4]}]`},
			{"update", L(L(int64(1), int64(4), K("default_code", "A0"))), `[{"id":1,"product_ids":[4]}]`},
			{"delete", L(L(int64(2), int64(4), int64(0))), `[{"id":1,"product_ids":[]}]`},
		}
		for _, tc := range cases {
			require.Equal(t, true, b.must("loyalty.rule", "write", L(I(1), K("product_ids", tc.cmds)), nil), tc.name)
			require.Equal(t, tc.want, products(1), tc.name)
		}
		require.Equal(t, []int64{}, b.must("product.product", "exists", L(I(4)), nil), "command 2 deletes")
		e := b.fault(b.admin, "loyalty.rule", "write", L(I(1), K("product_ids", L(L(int64(4), int64(99), int64(0))))), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		e = b.fault(b.admin, "loyalty.rule", "write", L(I(1), K("product_ids", L(L(int64(9), int64(1), int64(0))))), nil)
		require.Equal(t, "Wrong value for loyalty.rule.product_ids: [[9, 1, 0]]", e.Message)

		// one2many: create through the parent, unlink (cascade inverse:
		// deletes), link moves a record, set replaces.
		read := func() string {
			return ormJSON(t, b.must("loyalty.program", "read", L(I(2), L("rule_ids")), nil))
		}
		b.must("loyalty.program", "write", L(I(2), K("rule_ids", L(
			L(int64(0), int64(0), K("code", "A")), L(int64(0), int64(0), K("code", "B"))))), nil)
		require.Equal(t, `[{"id":2,"rule_ids":[2,3]}]`, read())
		b.must("loyalty.program", "write", L(I(2), K("rule_ids", L(L(int64(1), int64(2), K("minimum_qty", int64(4)))))), nil)
		rows := b.must("loyalty.rule", "read", L(I(2), L("minimum_qty", "program_id")), nil)
		require.Equal(t, `[{"id":2,"minimum_qty":4,"program_id":[2,"10% Discount Coupons"]}]`, ormJSON(t, rows))
		b.must("loyalty.program", "write", L(I(2), K("rule_ids", L(L(int64(3), int64(3), int64(0))))), nil)
		require.Equal(t, `[{"id":2,"rule_ids":[2]}]`, read())
		require.Equal(t, []int64{}, b.must("loyalty.rule", "exists", L(I(3)), nil))
		b.must("loyalty.program", "write", L(I(2), K("rule_ids", L(L(int64(4), int64(1), int64(0))))), nil)
		require.Equal(t, `[{"id":2,"rule_ids":[1,2]}]`, read())
		b.must("loyalty.program", "write", L(I(2), K("rule_ids", L(L(int64(6), int64(0), I(1))))), nil)
		require.Equal(t, `[{"id":2,"rule_ids":[1]}]`, read())
		b.must("loyalty.program", "write", L(I(2), K("rule_ids", L(L(int64(5), int64(0), int64(0))))), nil)
		require.Equal(t, `[{"id":2,"rule_ids":[]}]`, read())
	})
}

func TestCopyAndDefaults(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		// 17: copy(one id) -> id; several ids -> Expected singleton.
		id := b.must("loyalty.card", "copy", L(I(3)), nil)
		require.Equal(t, int64(6), id)
		rows := b.must("loyalty.card", "read", L(id, L("program_id", "partner_id", "points")), nil)
		require.Equal(t, `[{"id":6,"program_id":[1,"Loyalty Program"],"partner_id":[1,"Ready Mat"],"points":100}]`, ormJSON(t, rows))
		e := b.fault(b.admin, "loyalty.card", "copy", L(I(1, 2)), nil)
		require.Equal(t, models.KindValue, e.Kind)
		require.Equal(t, "Expected singleton: loyalty.card(1, 2)", e.Message)
		e = b.fault(b.admin, "loyalty.card", "copy", L(I(99)), nil)
		require.Equal(t, "Record does not exist or has been deleted.\n(Record: loyalty.card(99,), User: 2)", e.Message)
		// Partners get " (copy)", programs duplicate rules and rewards.
		pid := b.must("res.partner", "copy", L(int64(1)), K("default", K("email", "copy@example.com")))
		rows = b.must("res.partner", "read", L(pid, L("name", "email")), nil)
		require.Equal(t, `[{"id":4,"name":"Ready Mat (copy)","email":"copy@example.com"}]`, ormJSON(t, rows))
		prog := b.must("loyalty.program", "copy", L(int64(1)), nil)
		rows = b.must("loyalty.program", "read", L(prog, L("name", "rule_ids", "reward_ids", "sequence")), nil)
		require.Equal(t, `[{"id":5,"name":"Loyalty Program","rule_ids":[2],"reward_ids":[2],"sequence":10}]`, ormJSON(t, rows))
		rows = b.must("loyalty.rule", "read", L(I(2), L("product_ids", "reward_point_mode")), nil)
		require.Equal(t, `[{"id":2,"product_ids":[1],"reward_point_mode":"money"}]`, ormJSON(t, rows))
		// 18: copy returns a list.
		env18 := *b.admin
		env18.Version = 18
		out, err := b.call(&env18, "loyalty.card", "copy", L(I(1, 2)), nil)
		require.NoError(t, err)
		require.Equal(t, []int64{7, 8}, out)

		// default_get: context first, then field defaults, in write format.
		got := b.must("loyalty.program", "default_get", L(L("program_type", "active", "currency_id", "date_to", "rule_ids", "nope")),
			K("context", K("default_date_to", "2030-01-01", "default_nope", int64(1))))
		require.Equal(t, `{"program_type":"promotion","active":true,"currency_id":1,"date_to":"2030-01-01","nope":1}`, ormJSON(t, got))
		got = b.must("loyalty.rule", "default_get", L(L("reward_point_amount", "product_ids")), K("context", K("default_product_ids", I(1, 2))))
		require.Equal(t, `{"reward_point_amount":1,"product_ids":[[6,0,[1,2]]]}`, ormJSON(t, got))

		// name_create.
		pair := b.must("res.partner", "name_create", L("Gemini Furniture"), nil)
		require.Equal(t, `[5,"Gemini Furniture"]`, ormJSON(t, pair))
	})
}
