package rpc

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// fakeExec is an Executor with function fields (wtf's mock style).
type fakeExec struct {
	ExecuteFunc func(ctx context.Context, env *models.Env, model, method string, args []any, kwargs map[string]any) (any, error)
}

func (f *fakeExec) Execute(ctx context.Context, env *models.Env, model, method string, args []any, kwargs map[string]any) (any, error) {
	return f.ExecuteFunc(ctx, env, model, method, args, kwargs)
}

func (f *fakeExec) Model(name string) *models.Model {
	if name == "loyalty.card" {
		return &models.Model{Name: name}
	}
	return nil
}

func (f *fakeExec) IsRecordMethod(model, method string) bool { return method == "read" }

// fakeAuth knows admin/admin (uid 2) and the API key apiKey only.
type fakeAuth struct{}

func (fakeAuth) Authenticate(_ context.Context, login, password string, _ bool, _ string) (int64, error) {
	if login == "admin" && password == "admin" {
		return 2, nil
	}
	return 0, models.ErrAccessDenied
}

func (fakeAuth) Check(_ context.Context, uid int64, password string) (*Principal, error) {
	if uid == 2 && password == "admin" {
		return admin, nil
	}
	return nil, models.ErrAccessDenied
}

func (fakeAuth) Principal(_ context.Context, uid int64) (*Principal, error) {
	if uid == 2 {
		return admin, nil
	}
	return nil, models.ErrAccessDenied
}

const apiKey = "0123456789abcdef0123456789abcdef01234567"

func (fakeAuth) APIKey(_ context.Context, key string) (*Principal, error) {
	if key == apiKey {
		return admin, nil
	}
	return nil, models.ErrAccessDenied
}

var admin = &Principal{UID: 2, Login: "admin", Name: "Mitchell Admin", PartnerID: 3, CompanyID: 1,
	Groups: map[string]bool{"base.group_user": true, "base.group_system": true}}

type testBundle struct {
	srv *httptest.Server
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	s := setupServer(t)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &testBundle{srv: srv}
}

