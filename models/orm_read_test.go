package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// cardFieldsGet is Odoo 17's fields_get() of loyalty.card (capture 12b)
// for the fields this server has: attributes and values must match.
var cardFieldsGet = map[string]string{
	"create_uid":          `{"change_default":false,"company_dependent":false,"context":{},"default_export_compatible":false,"depends":[],"domain":[],"exportable":true,"manual":false,"name":"create_uid","readonly":true,"relation":"res.users","required":false,"searchable":true,"sortable":true,"store":true,"string":"Created by","type":"many2one"}`,
	"write_uid":           `{"change_default":false,"company_dependent":false,"context":{},"default_export_compatible":false,"depends":[],"domain":[],"exportable":true,"manual":false,"name":"write_uid","readonly":true,"relation":"res.users","required":false,"searchable":true,"sortable":true,"store":true,"string":"Last Updated by","type":"many2one"}`,
	"program_id":          `{"change_default":false,"company_dependent":false,"context":{},"default_export_compatible":false,"depends":[],"domain":[],"exportable":true,"manual":false,"name":"program_id","readonly":false,"relation":"loyalty.program","required":false,"searchable":true,"sortable":true,"store":true,"string":"Program","type":"many2one"}`,
	"program_type":        `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":["program_id.program_type"],"exportable":true,"manual":false,"name":"program_type","readonly":true,"related":"program_id.program_type","required":false,"searchable":true,"selection":[["coupons","Coupons"],["gift_card","Gift Card"],["loyalty","Loyalty Cards"],["promotion","Promotions"],["ewallet","eWallet"],["promo_code","Discount Code"],["buy_x_get_y","Buy X Get Y"],["next_order_coupons","Next Order Coupons"]],"sortable":false,"store":false,"string":"Program Type","type":"selection"}`,
	"company_id":          `{"change_default":false,"company_dependent":false,"context":{},"default_export_compatible":false,"depends":["program_id.company_id"],"domain":[],"exportable":true,"manual":false,"name":"company_id","readonly":true,"related":"program_id.company_id","relation":"res.company","required":false,"searchable":true,"sortable":true,"store":true,"string":"Company","type":"many2one"}`,
	"currency_id":         `{"change_default":false,"company_dependent":false,"context":{},"default_export_compatible":false,"depends":["program_id.currency_id"],"domain":[],"exportable":true,"manual":false,"name":"currency_id","readonly":true,"related":"program_id.currency_id","relation":"res.currency","required":false,"searchable":true,"sortable":false,"store":false,"string":"Currency","type":"many2one"}`,
	"partner_id":          `{"change_default":false,"company_dependent":false,"context":{},"default_export_compatible":false,"depends":[],"domain":[],"exportable":true,"manual":false,"name":"partner_id","readonly":false,"relation":"res.partner","required":false,"searchable":true,"sortable":true,"store":true,"string":"Partner","type":"many2one"}`,
	"points":              `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":[],"exportable":true,"group_operator":"sum","manual":false,"name":"points","readonly":false,"required":false,"searchable":true,"sortable":true,"store":true,"string":"Points","type":"float"}`,
	"point_name":          `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":["program_id.portal_point_name"],"exportable":true,"manual":false,"name":"point_name","readonly":true,"related":"program_id.portal_point_name","required":false,"searchable":true,"sortable":false,"store":false,"string":"Portal Point Name","translate":true,"trim":true,"type":"char"}`,
	"points_display":      `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":["points","point_name"],"exportable":true,"manual":false,"name":"points_display","readonly":true,"required":false,"searchable":false,"sortable":false,"store":false,"string":"Points Display","translate":false,"trim":true,"type":"char"}`,
	"code":                `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":[],"exportable":true,"manual":false,"name":"code","readonly":false,"required":true,"searchable":true,"sortable":true,"store":true,"string":"Code","translate":false,"trim":true,"type":"char"}`,
	"expiration_date":     `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":[],"exportable":true,"manual":false,"name":"expiration_date","readonly":false,"required":false,"searchable":true,"sortable":true,"store":true,"string":"Expiration Date","type":"date"}`,
	"use_count":           `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":[],"exportable":true,"group_operator":"sum","manual":false,"name":"use_count","readonly":true,"required":false,"searchable":false,"sortable":false,"store":false,"string":"Use Count","type":"integer"}`,
	"id":                  `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":[],"exportable":true,"manual":false,"name":"id","readonly":true,"required":false,"searchable":true,"sortable":true,"store":true,"string":"ID","type":"integer"}`,
	"display_name":        `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":["program_id","code","code"],"exportable":true,"manual":false,"name":"display_name","readonly":true,"required":false,"searchable":false,"sortable":false,"store":false,"string":"Display Name","translate":false,"trim":true,"type":"char"}`,
	"create_date":         `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":[],"exportable":true,"manual":false,"name":"create_date","readonly":true,"required":false,"searchable":true,"sortable":true,"store":true,"string":"Created on","type":"datetime"}`,
	"write_date":          `{"change_default":false,"company_dependent":false,"default_export_compatible":false,"depends":[],"exportable":true,"manual":false,"name":"write_date","readonly":true,"required":false,"searchable":true,"sortable":true,"store":true,"string":"Last Updated on","type":"datetime"}`,
	"source_pos_order_id": `{"change_default":false,"company_dependent":false,"context":{},"default_export_compatible":false,"depends":[],"domain":[],"exportable":true,"help":"PoS order where this coupon was generated.","manual":false,"name":"source_pos_order_id","readonly":false,"relation":"pos.order","required":false,"searchable":true,"sortable":true,"store":true,"string":"PoS Order Reference","type":"many2one"}`,
}

