package models_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// pointsSetup is ormSetup with the fixture, the built-in aliases and two
// membership products: 4 Silver and 5 Gold.
func pointsSetup(t *testing.T, db *models.DB) *ormT {
	t.Helper()
	b := ormSetup(t, db)
	for alias, name := range models.BuiltinAliases() {
		require.NoError(t, b.reg.RegisterAlias(alias, name))
	}
	b.fixture()
	b.create("product.product", K("name", "Silver", "type", "service"))
	b.create("product.product", K("name", "Gold", "type", "service"))
	return b
}

func TestPointMoves(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := pointsSetup(t, db)
		// Created through the seed's short name; remaining defaults to initial.
		lot1 := b.create("point.move", K("loyalty_card_id", int64(3), "membership_product_id", int64(4),
			"initial_point", 100.25, "gain_date", "2026-03-01 10:00:00", "expiration_date", "2026-03-31 23:59:59", "origin", "POS/0001"))
		lot2 := b.create("loyalty.point.move", K("loyalty_card_id", int64(3), "membership_product_id", int64(5),
			"initial_point", "50", "remaining_point", int64(20), "gain_date", "2026-01-15 08:30:00", "state", "active"))
		ids := b.must("point.move", "create", L(L(K("loyalty_card_id", int64(5), "membership_product_id", int64(4),
			"gain_date", "2026-02-01 00:00", "initial_point", 0.1), K("loyalty_card_id", int64(5), "membership_product_id", int64(4),
			"initial_point", 0.2, "gain_date", "2026-02-01 00:00:00"))), nil)
		require.Equal(t, []int64{3, 4}, ids)

		fields := L("loyalty_card_id", "partner_id", "membership_product_id", "gain_date", "expiration_date",
			"initial_point", "remaining_point", "state", "origin", "synced_to_odoo", "display_name")
		got := b.must("loyalty.point.move", "read", L(I(lot1, lot2), fields), nil)
		require.Equal(t, `[{"id":1,"loyalty_card_id":[3,"Loyalty Program: POS40-LOYALTY-READYMAT"],"partner_id":[1,"Ready Mat"],`+
			`"membership_product_id":[4,"Silver"],"gain_date":"2026-03-01 10:00:00","expiration_date":"2026-03-31 23:59:59",`+
			`"initial_point":100.25,"remaining_point":100.25,"state":"active","origin":"POS/0001","synced_to_odoo":false,"display_name":"loyalty.point.move,1"},`+
			`{"id":2,"loyalty_card_id":[3,"Loyalty Program: POS40-LOYALTY-READYMAT"],"partner_id":[1,"Ready Mat"],`+
			`"membership_product_id":[5,"Gold"],"gain_date":"2026-01-15 08:30:00","expiration_date":false,`+
			`"initial_point":50,"remaining_point":20,"state":"active","origin":false,"synced_to_odoo":false,"display_name":"loyalty.point.move,2"}]`,
			ormJSON(t, got))
		// Default order gain_date, id; domains on related and decimal fields.
		require.Equal(t, []int64{2, 3, 4, 1}, b.must("point.move", "search", L(L()), nil))
		require.Equal(t, []int64{2, 1}, b.must("point.move", "search", L(L(L("partner_id", "=", int64(1)))), nil))
		require.Equal(t, []int64{1, 2}, b.must("point.move", "search", L(L(L("remaining_point", ">=", int64(20)))), K("order", "id")))
		require.Equal(t, []int64{2, 3, 4}, b.must("point.move", "search", L(L(L("expiration_date", "=", false))), nil))
		require.Equal(t, int64(2), b.must("point.move", "search_count", L(L(L("remaining_point", ">", int64(0)), L("remaining_point", "<=", 0.2))), nil))
		require.Equal(t, int64(1), b.must("point.move", "search_count", L(L(L("remaining_point", "=", 0.2))), nil))

		// Write: deplete a lot.
		b.must("point.move", "write", L(I(lot2), K("remaining_point", int64(0), "state", "depleted")), nil)
		got = b.must("point.move", "search_read", L(L(L("state", "=", "depleted"))), K("fields", L("remaining_point", "state")))
		require.Equal(t, `[{"id":2,"remaining_point":0,"state":"depleted"}]`, ormJSON(t, got))
		got = b.must("point.move", "read", L(I(lot1), L("create_date")), nil)
		cd, _ := got.([]any)[0].(*models.Dict).Get("create_date")
		require.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, cd)

		// Mistakes: a lot needs a card; states are a selection.
		// (The tier may be empty: Odoo's standard programs have none.)
		e := b.fault(b.admin, "point.move", "create", L(K("membership_product_id", int64(4), "initial_point", int64(5))), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		require.Contains(t, e.Message, "Model: Loyalty Point Move (loyalty.point.move)\nField: Loyalty Card (loyalty_card_id)")
		e = b.fault(b.admin, "point.move", "create", L(K("loyalty_card_id", int64(99), "membership_product_id", int64(4))), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		e = b.fault(b.admin, "point.move", "write", L(I(lot1), K("state", "reversed")), nil)
		require.Equal(t, models.KindValue, e.Kind)
		require.Equal(t, "Wrong value for loyalty.point.move.state: 'reversed'", e.Message)

		// Access: internal users read, only POS managers change.
		_, err := b.call(b.demo, "point.move", "search_read", L(L()), K("fields", L("remaining_point")))
		require.NoError(t, err)
		for _, m := range []string{"create", "write", "unlink"} {
			args := L(I(lot1), K("origin", "x"))
			switch m {
			case "create":
				args = L(K("loyalty_card_id", int64(3), "membership_product_id", int64(4)))
			case "unlink":
				args = L(I(lot1))
			}
			e := b.fault(b.demo, "point.move", m, args, nil)
			require.Equal(t, models.KindAccessError, e.Kind, m)
			require.Contains(t, e.Message, "'Loyalty Point Move' (loyalty.point.move) records.\n\n"+
				"This operation is allowed for the following groups:\n\t- Point of Sale/Administrator\n\n", m)
		}
		e = b.fault(&models.Env{UID: 9, Version: 17}, "loyalty.point.move", "read", L(I(lot1)), nil)
		require.Equal(t, models.KindAccessError, e.Kind)

		// The aliases are the same model: not listed twice, not re-registrable.
		require.Same(t, b.reg.Model("loyalty.point.move"), b.reg.Model("point.move"))
		for _, m := range b.reg.Models() {
			require.NotEqual(t, "point.move", m.Name)
		}
		require.Error(t, b.reg.RegisterAlias("point.move", "loyalty.point.move"))
		require.Error(t, b.reg.RegisterAlias("x.y", "no.such.model"))

		// Unlink by a POS manager.
		require.Equal(t, true, b.must("point.move", "unlink", L(I(lot2)), nil))
		require.Equal(t, []int64{1}, b.must("point.move", "exists", L(I(1, 2)), nil))

		// remaining_point follows initial_point through web_save, keyword
		// vals_list and default_initial_point too.
		got = b.must("point.move", "web_save", L(L(), K("loyalty_card_id", int64(5), "membership_product_id", int64(4),
			"initial_point", 7.5), S("initial_point", nil, "remaining_point", nil, "loyalty_card_id", S("fields", S("display_name", nil)))), nil)
		require.Equal(t, `[{"id":5,"loyalty_card_id":{"id":5,"display_name":"Loyalty Program: azure-card"},"initial_point":7.5,"remaining_point":7.5}]`, ormJSON(t, got))
		b.must("point.move", "create", nil, K("vals_list", K("loyalty_card_id", int64(5), "membership_product_id", int64(4), "initial_point", int64(3))))
		b.must("point.move", "create", L(K("loyalty_card_id", int64(5), "membership_product_id", int64(4))), K("context", K("default_initial_point", int64(4))))
		got = b.must("point.move", "read", L(I(6, 7), L("initial_point", "remaining_point")), nil)
		require.Equal(t, `[{"id":6,"initial_point":3,"remaining_point":3},{"id":7,"initial_point":4,"remaining_point":4}]`, ormJSON(t, got))
	})
}

