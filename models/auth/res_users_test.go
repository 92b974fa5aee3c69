package auth

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// modelBundle is a testBundle with a registry serving res.users and
// res.groups, and an admin and a plain user.
type modelBundle struct {
	*testBundle
	reg          *models.Registry
	admin, plain int64
}

func setupModels(t *testing.T, db *models.DB) *modelBundle {
	t.Helper()
	b := &modelBundle{testBundle: setup(t, db, Options{})}
	b.reg = models.NewRegistry(db, dbtest.Logger(t))
	b.reg.MustRegister(models.Builtin()...)
	b.reg.MustRegister(Models(b.svc)...)
	_, _, err := b.svc.EnsureAdmin(context.Background(), "admin-pw")
	require.NoError(t, err)
	b.admin, err = b.svc.Authenticate(context.Background(), "admin", "admin-pw", false, "")
	require.NoError(t, err)
	b.plain = b.addUser(t, "plain", "plain-pw")
	return b
}

// exec runs model.method as uid.
func (b *modelBundle) exec(t *testing.T, uid int64, model, method string, args []any, kwargs map[string]any) (any, error) {
	t.Helper()
	u, err := b.svc.User(context.Background(), uid)
	require.NoError(t, err)
	env := &models.Env{DB: "test", UID: uid, Groups: u.Groups, Version: 17, Context: map[string]any{}}
	return b.reg.Execute(context.Background(), env, model, method, args, kwargs)
}

func TestUsersCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setupModels(t, db)

		res, err := b.exec(t, b.admin, "res.users", "create",
			[]any{map[string]any{"login": "bob", "name": "Bob", "password": "bob-pw"}}, nil)
		require.NoError(t, err)
		bob, ok := toInt(res)
		require.True(t, ok, "single dict gives an id: %#v", res)

		uid, err := b.svc.Authenticate(ctx, "bob", "bob-pw", false, "")
		require.NoError(t, err)
		require.Equal(t, bob, uid)
		require.True(t, strings.HasPrefix(b.storedPassword(t, bob), "$pbkdf2-sha512$"), "never stored clear")

		u, err := b.svc.User(ctx, bob)
		require.NoError(t, err)
		require.Equal(t, map[string]bool{GroupUser: true}, u.Groups, "default groups")
		var partner string
		require.NoError(t, db.QueryRowContext(ctx, `SELECT name FROM res_partner WHERE id = ?`, u.PartnerID).Scan(&partner))
		require.Equal(t, "Bob", partner)

		res, err = b.exec(t, b.admin, "res.users", "read", []any{[]any{bob}, []any{"login", "password", "share", "groups_id"}}, nil)
		require.NoError(t, err)
		rows, ok := res.([]any)
		require.True(t, ok, "%#v", res)
		require.Len(t, rows, 1)
		row := rows[0].(*models.Dict)
		pw, _ := row.Get("password")
		require.Equal(t, "", pw, "password reads empty")
		share, _ := row.Get("share")
		require.Equal(t, false, share)

		// A list of values, with explicit groups.
		res, err = b.exec(t, b.admin, "res.users", "create", []any{[]any{
			map[string]any{"login": "carol", "name": "Carol", "password": "carol-pw",
				"groups_id": []any{[]any{6, 0, []any{int64(4)}}}},
			map[string]any{"login": "dave", "name": "Dave", "groups_id": []any{[]any{6, 0, []any{}}}},
		}}, nil)
		require.NoError(t, err)
		ids, ok := toIDs(res)
		require.True(t, ok, "%#v", res)
		require.Len(t, ids, 2)
		carol, err := b.svc.Check(ctx, ids[0], "carol-pw")
		require.NoError(t, err)
		require.True(t, carol.HasGroup(GroupPOSManager))
		require.True(t, carol.HasGroup(GroupUser), "implied")
		require.Empty(t, b.storedPassword(t, ids[1]), "no password given")
		res, err = b.exec(t, b.admin, "res.users", "read", []any{ids, []any{"share"}}, nil)
		require.NoError(t, err)
		s0, _ := res.([]any)[0].(*models.Dict).Get("share")
		s1, _ := res.([]any)[1].(*models.Dict).Get("share")
		require.Equal(t, false, s0, "internal user")
		require.Equal(t, true, s1, "no internal group: a share user")

		_, err = b.exec(t, b.admin, "res.users", "create",
			[]any{map[string]any{"login": "bob", "name": "Bob 2"}}, nil)
		require.Equal(t, models.KindValidation, models.KindOf(err), "%v", err)

		_, err = b.exec(t, b.plain, "res.users", "create",
			[]any{map[string]any{"login": "eve", "name": "Eve", "password": "x"}}, nil)
		require.Equal(t, models.KindAccessError, models.KindOf(err), "%v", err)
	})
}

func TestUsersWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setupModels(t, db)

		// The admin changes a password: the cached check is dropped.
		_, err := b.svc.Check(ctx, b.plain, "plain-pw")
		require.NoError(t, err)
		_, err = b.exec(t, b.admin, "res.users", "write", []any{[]any{b.plain}, map[string]any{"password": "pw2"}}, nil)
		require.NoError(t, err)
		_, err = b.svc.Check(ctx, b.plain, "plain-pw")
		require.ErrorIs(t, err, models.ErrAccessDenied)
		_, err = b.svc.Check(ctx, b.plain, "pw2")
		require.NoError(t, err)

		// A user changes their own password, name and tz.
		res, err := b.exec(t, b.plain, "res.users", "write", []any{b.plain,
			map[string]any{"password": "pw3", "name": "Plain Jane", "tz": "Europe/Brussels"}}, nil)
		require.NoError(t, err)
		require.Equal(t, true, res)
		u, err := b.svc.Check(ctx, b.plain, "pw3")
		require.NoError(t, err)
		require.Equal(t, "Plain Jane", u.Name)
		require.Equal(t, "Europe/Brussels", u.TZ)

		// ... but nothing else, and nobody else's.
		for name, args := range map[string][]any{
			"own login":        {b.plain, map[string]any{"login": "root"}},
			"own groups":       {b.plain, map[string]any{"groups_id": []any{[]any{4, 2, 0}}}},
			"admin's password": {b.admin, map[string]any{"password": "x"}},
		} {
			_, err := b.exec(t, b.plain, "res.users", "write", args, nil)
			require.Equal(t, models.KindAccessError, models.KindOf(err), "%s: %v", name, err)
		}
		_, err = b.exec(t, b.plain, "res.users", "write", []any{b.admin, map[string]any{"name": "x"}}, nil)
		require.Equal(t, "You are not allowed to modify 'User' (res.users) records.\n\n"+
			"This operation is allowed for the following groups:\n\t- Administration/Settings\n\n"+
			"Contact your administrator to request access if necessary.", models.MessageOf(err))
		_, err = b.exec(t, b.plain, "res.users", "write", []any{b.plain, map[string]any{"password": ""}}, nil)
		require.Equal(t, models.KindUser, models.KindOf(err))

		// Deactivation takes effect at once despite the cache.
		_, err = b.exec(t, b.admin, "res.users", "write", []any{b.plain, map[string]any{"active": false}}, nil)
		require.NoError(t, err)
		_, err = b.svc.Check(ctx, b.plain, "pw3")
		require.ErrorIs(t, err, models.ErrAccessDenied)

		_, err = b.exec(t, b.admin, "res.users", "write", []any{b.admin, map[string]any{"active": false}}, nil)
		require.Equal(t, models.KindUser, models.KindOf(err), "cannot deactivate oneself")

		_, err = b.exec(t, b.admin, "res.users", "write", []any{b.plain, map[string]any{"login": "admin"}}, nil)
		require.Equal(t, models.KindValidation, models.KindOf(err), "duplicate login")
	})
}

