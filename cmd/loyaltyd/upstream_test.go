package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

// refWrite is one OnReferenceWrite call.
type refWrite struct {
	model string
	ids   []int64
}

// upstreamEnv is a whole loyaltyd server with --odoo-url at a fake Odoo 17.
type upstreamEnv struct {
	odoo *odootest.Server
	app  *app
	url  string

	mu     sync.Mutex
	writes []refWrite
}

func (e *upstreamEnv) refWrites() []refWrite {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]refWrite(nil), e.writes...)
}

// newUpstreamEnv starts the fake Odoo (its admin has the groups of Odoo's
// demo admin) and the server in front of it; the local store has program 5
// and card 12 ("LOCAL-12"), which the fake does not have.
func newUpstreamEnv(t *testing.T, timeout time.Duration) *upstreamEnv {
	t.Helper()
	srv := odootest.New(t, odootest.Options{})
	srv.AddUser(odootest.User{Login: srv.Login(), Name: "Mitchell Admin", PartnerID: 3, Groups: []string{"base.group_user",
		"base.group_system", "point_of_sale.group_pos_user", "point_of_sale.group_pos_manager"}})
	cfg := &Config{HTTPInterface: "127.0.0.1", DBName: "loyalty", DataDir: t.TempDir(), ServerVersion: "17.0",
		MaxBodyBytes: 16 << 20, CallTimeout: 30 * time.Second, ListDB: true, LogLevel: "warn", LogFormat: "text",
		Timezone: "UTC", passwordRounds: 1000,
		OdooURL: srv.URL, OdooDB: srv.DB(), OdooLogin: srv.Login(), OdooAPIKey: srv.Password(), OdooTimeout: timeout,
		SyncBatch: 5 * time.Minute, SyncWorkers: 1}
	a, err := openApp(context.Background(), cfg, dbtest.Logger(t))
	require.NoError(t, err)
	t.Cleanup(a.Close)
	e := &upstreamEnv{odoo: srv, app: a}
	a.parts.OnReferenceWrite = func(_ context.Context, model string, ids []int64) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.writes = append(e.writes, refWrite{model, ids})
	}
	hs := httptest.NewServer(a.front())
	t.Cleanup(hs.Close)
	e.url = hs.URL
	ctx := context.Background()
	_, err = a.db.ExecContext(ctx, `INSERT INTO promotion_programs (id, name, program_type, "trigger", applies_on, sequence) VALUES (5, 'Loyalty Cards', 'loyalty', 'auto', 'both', 5)`)
	require.NoError(t, err)
	_, err = a.db.ExecContext(ctx, `INSERT INTO loyalty_cards (id, program_id, code, points) VALUES (12, 5, 'LOCAL-12', ?)`, hundredths(a.db, 7))
	require.NoError(t, err)
	return e
}

// post sends body to path as is and returns the status, header and body.
func post(t *testing.T, url, contentType, body, cookie string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "session_id", Value: cookie})
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

func captureFile(name string) string {
	return filepath.Join("..", "..", "testdata", "captures", name+".txt")
}

// lastBody is the body of the last request the fake got on path.
func lastBody(t *testing.T, srv *odootest.Server, path string) []byte {
	t.Helper()
	reqs := srv.Requests(path)
	require.NotEmpty(t, reqs, path)
	return reqs[len(reqs)-1].Body
}

