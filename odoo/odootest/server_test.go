package odootest_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

// capture is one recorded exchange with a real Odoo 17.
type capture struct {
	path, request, response string
}

func readCapture(t *testing.T, name string) capture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "captures", name+".txt"))
	require.NoError(t, err)
	_, rest, _ := strings.Cut(string(data), "===== REQUEST =====\n")
	req, resp, ok := strings.Cut(rest, "===== RESPONSE =====\n")
	require.True(t, ok)
	line, _, _ := strings.Cut(req, "\n")
	_, reqBody, _ := strings.Cut(req, "\n\n")
	_, respBody, _ := strings.Cut(resp, "\n\n")
	return capture{
		path:     strings.Fields(line)[1],
		request:  strings.TrimRight(reqBody, "\n") + "\n",
		response: strings.TrimRight(respBody, "\n") + "\n",
	}
}

// TestRepliesLikeOdoo sends the captured requests, as Python's
// xmlrpc.client wrote them, to the fake and compares its replies with what
// Odoo 17 answered, byte for byte (for tracebacks: the fault code and the
// exception line).
func TestRepliesLikeOdoo(t *testing.T) {
	t.Parallel()
	srv := odootest.New(t, odootest.Options{})
	tests := []struct {
		capture   string
		lastLines bool
	}{
		{capture: "01_xmlrpc_common_version"},
		{capture: "02_xmlrpc_authenticate_ok"},
		{capture: "03_xmlrpc_authenticate_badpw"},
		{capture: "08e_xmlrpc_write_deleted_record_fault"},
		{capture: "09_xmlrpc_fault_unknown_model"},
		{capture: "15_xmlrpc_fault_bad_password_execute"},
		{capture: "16_xmlrpc_fault_unknown_method", lastLines: true},
		{capture: "17_xmlrpc_fault_private_method"},
		{capture: "18_xmlrpc_read_missing_id_returns_empty"},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			c := readCapture(t, tt.capture)
			resp, err := http.Post(srv.URL+c.path, "text/xml", strings.NewReader(c.request))
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, 200, resp.StatusCode)
			require.Equal(t, "text/xml; charset=utf-8", resp.Header.Get("Content-Type"))
			if !tt.lastLines {
				require.Equal(t, c.response, string(body))
				return
			}
			require.Equal(t, tail(c.response, 7), tail(string(body), 7))
			require.Equal(t, head(c.response, 8), head(string(body), 8))
		})
	}
}

func tail(s string, n int) string {
	l := strings.Split(s, "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

func head(s string, n int) string {
	l := strings.Split(s, "\n")
	return strings.Join(l[:min(n, len(l))], "\n")
}

func TestDownResetsConnections(t *testing.T) {
	t.Parallel()
	srv := odootest.New(t, odootest.Options{})
	c := readCapture(t, "01_xmlrpc_common_version")
	post := func() error {
		resp, err := http.Post(srv.URL+c.path, "text/xml", strings.NewReader(c.request))
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	srv.Down()
	err := post()
	require.Error(t, err, "no answer while down")
	srv.Up()
	require.NoError(t, post())
	require.Equal(t, 1, srv.Calls("common", "version"), "a call while down never reaches the fake")
}