// setupServer builds a Server over a fake executor and authenticator.
func setupServer(t testing.TB) *Server {
	t.Helper()
	ex := &fakeExec{ExecuteFunc: func(ctx context.Context, env *models.Env, model, method string, args []any, kwargs map[string]any) (any, error) {
		switch method {
		case "search_count":
			return int64(11), nil
		case "boom":
			panic("boom")
		case "none":
			return nil, nil
		case "read":
			return []any{models.D("id", int64(7), "args", args, "kwargs", kwargs)}, nil
		}
		return nil, models.AttributeErrorf("The method '%s' does not exist on the model '%s'", method, model)
	}}
	s, err := NewServer(Config{DBName: "peer", MaxBodyBytes: 4096}, ex, fakeAuth{}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	return s
}

func xmlCall(method string, params ...string) string {
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>" + method + "</methodName>\n<params>\n")
	for _, p := range params {
		b.WriteString("<param>\n<value>" + p + "</value>\n</param>\n")
	}
	b.WriteString("</params>\n</methodCall>\n")
	return b.String()
}

func post(t *testing.T, url, ctype, body string, cookie string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if cookie != "" {
		req.Header.Set("Cookie", "session_id="+cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func TestXMLRPC(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := func(v string) string { return "<string>" + v + "</string>" }
	i := func(v string) string { return "<int>" + v + "</int>" }
	empty := "<array><data></data></array>"
	tests := []struct {
		name, path, body string
		want             []string // substrings of the answer
	}{
		{"version", "/xmlrpc/2/common", xmlCall("version"), []string{"<name>server_version</name>\n<value><string>17.0</string>", "<name>protocol_version</name>\n<value><int>1</int>"}},
		{"login ok", "/xmlrpc/2/common", xmlCall("login", s("peer"), s("admin"), s("admin")), []string{"<value><int>2</int></value>"}},
		{"authenticate bad password is False", "/xmlrpc/2/common", xmlCall("authenticate", s("peer"), s("admin"), s("x"), "<struct></struct>"), []string{"<boolean>0</boolean>"}},
		{"authenticate needs 4 args", "/xmlrpc/2/common", xmlCall("authenticate", s("peer"), s("admin"), s("admin")), []string{"<int>1</int>", "TypeError: exp_authenticate() missing 1 required positional argument: 'user_agent_env'"}},
		{"unknown database", "/xmlrpc/2/common", xmlCall("login", s("nodb"), s("admin"), s("admin")), []string{"<int>1</int>", "does not exist"}},
		{"common unknown method", "/xmlrpc/2/common", xmlCall("frobnicate"), []string{"<int>1</int>", "Exception: Method not found: frobnicate"}},
		{"bad password on execute_kw", "/xmlrpc/2/object", xmlCall("execute_kw", s("peer"), i("2"), s("x"), s("loyalty.card"), s("search_count"), empty), []string{"<int>3</int>", "Access Denied"}},
		{"execute_kw ok", "/xmlrpc/2/object", xmlCall("execute_kw", s("peer"), i("2"), s("admin"), s("loyalty.card"), s("search_count"), "<array><data><value>"+empty+"</value></data></array>"), []string{"<int>11</int>"}},
		{"uid as string", "/xmlrpc/2/object", xmlCall("execute_kw", s("peer"), s("2"), s("admin"), s("loyalty.card"), s("search_count"), empty), []string{"<int>11</int>"}},
		{"object other method", "/xmlrpc/2/object", xmlCall("exec_workflow"), []string{"<int>1</int>", "NameError: Method not available exec_workflow"}},
		{"method returning None", "/xmlrpc/2/object", xmlCall("execute", s("peer"), i("2"), s("admin"), s("loyalty.card"), s("none")), []string{"<int>1</int>", "TypeError: cannot marshal None unless allow_none is enabled"}},
		{"panic is a fault", "/xmlrpc/2/object", xmlCall("execute", s("peer"), i("2"), s("admin"), s("loyalty.card"), s("boom")), []string{"<int>1</int>", "Internal error"}},
		{"db list", "/xmlrpc/2/db", xmlCall("list"), []string{"<string>peer</string>"}},
		{"db master method", "/xmlrpc/2/db", xmlCall("drop", s("pw"), s("peer")), []string{"<int>3</int>", "Access Denied"}},
		{"db unknown", "/xmlrpc/2/db", xmlCall("nope"), []string{"<int>1</int>", "KeyError: Method not found: nope"}},
		{"legacy access denied", "/xmlrpc/object", xmlCall("execute", s("peer"), i("2"), s("x"), s("loyalty.card"), s("read")), []string{"<string>AccessDenied</string>", "<string>Access Denied</string>"}},
		{"malformed XML", "/xmlrpc/2/common", "<methodCall><methodName>version", []string{"<int>1</int>"}},
		{"deep nesting", "/xmlrpc/2/common", xmlCall("version", strings.Repeat("<array><data><value>", 70)+"x"+strings.Repeat("</value></data></array>", 70)), []string{"<int>1</int>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := post(t, b.srv.URL+tt.path, "text/xml", tt.body, "")
			require.Equal(t, http.StatusOK, code, body)
			require.Equal(t, "text/xml; charset=utf-8", h.Get("Content-Type"))
			require.True(t, strings.HasPrefix(body, "<?xml version='1.0'?>\n<methodResponse>\n"), body)
			for _, w := range tt.want {
				require.Contains(t, body, w)
			}
		})
	}
}

func TestJSONRPC(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name, path, ctype, body string
		status                  int
		want                    []string
	}{
		{"version", "/jsonrpc", "application/json", `{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]},"id":1}`, 200,
			[]string{`{"jsonrpc": "2.0", "id": 1, "result": {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""], "server_serie": "17.0", "protocol_version": 1}}`}},
		{"bad service", "/jsonrpc", "application/json", `{"jsonrpc":"2.0","method":"call","params":{"service":"nosuch","method":"x","args":[]},"id":6}`, 200,
			[]string{`"code": 200, "message": "Odoo Server Error"`, `"name": "builtins.KeyError"`, `"message": "nosuch", "arguments": ["nosuch"], "context": {}`}},
		{"access denied", "/jsonrpc", "application/json", `{"params":{"service":"object","method":"execute_kw","args":["peer",2,"bad","loyalty.card","search_count",[[]]]},"id":"x"}`, 200,
			[]string{`"id": "x"`, `"name": "odoo.exceptions.AccessDenied"`, `"message": "Access Denied"`}},
		{"None result has no result key", "/jsonrpc", "application/json", `{"params":{"service":"object","method":"execute","args":["peer",2,"admin","loyalty.card","none"]},"id":3}`, 200,
			[]string{`{"jsonrpc": "2.0", "id": 3}`}},
		{"missing id is null", "/jsonrpc", "application/json", `{"params":{"service":"db","method":"server_version","args":[]}}`, 200,
			[]string{`{"jsonrpc": "2.0", "id": null, "result": "17.0"}`}},
		{"invalid JSON", "/jsonrpc", "application/json", `{"params":`, 400, []string{"Invalid JSON data"}},
		{"not an object", "/jsonrpc", "application/json", `[1,2]`, 400, []string{"Invalid JSON-RPC data"}},
		{"wrong content type", "/jsonrpc", "text/plain", `{}`, 400, []string{"Bad Request"}},
		{"body too large", "/jsonrpc", "application/json", `{"x":"` + strings.Repeat("a", 5000) + `"}`, 413, []string{"Too Large"}},
		{"call_kw without session", "/web/dataset/call_kw/loyalty.card/read", "application/json", `{"id":3,"jsonrpc":"2.0","method":"call","params":{"model":"loyalty.card","method":"read","args":[[1]],"kwargs":{}}}`, 200,
			[]string{`"code": 100, "message": "Odoo Session Expired"`, `"name": "odoo.http.SessionExpiredException"`, `"message": "Session expired"`}},
		{"version_info", "/web/webclient/version_info", "application/json", `{"id":0,"jsonrpc":"2.0","method":"call","params":{}}`, 200, []string{`"server_serie": "17.0"`}},
		{"web login bad password", "/web/session/authenticate", "application/json", `{"params":{"db":"peer","login":"admin","password":"x"}}`, 200, []string{`"name": "odoo.exceptions.AccessDenied"`}},
		{"web login bad db", "/web/session/authenticate", "application/json", `{"params":{"db":"other","login":"admin","password":"admin"}}`, 200, []string{`"name": "odoo.exceptions.AccessError"`, "Database not found."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := post(t, b.srv.URL+tt.path, tt.ctype, tt.body, "")
			require.Equal(t, tt.status, code, body)
			for _, w := range tt.want {
				require.Contains(t, body, w)
			}
		})
	}
}

func TestWebSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	code, h, body := post(t, b.srv.URL+"/web/session/authenticate", "application/json",
		`{"id":0,"jsonrpc":"2.0","method":"call","params":{"db":"peer","login":"admin","password":"admin"}}`, "")
	require.Equal(t, 200, code)
	require.Contains(t, body, `"uid": 2, "is_system": true`)
	require.Contains(t, body, `"user_context": {"lang": "en_US", "tz": "UTC", "uid": 2}`)
	sc := h.Get("Set-Cookie")
	require.Contains(t, sc, "Max-Age=604800")
	require.Contains(t, sc, "HttpOnly")
	resp := &http.Response{Header: h}
	var sid string
	for _, c := range resp.Cookies() {
		if c.Name == "session_id" {
			sid = c.Value
		}
	}
	require.Len(t, sid, 40)

	_, _, body = post(t, b.srv.URL+"/web/dataset/call_kw/loyalty.card/search_count", "application/json",
		`{"id":5,"params":{"model":"loyalty.card","method":"search_count","args":[[]],"kwargs":{"context":{"lang":"en_US"}}}}`, sid)
	require.Equal(t, `{"jsonrpc": "2.0", "id": 5, "result": 11}`, body)

	_, _, body = post(t, b.srv.URL+"/web/dataset/call_kw", "application/json",
		`{"id":6,"params":{"model":"no.such","method":"read","args":[[]],"kwargs":{}}}`, sid)
	require.Contains(t, body, `"name": "builtins.KeyError", "debug"`)

	_, _, body = post(t, b.srv.URL+"/web/dataset/call_kw", "application/json",
		`{"id":7,"params":{"model":"loyalty.card","method":"_secret","args":[[]],"kwargs":{}}}`, sid)
	require.Contains(t, body, "Private methods (such as _secret) cannot be called remotely.")

	_, _, body = post(t, b.srv.URL+"/web/session/get_session_info", "application/json", `{"id":8,"params":{}}`, sid)
	require.Contains(t, body, `"username": "admin"`)

	_, _, body = post(t, b.srv.URL+"/web/session/destroy", "application/json", `{"id":9,"params":{}}`, sid)
	require.Equal(t, `{"jsonrpc": "2.0", "id": 9}`, body)

	_, _, body = post(t, b.srv.URL+"/web/session/get_session_info", "application/json", `{"id":10,"params":{}}`, sid)
	require.Contains(t, body, `"code": 100`)
}

func TestNotPost(t *testing.T) {
	t.Parallel()
	b := setup(t)
	resp, err := http.Get(b.srv.URL + "/xmlrpc/2/common")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, err = http.Get(b.srv.URL + "/web/health")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