func TestUsersUnlink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setupModels(t, db)
		_, err := b.svc.Check(ctx, b.plain, "plain-pw")
		require.NoError(t, err)
		_, err = b.exec(t, b.admin, "res.users", "unlink", []any{[]any{b.plain}}, nil)
		require.NoError(t, err)
		_, err = b.svc.Check(ctx, b.plain, "plain-pw")
		require.ErrorIs(t, err, models.ErrAccessDenied)
	})
}

func TestUsersContextGetAndChangePassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setupModels(t, db)

		res, err := b.exec(t, b.plain, "res.users", "context_get", []any{}, nil)
		require.NoError(t, err)
		d := res.(*models.Dict)
		require.Equal(t, []string{"lang", "tz", "uid"}, d.Keys())
		lang, _ := d.Get("lang")
		tz, _ := d.Get("tz")
		uid, _ := d.Get("uid")
		require.Equal(t, "en_US", lang)
		require.Equal(t, "UTC", tz)
		require.Equal(t, b.plain, uid)

		_, err = b.exec(t, b.plain, "res.users", "change_password", []any{"wrong", "new-pw"}, nil)
		require.ErrorIs(t, err, models.ErrAccessDenied)
		_, err = b.exec(t, b.plain, "res.users", "change_password", []any{"plain-pw", ""}, nil)
		require.Equal(t, models.KindUser, models.KindOf(err))
		res, err = b.exec(t, b.plain, "res.users", "change_password", nil,
			map[string]any{"old_passwd": "plain-pw", "new_passwd": "new-pw"})
		require.NoError(t, err)
		require.Equal(t, true, res)
		_, err = b.svc.Authenticate(ctx, "plain", "new-pw", true, "")
		require.NoError(t, err)
	})
}

func TestGroupsModel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := setupModels(t, db)
		res, err := b.exec(t, b.plain, "res.groups", "search_read", []any{[]any{}},
			map[string]any{"fields": []any{"name", "full_name"}, "order": "id"})
		require.NoError(t, err)
		rows := res.([]any)
		require.Len(t, rows, 4)
		var full []any
		for _, r := range rows {
			v, _ := r.(*models.Dict).Get("full_name")
			full = append(full, v)
		}
		require.Equal(t, []any{"User types / Internal User", "Administration / Settings",
			"Point of Sale / User", "Point of Sale / Administrator"}, full)

		_, err = b.exec(t, b.plain, "res.groups", "write", []any{int64(1), map[string]any{"name": "x"}}, nil)
		require.Equal(t, models.KindAccessError, models.KindOf(err))
		_, err = b.exec(t, b.admin, "res.groups", "create", []any{map[string]any{"name": "x"}}, nil)
		require.Equal(t, models.KindAccessError, models.KindOf(err))
	})
}

func TestUsersReadAndFieldsGet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := setupModels(t, db)
		res, err := b.exec(t, b.plain, "res.users", "search_read", []any{[]any{[]any{"login", "=", "admin"}}},
			map[string]any{"fields": []any{"name", "partner_id", "groups_id", "password", "active"}})
		require.NoError(t, err)
		rows := res.([]any)
		require.Len(t, rows, 1)
		row := rows[0].(*models.Dict)
		partner, _ := row.Get("partner_id")
		require.Len(t, partner, 2, "many2one as [id, name]: %#v", partner)
		require.Equal(t, "Administrator", partner.([]any)[1])
		groups, _ := row.Get("groups_id")
		require.Len(t, groups, 4)
		pw, _ := row.Get("password")
		require.Equal(t, "", pw)

		res, err = b.exec(t, b.plain, "res.users", "fields_get", []any{}, map[string]any{"attributes": []any{"type"}})
		require.NoError(t, err)
		fg := res.(*models.Dict)
		for _, f := range []string{"login", "name", "password", "active", "partner_id", "company_id", "groups_id", "lang", "tz", "share"} {
			_, ok := fg.Get(f)
			require.True(t, ok, f)
		}
		res, err = b.exec(t, b.plain, "res.groups", "fields_get", []any{}, map[string]any{"attributes": []any{"type"}})
		require.NoError(t, err)
		_, ok := res.(*models.Dict).Get("category")
		require.False(t, ok, "the helper field stays hidden")
	})
}