// cardFieldOrder is the order of those fields in capture 12b.
var cardFieldOrder = []string{"program_id", "program_type", "company_id", "currency_id", "partner_id", "points",
	"point_name", "points_display", "code", "expiration_date", "use_count", "id", "display_name", "create_uid",
	"create_date", "write_uid", "write_date", "source_pos_order_id"}

func TestFieldsGet(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		all := b.must("loyalty.card", "fields_get", nil, nil).(*models.Dict)
		require.Equal(t, cardFieldOrder, all.Keys())
		for _, name := range cardFieldOrder {
			got, _ := all.Get(name)
			require.Equal(t, cardFieldsGet[name], ormJSON(t, got), name)
		}
		// capture 12: only the attributes asked for, when the field has them.
		some := b.must("loyalty.card", "fields_get", nil, K("attributes", L("string", "type", "required", "readonly", "relation")))
		require.Contains(t, ormJSON(t, some), `"program_id":{"readonly":false,"relation":"loyalty.program","required":false,"string":"Program","type":"many2one"},`)
		require.Contains(t, ormJSON(t, some), `"points":{"readonly":false,"required":false,"string":"Points","type":"float"},`)
		one := b.must("loyalty.program", "fields_get", L(L("name", "rule_ids", "nope")), K("attributes", L("type", "relation_field")))
		require.Equal(t, `{"name":{"type":"char"},"rule_ids":{"relation_field":"program_id","type":"one2many"}}`, ormJSON(t, one))
		// Fields hidden by groups are left out.
		env := *b.admin
		env.Groups = map[string]bool{"base.group_system": true}
		out, err := b.call(&env, "res.partner", "fields_get", L(L("name", "loyalty_card_count")), K("attributes", L("type")))
		require.NoError(t, err)
		require.Equal(t, `{"name":{"type":"char"}}`, ormJSON(t, out))
		// Every model answers fields_get, with monetary and digits details.
		for _, m := range b.reg.Models() {
			_, err := b.call(b.admin, m.Name, "fields_get", nil, nil)
			require.NoError(t, err, m.Name)
		}
		rule := b.must("loyalty.rule", "fields_get", L(L("minimum_amount")), K("attributes", L("currency_field", "group_operator")))
		require.Equal(t, `{"minimum_amount":{"currency_field":"currency_id","group_operator":"sum"}}`, ormJSON(t, rule))
	})
}