func TestPointHistory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := pointsSetup(t, db)
		lot := b.create("point.move", K("loyalty_card_id", int64(3), "membership_product_id", int64(4),
			"initial_point", int64(100), "gain_date", "2026-01-01 10:00:00"))
		earn := b.create("point.history", K("loyalty_card_id", int64(3), "point_move_id", lot, "points_amount", int64(100),
			"points_balance", int64(100), "transaction_time", "2026-01-01 10:00:00", "origin", "POS/0001",
			"membership_product_id", int64(4), "status_membership_product_id", int64(4)))
		spend := b.create("loyalty.point.history", K("loyalty_card_id", int64(3), "point_move_id", lot, "points_amount", -20.5,
			"points_balance", 79.5, "transaction_time", "2026-02-01 12:00:00", "origin", "POS/0002",
			"membership_product_id", int64(4), "status_membership_product_id", int64(5)))
		require.Equal(t, []int64{1, 2}, []int64{earn, spend})

		// Newest first; read through the alias.
		got := b.must("point.history", "search_read", L(L(L("loyalty_card_id", "=", int64(3)))), K("fields",
			L("point_move_id", "points_amount", "points_balance", "transaction_time", "origin", "partner_id",
				"membership_product_id", "status_membership_product_id")))
		require.Equal(t, `[{"id":2,"point_move_id":[1,"loyalty.point.move,1"],"points_amount":-20.5,"points_balance":79.5,`+
			`"transaction_time":"2026-02-01 12:00:00","origin":"POS/0002","partner_id":[1,"Ready Mat"],`+
			`"membership_product_id":[4,"Silver"],"status_membership_product_id":[5,"Gold"]},`+
			`{"id":1,"point_move_id":[1,"loyalty.point.move,1"],"points_amount":100,"points_balance":100,`+
			`"transaction_time":"2026-01-01 10:00:00","origin":"POS/0001","partner_id":[1,"Ready Mat"],`+
			`"membership_product_id":[4,"Silver"],"status_membership_product_id":[4,"Silver"]}]`, ormJSON(t, got))
		// The lot's history_ids, plain and as web_read dicts.
		got = b.must("point.move", "read", L(I(lot), L("history_ids")), nil)
		require.Equal(t, `[{"id":1,"history_ids":[2,1]}]`, ormJSON(t, got))
		got = b.must("point.move", "web_read", L(I(lot), S("remaining_point", nil,
			"history_ids", S("fields", S("points_amount", nil, "status_membership_product_id", S("fields", S("display_name", nil))),
				"order", "transaction_time asc"))), nil)
		require.Equal(t, `[{"id":1,"remaining_point":100,"history_ids":[`+
			`{"id":1,"points_amount":100,"status_membership_product_id":{"id":4,"display_name":"Silver"}},`+
			`{"id":2,"points_amount":-20.5,"status_membership_product_id":{"id":5,"display_name":"Gold"}}]}]`, ormJSON(t, got))

		// A lot with history cannot be deleted; its journal goes first.
		e := b.fault(b.admin, "point.move", "unlink", L(I(lot)), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		require.Contains(t, e.Message, "loyalty_point_history_point_move_id_fkey")
		// Nor can a tier product the ledger points at.
		e = b.fault(b.admin, "product.product", "unlink", L(I(5)), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		b.must("point.history", "unlink", L(I(earn, spend)), nil)
		b.must("point.move", "unlink", L(I(lot)), nil)
		require.Equal(t, int64(0), b.must("point.history", "search_count", L(L()), nil))

		// Mistakes and access.
		e = b.fault(b.admin, "point.history", "create", L(K("points_amount", int64(1),
			"membership_product_id", int64(4))), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		require.Contains(t, e.Message, "Field: Loyalty Card (loyalty_card_id)")
		e = b.fault(b.demo, "point.history", "create", L(K("loyalty_card_id", int64(3))), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		require.Contains(t, e.Message, "You are not allowed to create 'Loyalty Point History' (loyalty.point.history) records.")
		pos := &models.Env{UID: 7, Version: 17, Groups: map[string]bool{"point_of_sale.group_pos_user": true}}
		_, err := b.call(pos, "point.history", "search", L(L()), nil)
		require.NoError(t, err)
	})
}

func TestMembershipLevels(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := pointsSetup(t, db)
		gold := b.create("membership.level.path", K("name", "Gold", "membership_product_id", int64(5), "sequence", int64(20),
			"min_spending", 1000.5, "allow_downgrade", false))
		silver := b.create("membership.level.path", K("name", "Silver", "membership_product_id", int64(4), "min_spending", "0"))
		old := b.create("membership.level.path", K("name", "Bronze", "membership_product_id", int64(4), "active", false))
		require.Equal(t, []int64{silver, gold}, b.must("membership.level.path", "search", L(L()), nil))
		require.Equal(t, []int64{silver, old, gold}, b.must("membership.level.path", "search", L(L()), K("context", K("active_test", false))))
		got := b.must("membership.level.path", "read", L(I(gold, silver)), K("fields", L("name", "membership_product_id", "sequence",
			"min_spending", "currency_id", "allow_upgrade", "allow_downgrade", "active", "display_name")))
		require.Equal(t, `[{"id":1,"name":"Gold","membership_product_id":[5,"Gold"],"sequence":20,"min_spending":1000.5,"currency_id":[1,"USD"],`+
			`"allow_upgrade":true,"allow_downgrade":false,"active":true,"display_name":"Gold"},`+
			`{"id":2,"name":"Silver","membership_product_id":[4,"Silver"],"sequence":10,"min_spending":0,"currency_id":[1,"USD"],`+
			`"allow_upgrade":true,"allow_downgrade":true,"active":true,"display_name":"Silver"}]`, ormJSON(t, got))
		fg := b.must("membership.level.path", "fields_get", L(L("min_spending")), K("attributes", L("type", "currency_field")))
		require.Equal(t, `{"min_spending":{"currency_field":"currency_id","type":"monetary"}}`, ormJSON(t, fg))
		require.Equal(t, int64(1), b.must("membership.level.path", "search_count", L(L(L("min_spending", ">", int64(1000)))), nil))

		// Settings and POS managers change levels; internal users read them.
		sys := &models.Env{UID: 3, Version: 17, Groups: map[string]bool{"base.group_user": true, "base.group_system": true}}
		_, err := b.call(sys, "membership.level.path", "write", L(I(silver), K("min_spending", int64(10))), nil)
		require.NoError(t, err)
		_, err = b.call(b.demo, "membership.level.path", "read", L(I(silver), L("name")), nil)
		require.NoError(t, err)
		e := b.fault(b.demo, "membership.level.path", "write", L(I(silver), K("name", "x")), nil)
		require.Equal(t, "You are not allowed to modify 'Membership Level Path' (membership.level.path) records.\n\n"+
			"This operation is allowed for the following groups:\n\t- Administration/Settings\n\t- Point of Sale/Administrator\n\n"+
			"Contact your administrator to request access if necessary.", e.Message)
		pos := &models.Env{UID: 7, Version: 17, Groups: map[string]bool{"point_of_sale.group_pos_user": true}}
		e = b.fault(pos, "membership.level.path", "search", L(L()), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		e = b.fault(b.admin, "membership.level.path", "create", L(K("name", "No product")), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		require.Equal(t, true, b.must("membership.level.path", "unlink", L(I(old)), nil))
	})
}

func TestLoyaltyHistory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := pointsSetup(t, db)
		h1 := b.create("loyalty.history", K("card_id", int64(5), "description", "Onsite Order 12", "issued", 12.5,
			"order_model", "pos.order", "order_id", int64(12)))
		h2 := b.create("loyalty.history", K("card_id", int64(5), "description", "Gift for customer", "used", "2.25"))
		b.create("loyalty.history", K("card_id", int64(3), "description", "Order S00001", "issued", int64(100)))
		got := b.must("loyalty.history", "search_read", L(L(L("card_id", "=", int64(5)))), K("fields",
			L("card_id", "company_id", "description", "issued", "used", "order_model", "order_id", "display_name")))
		require.Equal(t, `[{"id":2,"card_id":[5,"Loyalty Program: azure-card"],"company_id":[1,"My Company"],"description":"Gift for customer",`+
			`"issued":0,"used":2.25,"order_model":false,"order_id":0,"display_name":"loyalty.history,2"},`+
			`{"id":1,"card_id":[5,"Loyalty Program: azure-card"],"company_id":[1,"My Company"],"description":"Onsite Order 12",`+
			`"issued":12.5,"used":0,"order_model":"pos.order","order_id":12,"display_name":"loyalty.history,1"}]`, ormJSON(t, got))
		got = b.must("loyalty.history", "web_search_read", L(L(L("order_model", "=", "pos.order")), S("description", nil, "card_id", S("fields", S("code", nil)))), nil)
		require.Equal(t, `{"length":1,"records":[{"id":1,"card_id":{"id":5,"code":"azure-card"},"description":"Onsite Order 12"}]}`, ormJSON(t, got))
		got = b.must("loyalty.history", "read", L(I(h1), L("create_uid", "write_uid")), K("load", nil))
		require.Equal(t, `[{"id":1,"create_uid":2,"write_uid":2}]`, ormJSON(t, got))

		// The Odoo 18 card field, for a registry that adds it.
		reg := models.NewRegistry(db, dbtest.Logger(t))
		ms := models.Builtin()
		for _, m := range ms {
			if m.Name == "loyalty.card" {
				m.Fields = append(m.Fields, models.LoyaltyCardHistoryField())
			}
		}
		require.NoError(t, reg.Register(ms...))
		out, err := reg.Execute(context.Background(), b.admin, "loyalty.card", "read", L(I(5, 1), L("history_ids")), nil)
		require.NoError(t, err)
		require.Equal(t, `[{"id":5,"history_ids":[2,1]},{"id":1,"history_ids":[]}]`, ormJSON(t, out))

		// Rows go with their card.
		su := &models.Env{UID: 1, Version: 18, Superuser: true}
		_, err = b.call(su, "loyalty.card", "unlink", L(I(5)), nil)
		require.NoError(t, err)
		require.Equal(t, []int64{}, b.must("loyalty.history", "exists", L(I(h1, h2)), nil))
		require.Equal(t, int64(1), b.must("loyalty.history", "search_count", L(L()), nil))

		// Mistakes and access.
		e := b.fault(b.admin, "loyalty.history", "create", L(K("card_id", int64(3))), nil)
		require.Equal(t, models.KindValidation, e.Kind)
		require.Contains(t, e.Message, "Field: Description (description)")
		_, err = b.call(b.demo, "loyalty.history", "create", L(K("card_id", int64(3), "description", "By an internal user")), nil)
		require.NoError(t, err)
		e = b.fault(b.demo, "loyalty.history", "write", L(I(3), K("description", "x")), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		require.Contains(t, e.Message, "'History for Loyalty cards and Ewallets' (loyalty.history)")
	})
}
