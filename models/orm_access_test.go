package models_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

func TestAccessRights(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		cases := []struct {
			name, model, method string
			env                 *models.Env
			args                []any
			msg                 string
		}{
			{"capture 10: demo writes a program", "loyalty.program", "write", b.demo, L(I(1), K("name", "hacked")),
				"You are not allowed to modify 'Loyalty Program' (loyalty.program) records.\n\n" +
					"This operation is allowed for the following groups:\n\t- Point of Sale/Administrator\n\n" +
					"Contact your administrator to request access if necessary."},
			{"capture 08: admin deletes a card", "loyalty.card", "unlink", b.admin, L(I(1)),
				"You are not allowed to delete 'Loyalty Coupon' (loyalty.card) records.\n\n" +
					"No group currently allows this operation.\n\n" +
					"Contact your administrator to request access if necessary."},
			{"demo creates a partner", "res.partner", "create", b.demo, L(K("name", "x")),
				"You are not allowed to create 'Contact' (res.partner) records.\n\n" +
					"This operation is allowed for the following groups:\n\t- Administration/Settings\n\n" +
					"Contact your administrator to request access if necessary."},
			{"nobody reads", "loyalty.card", "read", &models.Env{UID: 9, Version: 17}, L(I(1)),
				"You are not allowed to access 'Loyalty Coupon' (loyalty.card) records.\n\n" +
					"This operation is allowed for the following groups:\n\t- Point of Sale/User\n\t- User types/Internal User\n\n" +
					"Contact your administrator to request access if necessary."},
			{"ir.model is read-only", "ir.model", "create", b.admin, L(K("model", "x", "name", "x")),
				"You are not allowed to create 'Models' (ir.model) records.\n\nNo group currently allows this operation.\n\n" +
					"Contact your administrator to request access if necessary."},
		}
		for _, tc := range cases {
			e := b.fault(tc.env, tc.model, tc.method, tc.args, nil)
			require.Equal(t, models.KindAccessError, e.Kind, tc.name)
			require.Equal(t, tc.msg, e.Message, tc.name)
		}
		// The card still exists after the refused unlink (capture 08b).
		require.Equal(t, []int64{1}, b.must("loyalty.card", "exists", L(I(1)), nil))
		// The demo user reads, and writes cards (base.group_user may).
		_, err := b.call(b.demo, "loyalty.program", "search_read", L(L()), K("fields", L("name")))
		require.NoError(t, err)
		_, err = b.call(b.demo, "loyalty.card", "write", L(I(1), K("points", int64(2))), nil)
		require.NoError(t, err)
		// A command creating a card needs the card create right.
		env := *b.admin
		env.Groups = map[string]bool{"point_of_sale.group_pos_manager": true}
		e := b.fault(&env, "loyalty.program", "write", L(I(2), K("coupon_ids", L(L(int64(0), int64(0), K("code", "NEW"))))), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		require.Contains(t, e.Message, "You are not allowed to create 'Loyalty Coupon' (loyalty.card) records.")
		// Superuser bypasses the rights.
		su := &models.Env{UID: 1, Version: 17, Superuser: true}
		_, err = b.call(su, "loyalty.card", "unlink", L(I(2)), nil)
		require.NoError(t, err)

		// check_access_rights: True, AccessError, or False.
		require.Equal(t, true, b.must("loyalty.card", "check_access_rights", L("write"), nil))
		e = b.fault(b.admin, "loyalty.card", "check_access_rights", L("unlink"), nil)
		require.Equal(t, models.KindAccessError, e.Kind)
		got := b.must("loyalty.card", "check_access_rights", L("unlink"), K("raise_exception", false))
		require.Equal(t, false, got)
		e = b.fault(b.admin, "loyalty.card", "check_access_rights", L("destroy"), nil)
		require.Equal(t, models.KindValue, e.Kind)
	})
}