func TestRead(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		fields := L("code", "program_id", "partner_id", "points", "expiration_date", "company_id")
		cases := []struct {
			name string
			args []any
			kw   map[string]any
			want string
		}{
			{"capture 05 shape", L(I(1, 3)), K("fields", fields),
				`[{"id":1,"code":"0444-1299-4c24","program_id":[2,"10% Discount Coupons"],"partner_id":false,"points":1,"expiration_date":false,"company_id":[1,"My Company"]},` +
					`{"id":3,"code":"POS40-LOYALTY-READYMAT","program_id":[1,"Loyalty Program"],"partner_id":[1,"Ready Mat"],"points":100,"expiration_date":false,"company_id":[1,"My Company"]}]`},
			{"ids order kept, missing skipped", L(I(4, 999, 1), L("code")), nil,
				`[{"id":4,"code":"GIFT-50"},{"id":1,"code":"0444-1299-4c24"}]`},
			{"capture 18: only missing", L(I(999999)), K("fields", L("code")), `[]`},
			{"single id, id asked first", L(int64(5), L("id", "points", "code")), nil, `[{"id":5,"points":12.5,"code":"azure-card"}]`},
			{"load ids", L(I(5), L("program_id", "partner_id")), K("load", ""), `[{"id":5,"program_id":1,"partner_id":2}]`},
			{"load classic_write", L(I(5), L("program_id")), K("load", "_classic_write"), `[{"id":5,"program_id":1}]`},
			{"computed and related", L(I(4, 5), L("display_name", "points_display", "program_type", "point_name", "currency_id", "use_count")), nil,
				`[{"id":4,"display_name":"Gift Cards: GIFT-50","points_display":"$` + "\u00a0" + `50.00","program_type":"gift_card","point_name":"$","currency_id":[1,"USD"],"use_count":0},` +
					`{"id":5,"display_name":"Loyalty Program: azure-card","points_display":"12.50 Points","program_type":"loyalty","point_name":"Points","currency_id":[1,"USD"],"use_count":0}]`},
			{"x2many and counts", L(I(1, 2), L("rule_ids", "coupon_ids", "coupon_count", "coupon_count_display", "is_nominative")), nil,
				`[{"id":1,"rule_ids":[1],"coupon_ids":[3,5],"coupon_count":2,"coupon_count_display":"2 Loyalty Cards","is_nominative":true},` +
					`{"id":2,"rule_ids":[],"coupon_ids":[1,2],"coupon_count":2,"coupon_count_display":"2 Coupons","is_nominative":false}]`},
			{"partner counts active cards", L(I(1, 2), L("loyalty_card_count", "display_name")), nil,
				`[{"id":1,"loyalty_card_count":1,"display_name":"Ready Mat"},{"id":2,"loyalty_card_count":1,"display_name":"Azure Interior"}]`},
			{"product and category names", L(I(1), L("display_name", "categ_id", "lst_price", "list_price")), nil,
				`[{"id":1,"display_name":"[D1] Desk","categ_id":[3,"All / Saleable / Office"],"lst_price":100.5,"list_price":100.5}]`},
			{"inactive linked records hidden", L(I(1), L("product_ids")), K("context", K("active_test", false)), `[{"id":1,"product_ids":[1]}]`},
			{"empty ids", L(L()), nil, `[]`},
			{"false ids", L(false), nil, `[]`},
		}
		for _, tc := range cases {
			model := "loyalty.card"
			switch {
			case tc.name == "x2many and counts":
				model = "loyalty.program"
			case tc.name == "partner counts active cards":
				model = "res.partner"
			case tc.name == "product and category names":
				model = "product.product"
			case tc.name == "inactive linked records hidden":
				model = "loyalty.rule"
			}
			got := b.must(model, "read", tc.args, tc.kw)
			require.Equal(t, tc.want, ormJSON(t, got), tc.name)
		}
		// All readable fields when fields is empty, False or None: id
		// first, then the declaration order.
		for _, f := range []any{nil, false, L()} {
			got := b.must("res.currency", "read", L(I(1), f), nil).([]any)
			d := got[0].(*models.Dict)
			require.Equal(t, []string{"id", "name", "symbol", "position", "decimal_places", "active", "create_uid", "create_date",
				"write_uid", "write_date", "display_name"}, d.Keys())
			uid, _ := d.Get("create_uid")
			require.Equal(t, false, uid)
			wd, _ := d.Get("write_date")
			require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, wd)
		}
		e := b.fault(b.admin, "loyalty.card", "read", L(I(1), L("foo")), nil)
		require.Equal(t, models.KindValue, e.Kind)
		require.Equal(t, "Invalid field 'foo' on model 'loyalty.card'", e.Message)
		// Fields hidden by groups: left out of "all fields", refused by name.
		env := *b.admin
		env.Groups = map[string]bool{"base.group_system": true, "base.group_user": false}
		e = b.fault(&env, "res.partner", "read", L(I(1), L("loyalty_card_count")), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
	})
}

