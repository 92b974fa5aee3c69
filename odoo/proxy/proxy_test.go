package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	kolo "github.com/kolo/xmlrpc"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

// xmlCallBody is an XML-RPC call as kolo (and any client) writes it.
func xmlCallBody(t *testing.T, method string, params ...any) string {
	t.Helper()
	b, err := kolo.EncodeMethodCall(method, params...)
	require.NoError(t, err)
	return string(b)
}

func xmlBytes(t *testing.T, method string, params ...any) []byte {
	return []byte(xmlCallBody(t, method, params...))
}

// TestRouting sends each kind of request through a Handler between a fake
// Odoo and a local handler and checks who answered, and that whoever did
// got the body as the client sent it.
func TestRouting(t *testing.T) {
	srv := odootest.New(t, odootest.Options{})
	var mu sync.Mutex
	var localBodies []string
	local := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		localBodies = append(localBodies, string(b))
		mu.Unlock()
		_, _ = io.WriteString(w, "local")
	})
	h, err := New(Config{Upstream: srv.URL, Local: local, MaxBodyBytes: 4096})
	require.NoError(t, err)
	front := httptest.NewServer(h)
	t.Cleanup(front.Close)

	exec := func(model, method string) string {
		return xmlCallBody(t, "execute_kw", "peer", 2, "admin", model, method, []any{[]any{}})
	}
	jsonObj := func(model, method string) string {
		return `{"jsonrpc":"2.0","method":"call","id":1,"params":{"service":"object","method":"execute_kw","args":["peer",2,"admin","` +
			model + `","` + method + `",[[]]]}}`
	}
	web := func(model, method string) string {
		return `{"jsonrpc":"2.0","method":"call","id":1,"params":{"model":"` + model + `","method":"` + method + `","args":[],"kwargs":{}}}`
	}
	big := xmlCallBody(t, "execute_kw", "peer", 2, "admin", "loyalty.card", "search", []any{[]any{strings.Repeat("x", 5000)}})
	tests := []struct {
		name, method, path, body string
		local                    bool
	}{
		{"owned model over XML-RPC", "POST", "/xmlrpc/2/object", exec("loyalty.card", "search"), true},
		{"owned model, legacy path", "POST", "/xmlrpc/object", exec("loyalty.point.move", "read"), true},
		{"owned method", "POST", "/xmlrpc/2/object", exec("pos.order", "confirm_coupon_programs"), true},
		{"owned model through execute", "POST", "/xmlrpc/2/object",
			xmlCallBody(t, "execute", "peer", 2, "admin", "loyalty.history", "search", []any{}), true},
		{"other method of an owned method's model", "POST", "/xmlrpc/2/object", exec("pos.order", "create_from_ui"), false},
		{"reference model", "POST", "/xmlrpc/2/object", exec("res.partner", "search"), false},
		{"unparseable XML", "POST", "/xmlrpc/2/object", "<methodCall><nope", false},
		{"larger than the bound", "POST", "/xmlrpc/2/object", big, false},
		{"common", "POST", "/xmlrpc/2/common", xmlCallBody(t, "version"), false},
		{"db", "POST", "/xmlrpc/2/db", xmlCallBody(t, "list"), false},
		{"GET of a call route", "GET", "/xmlrpc/2/object", "", false},
		{"owned model over JSON-RPC", "POST", "/jsonrpc", jsonObj("loyalty.engine", "process_order"), true},
		{"reference model over JSON-RPC", "POST", "/jsonrpc", jsonObj("product.product", "search"), false},
		{"common over JSON-RPC", "POST", "/jsonrpc",
			`{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"login","args":["loyalty.card","execute_kw","x","loyalty.card","search"]}}`, false},
		{"broken JSON", "POST", "/jsonrpc", `{"params":`, false},
		{"owned call_kw", "POST", "/web/dataset/call_kw/pos.config/use_coupon_code", web("pos.config", "use_coupon_code"), true},
		{"owned call_kw, bare path", "POST", "/web/dataset/call_kw", web("loyalty.card", "search_read"), true},
		{"owned call_button", "POST", "/web/dataset/call_button", web("loyalty.sync", "action_retry"), true},
		{"other call_kw", "POST", "/web/dataset/call_kw/pos.session/load_pos_data", web("pos.session", "load_pos_data"), false},
		{"session authenticate", "POST", "/web/session/authenticate", web("loyalty.card", "x"), false},
		{"health", "GET", "/web/health", "", true},
		{"JSON-2 owned", "POST", "/json/2/loyalty.card/search", `{}`, true},
		{"JSON-2 other", "POST", "/json/2/res.partner/search", `{}`, false},
		{"asset", "GET", "/web/assets/a.js", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			before := len(localBodies)
			mu.Unlock()
			upBefore := len(srv.Requests(tt.path))
			req, err := http.NewRequest(tt.method, front.URL+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			if tt.local {
				require.Equal(t, "local", string(b))
				require.Len(t, localBodies, before+1)
				require.Equal(t, tt.body, localBodies[before], "the local handler reads the body as sent")
				require.Len(t, srv.Requests(tt.path), upBefore)
				return
			}
			require.NotEqual(t, "local", string(b))
			require.Len(t, localBodies, before)
			got := srv.Requests(tt.path)
			require.Len(t, got, upBefore+1)
			require.Equal(t, tt.body, string(got[len(got)-1].Body), "Odoo gets the body as sent")
		})
	}
}