// TestPassThroughXMLRPC: with --odoo-url, common (version, authenticate)
// and unowned object calls are Odoo's, bytes unchanged both ways (faults
// included, legacy path too); owned calls are answered locally after one
// check of the caller's password with Odoo, cached; a wrong password gets
// Odoo's Access Denied, never cached.
func TestPassThroughXMLRPC(t *testing.T) {
	e := newUpstreamEnv(t, 10*time.Second)
	srv := e.odoo

	common, err := xmlrpc.NewClient(e.url+"/xmlrpc/2/common", nil)
	require.NoError(t, err)
	defer common.Close()
	var version map[string]any
	require.NoError(t, common.Call("version", nil, &version))
	require.Equal(t, "17.0-20240709", version["server_version"], "Odoo's version, not the engine's")
	var uid any
	require.NoError(t, common.Call("authenticate", []any{"peer", "admin", "admin", map[string]any{}}, &uid))
	require.EqualValues(t, 2, uid)
	var denied any
	require.NoError(t, common.Call("authenticate", []any{"peer", "admin", "wrong", map[string]any{}}, &denied))
	require.Equal(t, false, denied)
	require.Equal(t, 3, srv.Calls("common", "version")+srv.Calls("common", "authenticate"))

	// Unowned calls: the same bytes reach Odoo and come back.
	for _, name := range []string{"08c_xmlrpc_create_partner_for_unlink", "09_xmlrpc_fault_unknown_model",
		"09b_xmlrpc_legacy_path_fault_unknown_model", "11_xmlrpc_name_search_program", "01_xmlrpc_common_version",
		"21_xmlrpc_db_list"} {
		t.Run(name, func(t *testing.T) {
			c := loadCapture(t, captureFile(name))
			status, header, got := post(t, e.url+c.path, "text/xml", string(c.reqBody), "")
			require.Equal(t, string(c.reqBody), string(lastBody(t, srv, c.path)), "Odoo got the client's bytes")
			dstatus, dheader, direct := post(t, srv.URL+c.path, "text/xml", string(c.reqBody), "")
			require.Equal(t, dstatus, status)
			require.Equal(t, dheader.Get("Content-Type"), header.Get("Content-Type"))
			if name != "08c_xmlrpc_create_partner_for_unlink" { // a second create makes another id
				require.Equal(t, string(direct), string(got), "the client got Odoo's answer")
			}
			require.NotEqual(t, "loyaltyd", header.Get("Server"))
		})
	}
	require.Equal(t, 2, srv.Executed("res.partner", "create"))

	object, err := xmlrpc.NewClient(e.url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	var partners []map[string]any
	require.NoError(t, object.Call("execute_kw", []any{"peer", 2, "admin", "res.partner", "search_read",
		[]any{[]any{[]any{"name", "=", "Peer Capture Unlink Partner"}}}, map[string]any{"fields": []any{"name"}}}, &partners))
	require.Len(t, partners, 2)

	// Owned: answered locally (the fake has no card 12), one check.
	for range 3 {
		var cards []map[string]any
		require.NoError(t, object.Call("execute_kw", []any{"peer", 2, "admin", "loyalty.card", "search_read",
			[]any{[]any{}}, map[string]any{"fields": []any{"code"}}}, &cards))
		require.Len(t, cards, 1)
		require.Equal(t, "LOCAL-12", cards[0]["code"])
	}
	require.Zero(t, srv.Calls("loyalty.card", "search_read"), "owned calls stay local")
	require.Equal(t, 1, srv.Calls("res.users", "context_get"), "the check is cached")

	for range 2 {
		var n int64
		err = object.Call("execute_kw", []any{"peer", 2, "wrong", "loyalty.card", "search_count", []any{[]any{}}}, &n)
		require.EqualError(t, err, "Fault(3): Access Denied")
	}
	require.Equal(t, 3, srv.Calls("res.users", "context_get"), "a failed check is not cached")
	var n int64
	err = object.Call("execute_kw", []any{"other", 2, "admin", "loyalty.card", "search_count", []any{[]any{}}}, &n)
	require.ErrorContains(t, err, `database "other" does not exist`)
}

// TestPassThroughJSONRPC: /jsonrpc's common and unowned object calls go to
// Odoo unchanged; owned ones are local.
func TestPassThroughJSONRPC(t *testing.T) {
	e := newUpstreamEnv(t, 10*time.Second)
	srv := e.odoo
	body := `{"jsonrpc":"2.0","method":"call","id":7,"params":{"service":"common","method":"version","args":[]}}`
	out, _ := jsonPost(t, e.url+"/jsonrpc", body, "")
	require.Equal(t, "17.0-20240709", out["result"].(map[string]any)["server_version"])
	require.Equal(t, body, string(lastBody(t, srv, "/jsonrpc")))

	body = `{"jsonrpc":"2.0","method":"call","id":8,"params":{"service":"object","method":"execute_kw","args":["peer",2,"admin","res.partner","create",[{"name":"Json Partner"}]]}}`
	out, _ = jsonPost(t, e.url+"/jsonrpc", body, "")
	require.EqualValues(t, 1, out["result"])
	require.Equal(t, body, string(lastBody(t, srv, "/jsonrpc")))
	require.Equal(t, []refWrite{{"res.partner", []int64{1}}}, e.refWrites())

	body = `{"jsonrpc":"2.0","method":"call","id":9,"params":{"service":"object","method":"execute_kw","args":["peer",2,"admin","no.such","search",[[]]]}}`
	out, _ = jsonPost(t, e.url+"/jsonrpc", body, "")
	require.EqualValues(t, 9, out["id"])
	data := out["error"].(map[string]any)["data"].(map[string]any)
	require.Equal(t, "odoo.exceptions.UserError", data["name"])
	require.Equal(t, "Object no.such doesn't exist", data["message"])

	body = `{"jsonrpc":"2.0","method":"call","id":10,"params":{"service":"object","method":"execute_kw","args":["peer",2,"admin","loyalty.card","search_read",[[]],{"fields":["code"]}]}}`
	out, _ = jsonPost(t, e.url+"/jsonrpc", body, "")
	require.Equal(t, []any{map[string]any{"id": float64(12), "code": "LOCAL-12"}}, out["result"])
	require.Zero(t, srv.Calls("loyalty.card", "search_read"))
	require.Equal(t, 1, srv.Calls("res.users", "context_get"))
}

// TestPassThroughWebSession: a web session opened through the engine
// (Odoo's /web/session/authenticate, Odoo's cookie) works for an owned
// call_kw and a passed-through one; a bogus cookie is a session expired.
func TestPassThroughWebSession(t *testing.T) {
	e := newUpstreamEnv(t, 10*time.Second)
	srv := e.odoo
	c := loadCapture(t, captureFile("40_pos_session_authenticate"))
	out, cookies := jsonPost(t, e.url+c.path, string(c.reqBody), "")
	require.EqualValues(t, 2, out["result"].(map[string]any)["uid"])
	require.Equal(t, 1, srv.Sessions())
	var session string
	for _, ck := range cookies {
		if ck.Name == "session_id" {
			session = ck.Value
			require.Equal(t, 604800, ck.MaxAge)
			require.True(t, ck.HttpOnly)
		}
	}
	require.Len(t, session, 40, "Odoo 17's session id")

	owned := `{"id":5,"jsonrpc":"2.0","method":"call","params":{"model":"loyalty.card","method":"search_read","args":[],"kwargs":{"domain":[["program_id","=",5]],"fields":["code","points"],"context":{"lang":"en_US","tz":"Europe/Brussels","uid":2,"allowed_company_ids":[1]}}}}`
	for range 2 {
		out, _ = jsonPost(t, e.url+"/web/dataset/call_kw/loyalty.card/search_read", owned, session)
		require.Equal(t, []any{map[string]any{"id": float64(12), "code": "LOCAL-12", "points": float64(7)}}, out["result"], "%v", out)
	}
	require.Zero(t, srv.Calls("loyalty.card", "search_read"))
	require.Len(t, srv.Requests("/web/session/get_session_info"), 1, "the session check is cached")

	other := `{"id":6,"jsonrpc":"2.0","method":"call","params":{"model":"res.partner","method":"create","args":[{"name":"Web Partner"}],"kwargs":{}}}`
	out, _ = jsonPost(t, e.url+"/web/dataset/call_kw/res.partner/create", other, session)
	require.EqualValues(t, 1, out["result"])
	require.Equal(t, other, string(lastBody(t, srv, "/web/dataset/call_kw/res.partner/create")))
	require.Equal(t, 1, srv.Executed("res.partner", "create"))

	var b [20]byte
	_, _ = rand.Read(b[:])
	bogus := hex.EncodeToString(b[:])
	for _, path := range []string{"/web/dataset/call_kw/loyalty.card/search_read", "/web/dataset/call_kw/res.partner/create"} {
		body := owned
		if strings.Contains(path, "partner") {
			body = other
		}
		out, _ = jsonPost(t, e.url+path, body, bogus)
		require.EqualValues(t, 100, out["error"].(map[string]any)["code"], path)
	}
	out, _ = jsonPost(t, e.url+"/web/dataset/call_kw/loyalty.card/search_read", owned, "")
	require.EqualValues(t, 100, out["error"].(map[string]any)["code"])

	out, _ = jsonPost(t, e.url+"/web/session/get_session_info", `{"jsonrpc":"2.0","method":"call","id":1,"params":{}}`, session)
	require.Equal(t, "17.0-20240709", out["result"].(map[string]any)["server_version"], "Odoo's session info")

	// Logging out through the engine ends the session for the owned calls
	// at once (the cached check is dropped).
	jsonPost(t, e.url+"/web/session/destroy", `{"jsonrpc":"2.0","method":"call","id":1,"params":{}}`, session)
	require.Zero(t, srv.Sessions())
	out, _ = jsonPost(t, e.url+"/web/dataset/call_kw/loyalty.card/search_read", owned, session)
	require.EqualValues(t, 100, out["error"].(map[string]any)["code"])
}

// TestPassThroughStatic: other paths stream through with their status,
// headers and cookies; Host is Odoo's, X-Forwarded-* tell who asked;
// /web/health stays local.
func TestPassThroughStatic(t *testing.T) {
	e := newUpstreamEnv(t, 10*time.Second)
	srv := e.odoo
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, h http.Header) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.url+path, nil)
		require.NoError(t, err)
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, b
	}

	resp, body := get("/web/login", http.Header{"Connection": {"X-Hop"}, "X-Hop": {"1"}, "X-Forwarded-For": {"10.1.2.3"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "Odoo login")
	require.Equal(t, "frontend_lang=en_US; Path=/", resp.Header.Get("Set-Cookie"))
	got := srv.Requests("/web/login")
	require.Len(t, got, 1)
	require.Equal(t, strings.TrimPrefix(srv.URL, "http://"), got[0].Host, "Host is Odoo's")
	require.Equal(t, "10.1.2.3, 127.0.0.1", got[0].Header.Get("X-Forwarded-For"))
	require.Equal(t, strings.TrimPrefix(e.url, "http://"), got[0].Header.Get("X-Forwarded-Host"))
	require.Equal(t, "http", got[0].Header.Get("X-Forwarded-Proto"))
	require.Empty(t, got[0].Header.Get("X-Hop"), "hop-by-hop headers stop here")

	resp, body = get("/web/assets/x.js", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/javascript; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, "public, max-age=31536000, immutable", resp.Header.Get("Cache-Control"))
	require.Contains(t, string(body), "console.log")
	resp, _ = get("/web/assets/x.js", http.Header{"If-None-Match": {resp.Header.Get("Etag")}})
	require.Equal(t, http.StatusNotModified, resp.StatusCode)
	_, body = get("/web/assets/big.js", nil)
	require.GreaterOrEqual(t, len(body), 2<<20)

	resp, _ = get("/pos/ui?config_id=1", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/web/login?redirect=%2Fpos%2Fui?config_id=1", resp.Header.Get("Location"))
	c := loadCapture(t, captureFile("40_pos_session_authenticate"))
	_, cookies := jsonPost(t, e.url+c.path, string(c.reqBody), "")
	require.NotEmpty(t, cookies)
	resp, body = get("/pos/ui?config_id=1", http.Header{"Cookie": {cookies[0].String()}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "Point of Sale 1")

	// A websocket (Odoo's bus) is upgraded through.
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /websocket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"+
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	wsResp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, wsResp.StatusCode)
	_, err = io.WriteString(conn, "ping over the bus")
	require.NoError(t, err)
	echo := make([]byte, len("ping over the bus"))
	_, err = io.ReadFull(br, echo)
	require.NoError(t, err)
	require.Equal(t, "ping over the bus", string(echo))

	resp, body = get("/web/health", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var health map[string]any
	require.NoError(t, json.Unmarshal(body, &health))
	require.Equal(t, "pass", health["status"])
	require.Empty(t, srv.Requests("/web/health"), "health is the engine's")
	resp, _ = get("/no/such/path", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Len(t, srv.Requests("/no/such/path"), 1)
}

// TestPassThroughOdooDown: Odoo down is a 502 for plain paths and a fault
// in the call's protocol for RPC (owned calls whose check is not cached
// too); a caller checked before keeps working for the cache's minute; an
// Odoo that does not answer is given up after --odoo-timeout.
func TestPassThroughOdooDown(t *testing.T) {
	e := newUpstreamEnv(t, 2*time.Second)
	srv := e.odoo
	object, err := xmlrpc.NewClient(e.url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	count := func(pw, model string) (int64, error) {
		var n int64
		err := object.Call("execute_kw", []any{"peer", 2, pw, model, "search_count", []any{[]any{}}}, &n)
		return n, err
	}
	_, err = count("admin", "loyalty.card")
	require.NoError(t, err)

	srv.Down()
	resp, err := http.Get(e.url + "/web/login")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadGateway, resp.StatusCode)
	_, err = count("admin", "res.partner")
	require.EqualError(t, err, "Fault(1): Traceback (most recent call last):\n  File \"loyaltyd/rpc\", line 1, in /xmlrpc/2/object\n"+
		"ConnectionError: The upstream Odoo server could not be reached.\n")
	_, err = count("other-password", "loyalty.card")
	require.ErrorContains(t, err, "ConnectionError: The upstream Odoo server could not be reached.")
	n, err := count("admin", "loyalty.card")
	require.NoError(t, err, "a cached check needs no Odoo")
	require.EqualValues(t, 1, n)
	out, _ := jsonPost(t, e.url+"/jsonrpc", `{"jsonrpc":"2.0","method":"call","id":"x1","params":{"service":"common","method":"version","args":[]}}`, "")
	require.Equal(t, "x1", out["id"])
	require.Equal(t, "ConnectionError", out["error"].(map[string]any)["data"].(map[string]any)["name"])
	srv.Up()
	_, err = count("admin", "res.partner")
	require.NoError(t, err)

	entered := srv.Block()
	defer srv.Release()
	_, err = count("admin", "res.partner")
	require.ErrorContains(t, err, "ConnectionError")
	require.Equal(t, "res.partner.search_count", <-entered)
}

// TestPassThroughReferenceWrites: OnReferenceWrite gets the model and ids
// of every successful create, write and unlink of a reference model passed
// through, whatever the protocol; failed writes and other models do not
// fire it.
func TestPassThroughReferenceWrites(t *testing.T) {
	e := newUpstreamEnv(t, 10*time.Second)
	object, err := xmlrpc.NewClient(e.url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	call := func(model, method string, args ...any) (any, error) {
		var out any
		err := object.Call("execute_kw", []any{"peer", 2, "admin", model, method, args}, &out)
		return out, err
	}
	_, err = call("res.partner", "create", []any{map[string]any{"name": "A"}, map[string]any{"name": "B"}})
	require.NoError(t, err)
	_, err = call("res.partner", "write", []any{1, 2}, map[string]any{"name": "AB"})
	require.NoError(t, err)
	_, err = call("res.partner", "write", []any{99}, map[string]any{"name": "gone"})
	require.ErrorContains(t, err, "Record does not exist")
	_, err = call("ir.model.data", "create", map[string]any{"module": "x", "name": "y", "model": "res.partner", "res_id": 1})
	require.NoError(t, err)
	_, err = call("res.partner", "search", []any{})
	require.NoError(t, err)

	var legacy any
	legacyObject, err := xmlrpc.NewClient(e.url+"/xmlrpc/object", nil)
	require.NoError(t, err)
	defer legacyObject.Close()
	require.NoError(t, legacyObject.Call("execute_kw", []any{"peer", 2, "admin", "product.tag", "create", []any{map[string]any{"name": "T"}}}, &legacy))

	c := loadCapture(t, captureFile("40_pos_session_authenticate"))
	_, cookies := jsonPost(t, e.url+c.path, string(c.reqBody), "")
	out, _ := jsonPost(t, e.url+"/web/dataset/call_kw/res.partner/unlink",
		`{"jsonrpc":"2.0","method":"call","id":1,"params":{"model":"res.partner","method":"unlink","args":[[2]],"kwargs":{}}}`, cookies[0].Value)
	require.Equal(t, true, out["result"])
	out, _ = jsonPost(t, e.url+"/jsonrpc",
		`{"jsonrpc":"2.0","method":"call","id":2,"params":{"service":"object","method":"execute_kw","args":["peer",2,"admin","res.partner","write",[[1],{"name":"A2"}]]}}`, "")
	require.Equal(t, true, out["result"])

	require.Equal(t, []refWrite{
		{"res.partner", []int64{1, 2}},
		{"res.partner", []int64{1, 2}},
		{"product.tag", []int64{1}},
		{"res.partner", []int64{2}},
		{"res.partner", []int64{1}},
	}, e.refWrites())
}

// TestUpstreamAccessRights: a POS user's rights on the owned models follow
// their groups in Odoo.
func TestUpstreamAccessRights(t *testing.T) {
	e := newUpstreamEnv(t, 10*time.Second)
	cashier := e.odoo.AddUser(odootest.User{Login: "cashier", Password: "c4sh", Name: "Cashier",
		Groups: []string{"base.group_user", "point_of_sale.group_pos_user"}})
	portal := e.odoo.AddUser(odootest.User{Login: "portal", Password: "p0rtal", Name: "Portal",
		Groups: []string{"base.group_portal"}})
	object, err := xmlrpc.NewClient(e.url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	call := func(uid int64, pw, method string, args ...any) error {
		var out any
		return object.Call("execute_kw", []any{"peer", uid, pw, "loyalty.card", method, args}, &out)
	}
	require.NoError(t, call(cashier, "c4sh", "search_read", []any{}))
	require.NoError(t, call(cashier, "c4sh", "write", []any{12}, map[string]any{"code": "LOCAL-12B"}))
	err = call(cashier, "c4sh", "unlink", []any{12})
	require.ErrorContains(t, err, "Fault(4): You are not allowed to delete 'Loyalty Coupon' (loyalty.card) records.")
	err = call(portal, "p0rtal", "search_read", []any{})
	require.ErrorContains(t, err, "Fault(4): You are not allowed to access 'Loyalty Coupon' (loyalty.card) records.")
	err = call(cashier, "portal-password", "search_read", []any{})
	require.EqualError(t, err, "Fault(3): Access Denied")
}
