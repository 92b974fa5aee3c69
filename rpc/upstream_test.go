package rpc

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
)

func TestValidSessionID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{strings.Repeat("a1", 20), true},          // ours and Odoo 17's: 40 hex
		{strings.Repeat("A1", 20), true},          // hex decoding accepts upper case
		{strings.Repeat("aZ-_", 21), true},        // Odoo 18's: 84 base64url
		{strings.Repeat("aZ+/", 21), false},       // base64, not base64url
		{strings.Repeat("g1", 20), false},         // not hex
		{strings.Repeat("a", 39), false},          // too short
		{strings.Repeat("a", 83), false},          // neither shape
		{"", false},                               // nothing
		{strings.Repeat("a", 40) + "\x00", false}, // trailing junk
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, validSessionID(tt.id), "%q", tt.id)
	}
}

// TestWriteFault: the pass-through's faults take the protocol of the
// route, and JSON ones the request's id.
func TestWriteFault(t *testing.T) {
	err := &models.Error{Kind: models.KindException, PyName: "ConnectionError", Message: "down"}
	tests := []struct {
		path, body string
		want       []string
	}{
		{"/xmlrpc/2/object", "", []string{"<name>faultCode</name>\n<value><int>1</int></value>",
			"ConnectionError: down"}},
		{"/xmlrpc/object", "", []string{"<name>faultCode</name>\n<value><string>down</string></value>"}},
		{"/jsonrpc", `{"jsonrpc":"2.0","id":"a7","params":{}}`, []string{`"id": "a7"`, `"code": 200`,
			`"name": "ConnectionError"`, `"message": "down"`}},
		{"/web/dataset/call_kw/x/y", `{"id":12}`, []string{`"id": 12`}},
		{"/web/session/get_session_info", `not json`, []string{`"id": null`}},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		WriteFault(context.Background(), w, tt.path, []byte(tt.body), err, nil)
		require.Equal(t, 200, w.Code)
		for _, s := range tt.want {
			require.Contains(t, w.Body.String(), s, tt.path)
		}
	}
}

// TestUseUpstream: the upstream's authenticator, sessions and database
// name replace the local ones.
func TestUseUpstream(t *testing.T) {
	s, err := NewServer(Config{DBName: "loyalty"}, &fakeExec{}, nil, nil, nil)
	require.NoError(t, err)
	sessions := NewMemorySessions(0)
	s.UseUpstream(nil, sessions, "peer")
	require.Equal(t, "peer", s.DBName())
	require.Same(t, sessions, s.sessions.(*MemorySessions))
	s.UseUpstream(nil, sessions, "")
	require.Equal(t, "peer", s.DBName())
}
