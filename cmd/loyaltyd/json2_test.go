package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJSON2 calls the Odoo 19 JSON-2 API with a real API key against the
// real models.
func TestJSON2(t *testing.T) {
	a := newTestApp(t, "loyalty", "17.0")
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	key, err := a.auth.NewAPIKey(context.Background(), 2, "json2 test", "rpc", nil)
	require.NoError(t, err)
	call := func(path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	code, body := call("/json/2/res.partner/create", `{"vals_list": [{"name": "Json Two"}]}`)
	require.Equal(t, 200, code, body)
	require.Regexp(t, `^\[\d+\]$`, body)
	code, body = call("/json/2/loyalty.program/create", `{"vals_list": {"name": "J2", "program_type": "loyalty"}}`)
	require.Equal(t, 200, code, body)
	prog := body
	code, body = call("/json/2/loyalty.card/create", `{"vals_list": [{"program_id": `+prog+`, "code": "J2-1", "points": 2.5}]}`)
	require.Equal(t, 200, code, body)
	code, body = call("/json/2/loyalty.card/search_read", `{"domain": [["code", "=", "J2-1"]], "fields": ["code", "points"]}`)
	require.Equal(t, 200, code, body)
	require.Regexp(t, `^\[\{"id": \d+, "code": "J2-1", "points": 2\.5\}\]$`, body)
	code, body = call("/json/2/loyalty.card/read", `{"ids": [999999], "fields": ["code"]}`)
	require.Equal(t, 200, code, body)
	require.Equal(t, "[]", body)
	code, body = call("/json/2/loyalty.card/write", `{"ids": [999999], "vals": {"code": "x"}}`)
	require.Equal(t, 404, code, body)
	require.Contains(t, body, `"name": "odoo.exceptions.MissingError"`)
	code, body = call("/json/2/loyalty.card/search", `{"domain": [["nope", "=", 1]]}`)
	require.Equal(t, 500, code, body)
	require.Contains(t, body, "Invalid field")
}
