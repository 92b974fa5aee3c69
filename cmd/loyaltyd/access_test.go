package main

import (
	"net/http/httptest"
	"testing"

	"github.com/kolo/xmlrpc"
	"github.com/stretchr/testify/require"
)

// TestPOSUserAccess creates a cashier the Odoo way (res.users create with
// login, password and groups_id) and checks what the Point of Sale user
// group may do: read programs, read and write cards, not change programs,
// not delete cards.
func TestPOSUserAccess(t *testing.T) {
	a := newTestApp(t, "loyalty", "17.0")
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	object, err := xmlrpc.NewClient(srv.URL+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	call := func(uid int64, pw, model, method string, args []any, kw map[string]any, out any) error {
		return object.Call("execute_kw", []any{"loyalty", uid, pw, model, method, args, kw}, out)
	}

	var groups []int64
	require.NoError(t, call(2, "admin", "res.groups", "search", []any{[]any{[]any{"name", "=", "User"}, []any{"category", "=", "Point of Sale"}}}, nil, &groups))
	require.Len(t, groups, 1)
	var cashier int64
	require.NoError(t, call(2, "admin", "res.users", "create", []any{map[string]any{
		"name": "Cashier", "login": "cashier", "password": "c4sh-pw", "groups_id": []any{[]any{6, 0, groups}},
	}}, nil, &cashier))

	common, err := xmlrpc.NewClient(srv.URL+"/xmlrpc/2/common", nil)
	require.NoError(t, err)
	defer common.Close()
	var uid int64
	require.NoError(t, common.Call("authenticate", []any{"loyalty", "cashier", "c4sh-pw", map[string]any{}}, &uid))
	require.Equal(t, cashier, uid)

	var program, card int64
	require.NoError(t, call(2, "admin", "loyalty.program", "create", []any{map[string]any{"name": "Points", "program_type": "loyalty"}}, nil, &program))
	require.NoError(t, call(2, "admin", "loyalty.card", "create", []any{map[string]any{"program_id": program, "code": "C-1"}}, nil, &card))

	var programs []map[string]any
	require.NoError(t, call(uid, "c4sh-pw", "loyalty.program", "search_read", []any{[]any{}}, map[string]any{"fields": []any{"name"}}, &programs))
	require.Len(t, programs, 1)
	var ok bool
	require.NoError(t, call(uid, "c4sh-pw", "loyalty.card", "write", []any{[]any{card}, map[string]any{"points": 12.5}}, nil, &ok))
	require.True(t, ok)
	var newCard int64
	require.NoError(t, call(uid, "c4sh-pw", "loyalty.card", "create", []any{map[string]any{"program_id": program, "code": "C-2"}}, nil, &newCard))

	err = call(uid, "c4sh-pw", "loyalty.program", "write", []any{[]any{program}, map[string]any{"name": "hacked"}}, nil, &ok)
	require.EqualError(t, err, "Fault(4): You are not allowed to modify 'Loyalty Program' (loyalty.program) records.\n\n"+
		"This operation is allowed for the following groups:\n\t- Point of Sale/Administrator\n\n"+
		"Contact your administrator to request access if necessary.")
	err = call(uid, "c4sh-pw", "loyalty.card", "unlink", []any{[]any{card}}, nil, &ok)
	require.EqualError(t, err, "Fault(4): You are not allowed to delete 'Loyalty Coupon' (loyalty.card) records.\n\n"+
		"No group currently allows this operation.\n\nContact your administrator to request access if necessary.")
	err = call(uid, "c4sh-pw", "res.users", "write", []any{[]any{int64(2)}, map[string]any{"password": "x"}}, nil, &ok)
	require.ErrorContains(t, err, "Fault(4)")
}