func TestSearchMethods(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		// captures 20, 22, 13, 04.
		got := b.must("loyalty.card", "search_read", L(L(L("points", ">", int64(-1)))),
			K("fields", L("code", "points"), "offset", int64(1), "limit", int64(2), "order", "id desc"))
		require.Equal(t, `[{"id":4,"code":"GIFT-50","points":50},{"id":3,"code":"POS40-LOYALTY-READYMAT","points":100}]`, ormJSON(t, got))
		require.Equal(t, []int64{1, 2}, b.must("loyalty.card", "search", L(L(L("program_id", "=", int64(2)))), K("limit", int64(4))))
		require.Equal(t, int64(2), b.must("loyalty.card", "search_count", L(L(L("program_id", "=", int64(2)))), nil))
		require.Equal(t, int64(3), b.must("loyalty.card", "search_count", L(L()), K("limit", int64(3))))
		got = b.must("loyalty.program", "search_read", L(L(L("pos_ok", "=", true))),
			K("fields", L("name", "program_type", "trigger", "applies_on", "active", "currency_id"), "order", "id", "limit", int64(2)))
		require.Equal(t, `[{"id":1,"name":"Loyalty Program","program_type":"loyalty","trigger":"auto","applies_on":"both","active":true,"currency_id":[1,"USD"]},`+
			`{"id":2,"name":"10% Discount Coupons","program_type":"coupons","trigger":"auto","applies_on":"current","active":true,"currency_id":[1,"USD"]}]`, ormJSON(t, got))
		// False/None mean "no limit", "default order", "all fields".
		got = b.must("loyalty.card", "search", L(L(), int64(0), false, false), nil)
		require.Equal(t, []int64{1, 2, 3, 4, 5}, got)
		require.Equal(t, []int64{4, 5}, b.must("loyalty.card", "search", L(L(), int64(3)), nil), "offset without limit")
		got = b.must("loyalty.card", "search_read", L(L(L("id", "=", int64(1)))), K("fields", L("id")))
		require.Equal(t, `[{"id":1}]`, ormJSON(t, got))
		got = b.must("loyalty.card", "search_read", nil, K("domain", L(L("id", "=", int64(5))), "fields", L("partner_id"), "load", nil))
		require.Equal(t, `[{"id":5,"partner_id":2}]`, ormJSON(t, got))
		require.Equal(t, `[]`, ormJSON(t, b.must("loyalty.card", "search_read", L(L(L("id", "=", int64(99)))), nil)))
		// capture 44: POS search_read with a context.
		got = b.must("loyalty.card", "search_read", nil, K("limit", int64(1),
			"domain", L(L("partner_id", "=", int64(1)), L("program_id", "=", int64(1))),
			"fields", L("id", "points", "code", "partner_id", "program_id", "expiration_date"),
			"context", K("lang", "en_US", "tz", "Europe/Brussels", "uid", int64(2), "allowed_company_ids", I(1))))
		require.Equal(t, `[{"id":3,"points":100,"code":"POS40-LOYALTY-READYMAT","partner_id":[1,"Ready Mat"],"program_id":[1,"Loyalty Program"],"expiration_date":false}]`, ormJSON(t, got))

		// 17 rejects count; 16 returns the count.
		e := b.fault(b.admin, "loyalty.card", "search", L(L()), K("count", true))
		require.Equal(t, models.KindType, e.Kind)
		require.Equal(t, "BaseModel.search() got an unexpected keyword argument 'count'", e.Message)
		env16 := *b.admin
		env16.Version = 16
		n, err := b.call(&env16, "loyalty.card", "search", L(L()), K("count", true))
		require.NoError(t, err)
		require.Equal(t, int64(5), n)

		// Order errors.
		e = b.fault(b.admin, "loyalty.card", "search", L(L()), K("order", "code,"))
		require.Equal(t, models.KindUser, e.Kind)
		e = b.fault(b.admin, "loyalty.card", "search", L(L()), K("order", "foo desc"))
		require.Equal(t, "Invalid field 'foo' on model 'loyalty.card'", e.Message)

		// capture 11: name_search; name_get; exists.
		got = b.must("loyalty.program", "name_search", nil, K("name", "Coupon", "limit", int64(5)))
		require.Equal(t, `[[2,"10% Discount Coupons"]]`, ormJSON(t, got))
		got = b.must("loyalty.program", "name_search", L(""), nil)
		require.Equal(t, `[[3,"Gift Cards"],[1,"Loyalty Program"],[2,"10% Discount Coupons"]]`, ormJSON(t, got))
		got = b.must("loyalty.card", "name_search", L("gift"), K("args", L(L("points", ">", int64(0))), "operator", "=ilike"))
		require.Equal(t, `[]`, ormJSON(t, got))
		got = b.must("loyalty.card", "name_search", L("GIFT%"), K("operator", "=like", "limit", false))
		require.Equal(t, `[[4,"Gift Cards: GIFT-50"]]`, ormJSON(t, got))
		got = b.must("res.partner", "name_search", L("a"), K("limit", int64(1)))
		require.Equal(t, `[[2,"Azure Interior"]]`, ormJSON(t, got))
		got = b.must("loyalty.card", "name_get", L(I(5, 1)), nil)
		require.Equal(t, `[[5,"Loyalty Program: azure-card"],[1,"10% Discount Coupons: 0444-1299-4c24"]]`, ormJSON(t, got))
		e = b.fault(b.admin, "loyalty.card", "name_get", L(I(1, 77)), nil)
		require.Equal(t, models.KindMissing, e.Kind)
		require.Equal(t, []int64{5, 1}, b.must("loyalty.card", "exists", L(I(5, 77, 1)), nil))
		env18 := *b.admin
		env18.Version = 18
		e = b.fault(&env18, "loyalty.card", "name_get", L(I(1)), nil)
		require.Equal(t, models.KindAttribute, e.Kind)
	})
}