func TestArgumentBinding(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		cases := []struct {
			name, method string
			args         []any
			kw           map[string]any
			kind         models.Kind
			msg          string
		}{
			{"missing domain", "search", nil, nil, models.KindType,
				"BaseModel.search() missing 1 required positional argument: 'domain'"},
			{"too many", "search", L(L(), int64(0), int64(1), "id", true, 1), nil, models.KindType,
				"BaseModel.search() takes from 2 to 5 positional arguments but 7 were given"},
			{"twice", "search", L(L()), K("domain", L()), models.KindType,
				"BaseModel.search() got multiple values for argument 'domain'"},
			{"unknown kwarg", "search_count", L(L()), K("order", "id"), models.KindType,
				"BaseModel.search_count() got an unexpected keyword argument 'order'"},
			{"read kwargs", "search_read", L(L()), K("bin_size", true), models.KindType,
				"BaseModel.read() got an unexpected keyword argument 'bin_size'"},
			{"record method without ids", "read", nil, nil, models.KindException, "list index out of range"},
			{"bad ids", "read", L(L("a")), nil, models.KindValue, "Invalid id 'a': ids must be integers"},
			{"unlink takes nothing", "unlink", L(I(1), int64(2)), nil, models.KindType,
				"BaseModel.unlink() takes 1 positional argument but 2 were given"},
			{"write needs vals", "write", L(I(1)), nil, models.KindType,
				"BaseModel.write() missing 1 required positional argument: 'vals'"},
			{"bad limit", "search", L(L()), K("limit", "ten"), models.KindType, "'limit' must be an integer, not 'ten'"},
			{"bad order type", "search", L(L()), K("order", int64(3)), models.KindType,
				"expected string or bytes-like object, got 'int'"},
			{"bad domain", "search", L(L("&", L("code", "=", "x"))), nil, models.KindValue,
				"Domain ['&', ['code', '=', 'x']] is syntactically not correct."},
			{"unknown field leaf", "search_count", L(L(L("foo", "=", int64(1)))), nil, models.KindValue,
				"Invalid field loyalty.card.foo in leaf ('foo', '=', 1)"},
			{"non-stored leaf", "search", L(L(L("points_display", "=", "x"))), nil, models.KindValue,
				"Non-stored field loyalty.card.points_display cannot be searched."},
		}
		for _, tc := range cases {
			e := b.fault(b.admin, "loyalty.card", tc.method, tc.args, tc.kw)
			require.Equal(t, tc.kind, e.Kind, tc.name)
			require.Equal(t, tc.msg, e.Message, tc.name)
		}
		env16 := *b.admin
		env16.Version = 16
		_, err := b.call(&env16, "loyalty.card", "search", L(L(L("program_id", "any", L()))), nil)
		require.ErrorContains(t, err, "Invalid leaf")
		// GenericMethod lets a model's own method delegate.
		require.NotNil(t, models.GenericMethod("read"))
		require.Nil(t, models.GenericMethod("nope"))
	})
}

func TestSyncIrModel(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		ctx := context.Background()
		require.NoError(t, b.reg.SyncIrModel(ctx))
		require.NoError(t, b.reg.SyncIrModel(ctx), "idempotent")
		// odoorpc's probe.
		ids := b.must("ir.model", "search", L(L(L("model", "=", "loyalty.card"))), nil).([]int64)
		require.Len(t, ids, 1)
		got := b.must("ir.model", "read", L(ids, L("model", "name", "state", "transient")), nil)
		require.Equal(t, `[{"id":`+ormJSON(t, ids[0])+`,"model":"loyalty.card","name":"Loyalty Coupon","state":"base","transient":false}]`, ormJSON(t, got))
		got = b.must("ir.model.fields", "search_read", L(L(L("model", "=", "loyalty.card"), L("name", "in", L("program_id", "points", "points_display")))),
			K("fields", L("name", "ttype", "relation", "required", "readonly", "store", "model_id")))
		rows := got.([]any)
		require.Len(t, rows, 3)
		require.Contains(t, ormJSON(t, got), `"name":"program_id","ttype":"many2one","relation":"loyalty.program","required":false,"readonly":false,"store":true,"model_id":[`+ormJSON(t, ids[0])+`,"Loyalty Coupon"]`)
		require.Contains(t, ormJSON(t, got), `"name":"points_display","ttype":"char","relation":false,"required":false,"readonly":true,"store":false`)
		n := b.must("ir.model", "search_count", L(L()), nil)
		require.Equal(t, int64(len(b.reg.Models())), n)

		// A registry without a model drops its rows and their fields.
		small := models.NewRegistry(db, dbtest.Logger(t))
		require.NoError(t, small.Register(models.Builtin()[:1]...))
		require.NoError(t, small.SyncIrModel(ctx))
		require.Equal(t, int64(1), b.must("ir.model", "search_count", L(L()), nil))
		require.Equal(t, int64(0), b.must("ir.model.fields", "search_count", L(L(L("model", "=", "loyalty.card"))), nil))
	})
}