// TestWrittenIDs reads the ids of successful writes from each call shape.
func TestWrittenIDs(t *testing.T) {
	ok := func(v any) string {
		var b strings.Builder
		b.WriteString("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n")
		switch x := v.(type) {
		case int:
			b.WriteString("<value><int>" + strconv.Itoa(x) + "</int></value>\n")
		case bool:
			b.WriteString("<value><boolean>1</boolean></value>\n")
		case []int:
			b.WriteString("<value><array><data>\n")
			for _, i := range x {
				b.WriteString("<value><int>" + strconv.Itoa(i) + "</int></value>\n")
			}
			b.WriteString("</data></array></value>\n")
		}
		b.WriteString("</param>\n</params>\n</methodResponse>\n")
		return b.String()
	}
	fault := "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n" +
		"<value><int>2</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>no</string></value>\n" +
		"</member>\n</struct></value>\n</fault>\n</methodResponse>\n"
	tests := []struct {
		name   string
		c      call
		answer string
		want   []int64
		wantOK bool
	}{
		{name: "create one", c: call{proto: "xml", method: "create",
			body: xmlBytes(t, "execute_kw", "db", 2, "pw", "res.partner", "create", []any{map[string]any{"name": "a"}})},
			answer: ok(43), want: []int64{43}, wantOK: true},
		{name: "create many", c: call{proto: "xml", method: "create",
			body: xmlBytes(t, "execute_kw", "db", 2, "pw", "res.partner", "create", []any{[]any{map[string]any{}, map[string]any{}}})},
			answer: ok([]int{7, 8}), want: []int64{7, 8}, wantOK: true},
		{name: "write through execute", c: call{proto: "xml", method: "write",
			body: xmlBytes(t, "execute", "db", 2, "pw", "res.partner", "write", []any{3, 4}, map[string]any{"name": "b"})},
			answer: ok(true), want: []int64{3, 4}, wantOK: true},
		{name: "unlink one id", c: call{proto: "xml", method: "unlink",
			body: xmlBytes(t, "execute_kw", "db", 2, "pw", "res.partner", "unlink", []any{5})},
			answer: ok(true), want: []int64{5}, wantOK: true},
		{name: "fault", c: call{proto: "xml", method: "unlink",
			body: xmlBytes(t, "execute_kw", "db", 2, "pw", "res.partner", "unlink", []any{5})},
			answer: fault, wantOK: false},
		{name: "JSON create", c: call{proto: "json", path: "/jsonrpc", method: "create",
			body: []byte(`{"params":{"service":"object","method":"execute_kw","args":["db",2,"pw","res.partner","create",[{"name":"x"}]]}}`)},
			answer: `{"jsonrpc": "2.0", "id": null, "result": 9}`, want: []int64{9}, wantOK: true},
		{name: "JSON execute write", c: call{proto: "json", path: "/jsonrpc", method: "write",
			body: []byte(`{"params":{"service":"object","method":"execute","args":["db",2,"pw","res.partner","write",[1,2],{"name":"x"}]}}`)},
			answer: `{"jsonrpc": "2.0", "id": null, "result": true}`, want: []int64{1, 2}, wantOK: true},
		{name: "call_kw error", c: call{proto: "json", path: "/web/dataset/call_kw", method: "write",
			body: []byte(`{"params":{"model":"res.partner","method":"write","args":[[1],{}],"kwargs":{}}}`)},
			answer: `{"jsonrpc": "2.0", "id": null, "error": {"code": 200}}`, wantOK: false},
		{name: "name_create", c: call{proto: "json", path: "/web/dataset/call_kw", method: "name_create",
			body: []byte(`{"params":{"model":"res.partner","method":"name_create","args":["Bob"],"kwargs":{}}}`)},
			answer: `{"jsonrpc": "2.0", "id": null, "result": [14, "Bob"]}`, want: []int64{14}, wantOK: true},
		{name: "POS partner editor", c: call{proto: "json", path: "/web/dataset/call_kw/res.partner/create_from_ui", method: "create_from_ui",
			body: []byte(`{"params":{"model":"res.partner","method":"create_from_ui","args":[{"name":"Bob"}],"kwargs":{}}}`)},
			answer: `{"jsonrpc": "2.0", "id": null, "result": 15}`, want: []int64{15}, wantOK: true},
		{name: "call_kw write", c: call{proto: "json", path: "/web/dataset/call_kw/res.partner/write", method: "write",
			body: []byte(`{"params":{"model":"res.partner","method":"write","args":[[6],{}],"kwargs":{}}}`)},
			answer: `{"jsonrpc": "2.0", "id": null, "result": true}`, want: []int64{6}, wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, ok := writtenIDs(&tt.c, []byte(tt.answer))
			require.Equal(t, tt.wantOK, ok)
			if tt.wantOK {
				require.Equal(t, tt.want, ids)
			}
		})
	}
}

