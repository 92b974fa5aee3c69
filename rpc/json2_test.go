package rpc

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestJSON2(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name, path, auth, body string
		status                 int
		want                   string
	}{
		{"model method", "/json/2/loyalty.card/search_count", "bearer " + apiKey, `{"domain": []}`, 200, `11`},
		{"record method gets ids first", "/json/2/loyalty.card/read", "Bearer " + apiKey, `{"ids": [1, 2], "fields": ["code"], "context": {"lang": "fr_FR"}}`, 200,
			`[{"id": 7, "args": [[1, 2]], "kwargs": {"context": {"lang": "fr_FR"}, "fields": ["code"]}}]`},
		{"empty body", "/json/2/loyalty.card/search_count", "bearer " + apiKey, ``, 200, `11`},
		{"None is null", "/json/2/loyalty.card/none", "bearer " + apiKey, `{}`, 200, `null`},
		{"no key", "/json/2/loyalty.card/search_count", "", `{}`, 401, `"name": "odoo.exceptions.AccessDenied"`},
		{"bad key", "/json/2/loyalty.card/search_count", "bearer nope", `{}`, 401, `"message": "Access Denied"`},
		{"unknown model", "/json/2/no.such/search", "bearer " + apiKey, `{}`, 404, `the model 'no.such' does not exist`},
		{"unknown method", "/json/2/loyalty.card/frob", "bearer " + apiKey, `{}`, 404, `The method 'frob' does not exist`},
		{"ids on a model method", "/json/2/loyalty.card/search_count", "bearer " + apiKey, `{"ids": [1]}`, 422, `cannot call loyalty.card.search_count with ids`},
		{"body not an object", "/json/2/loyalty.card/search_count", "bearer " + apiKey, `[1]`, 422, `the body must be a JSON object`},
		{"bad JSON", "/json/2/loyalty.card/search_count", "bearer " + apiKey, `{`, 422, `could not parse the body as json`},
		{"panic is a 500", "/json/2/loyalty.card/boom", "bearer " + apiKey, `{}`, 500, `"message": "Internal error"`},
		{"other path", "/json/2/loyalty.card", "bearer " + apiKey, `{}`, 404, `Did you mean POST /json/2/<model>/<method>?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, b.srv.URL+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tt.status, resp.StatusCode, "%s", body)
			require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
			require.Contains(t, string(body), tt.want)
		})
	}
}
