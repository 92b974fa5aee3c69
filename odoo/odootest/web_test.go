package odootest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kolo/xmlrpc"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

func postJSON(t *testing.T, url, body, session string) (map[string]any, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "session_id", Value: session})
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), "%s", b)
	return out, resp
}

// TestUsersAndWeb: users added with groups log in over XML-RPC and the web
// routes, their groups have xml ids, call_kw needs a session, and every
// request is logged as received.
func TestUsersAndWeb(t *testing.T) {
	srv := odootest.New(t, odootest.Options{})
	admin := srv.AddUser(odootest.User{Login: "admin", Name: "Mitchell Admin", Groups: []string{"base.group_user"}})
	require.Equal(t, srv.UID(), admin)
	cashier := srv.AddUser(odootest.User{Login: "cashier", Password: "c4sh", Name: "Cashier",
		Groups: []string{"base.group_user", "point_of_sale.group_pos_user"}})

	common, err := xmlrpc.NewClient(srv.URL+"/xmlrpc/2/common", nil)
	require.NoError(t, err)
	defer common.Close()
	var uid any
	require.NoError(t, common.Call("authenticate", []any{"peer", "cashier", "c4sh", map[string]any{}}, &uid))
	require.Equal(t, cashier, uid)

	object, err := xmlrpc.NewClient(srv.URL+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	var uctx map[string]any
	require.NoError(t, object.Call("execute_kw", []any{"peer", cashier, "c4sh", "res.users", "context_get", []any{}}, &uctx))
	require.Equal(t, map[string]any{"lang": "en_US", "tz": "Europe/Brussels", "uid": cashier}, uctx)
	err = object.Call("execute_kw", []any{"peer", cashier, "admin", "res.users", "context_get", []any{}}, &uctx)
	require.EqualError(t, err, "Fault(3): Access Denied")
	var users []map[string]any
	require.NoError(t, object.Call("execute_kw", []any{"peer", admin, "admin", "res.users", "read", []any{[]any{cashier}},
		map[string]any{"fields": []any{"groups_id"}}}, &users))
	var xmlids []map[string]any
	require.NoError(t, object.Call("execute_kw", []any{"peer", admin, "admin", "ir.model.data", "search_read",
		[]any{[]any{[]any{"model", "=", "res.groups"}, []any{"res_id", "in", users[0]["groups_id"]}}},
		map[string]any{"fields": []any{"module", "name"}, "order": "id"}}, &xmlids))
	require.Len(t, xmlids, 2)
	require.Equal(t, "point_of_sale", xmlids[1]["module"])
	require.Equal(t, "group_pos_user", xmlids[1]["name"])

	out, _ := postJSON(t, srv.URL+"/web/session/authenticate",
		`{"jsonrpc":"2.0","method":"call","id":1,"params":{"db":"peer","login":"cashier","password":"bad"}}`, "")
	require.Equal(t, "odoo.exceptions.AccessDenied", out["error"].(map[string]any)["data"].(map[string]any)["name"])
	out, resp := postJSON(t, srv.URL+"/web/session/authenticate",
		`{"jsonrpc":"2.0","method":"call","id":1,"params":{"db":"peer","login":"cashier","password":"c4sh"}}`, "")
	require.EqualValues(t, cashier, out["result"].(map[string]any)["uid"])
	require.Len(t, resp.Cookies(), 1)
	session := resp.Cookies()[0].Value
	require.Len(t, session, 40)

	create := `{"jsonrpc":"2.0","method":"call","id":2,"params":{"model":"res.partner","method":"create","args":[{"name":"P"}],"kwargs":{}}}`
	out, _ = postJSON(t, srv.URL+"/web/dataset/call_kw/res.partner/create", create, "")
	require.EqualValues(t, 100, out["error"].(map[string]any)["code"])
	out, _ = postJSON(t, srv.URL+"/web/dataset/call_kw/res.partner/create", create, session)
	require.EqualValues(t, 3, out["result"], "after the users' partners")
	require.Equal(t, 1, srv.Executed("res.partner", "create"))
	got := srv.Requests("/web/dataset/call_kw/res.partner/create")
	require.Len(t, got, 2)
	require.Equal(t, create, string(got[1].Body))

	out, _ = postJSON(t, srv.URL+"/jsonrpc",
		`{"jsonrpc":"2.0","method":"call","id":3,"params":{"service":"object","method":"execute_kw","args":["peer",2,"admin","res.partner","search_count",[[]]]}}`, "")
	require.EqualValues(t, 3, out["result"])
	require.EqualValues(t, 3, out["id"])
}