// TestOdooDown: a plain path gets a 502, a call route a fault in its
// protocol, and the client never waits past the timeout.
func TestOdooDown(t *testing.T) {
	srv := odootest.New(t, odootest.Options{})
	h, err := New(Config{Upstream: srv.URL, Local: http.NotFoundHandler()})
	require.NoError(t, err)
	front := httptest.NewServer(h)
	t.Cleanup(front.Close)
	srv.Down()
	resp, err := http.Get(front.URL + "/web/login")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadGateway, resp.StatusCode)

	c, err := kolo.NewClient(front.URL+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer c.Close()
	var out any
	err = c.Call("execute_kw", []any{"peer", 2, "admin", "res.partner", "search", []any{}}, &out)
	require.ErrorContains(t, err, "Fault(1): Traceback")
	require.ErrorContains(t, err, "ConnectionError: The upstream Odoo server could not be reached.")
	// The legacy path's faults have string codes.
	resp, err = http.Post(front.URL+"/xmlrpc/object", "text/xml",
		strings.NewReader(xmlCallBody(t, "execute_kw", "peer", 2, "admin", "res.partner", "search", []any{})))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(b), "<name>faultCode</name>\n<value><string>The upstream Odoo server could not be reached.</string>")

	var sessionEnded []string
	h.cfg.OnSessionEnd = func(_ context.Context, id string) { sessionEnded = append(sessionEnded, id) }
	req, _ := http.NewRequest(http.MethodPost, front.URL+"/web/session/destroy", strings.NewReader(`{"id":3}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "session_id", Value: "abc"})
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(b), `"id": 3`)
	require.Contains(t, string(b), `"name": "ConnectionError"`)
	require.Equal(t, []string{"abc"}, sessionEnded)
}
