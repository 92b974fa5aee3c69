package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// startServer runs "loyaltyd serve" in-process on a free port and returns
// its URL; the server stops (gracefully) when the test ends.
func startServer(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	url, err := launchServer(t, env, args...)
	require.NoError(t, err)
	return url
}

// launchServer is startServer for any goroutine: it returns the error
// instead of failing the test.
func launchServer(t *testing.T, env map[string]string, args ...string) (string, error) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	args = append([]string{"--http-port", "0", "--data-dir", t.TempDir(), "--log-level", "warn"}, args...)
	var out, logs syncBuffer
	go func() { done <- cmdServe(ctx, args, &out, &logs, getenv, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("graceful shutdown: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Error("server did not stop")
			}
		})
		if !strings.Contains(out.String(), "http://"+addr) {
			return "", fmt.Errorf("banner lacks the URL: %s", out.String())
		}
		return "http://" + addr, nil
	case err := <-done:
		cancel()
		return "", fmt.Errorf("server did not start: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		cancel()
		return "", fmt.Errorf("server did not start in time\n%s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the server's and the test's
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// python returns Debian's python3 with odoorpc, skipping (failing under
// CI=true) when it is missing.
func python(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import odoorpc").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-odoorpc is required under CI=true: %v", err)
		}
		t.Skipf("SKIPPED: %s with odoorpc (Debian package python3-odoorpc) is not installed: %v", py, err)
	}
	return py
}

// TestPythonClients drives the server with Python's xmlrpc.client and
// odoorpc (testdata/clients/compat.py), on SQLite and on PostgreSQL.
func TestPythonClients(t *testing.T) {
	py := python(t)
	backends := map[string]func(t *testing.T) []string{
		"sqlite":   func(t *testing.T) []string { return nil },
		"postgres": func(t *testing.T) []string { return []string{"--database-url", dbtest.PostgresURL(t)} },
	}
	for name, flags := range backends {
		t.Run(name, func(t *testing.T) {
			url := startServer(t, map[string]string{"LOYALTYD_ADMIN_PASSWORD": "s3cret"}, flags(t)...)
			cmd := exec.Command(py, "../../testdata/clients/compat.py", url, "loyalty", "admin", "s3cret", "odoorpc")
			out, err := cmd.CombinedOutput()
			t.Logf("%s", out)
			require.NoError(t, err)
			require.Contains(t, string(out), "12 passed, 0 failed")
		})
	}
}

// TestKoloClient drives the server with kolo/xmlrpc, a Go XML-RPC client
// nobody here wrote.
func TestKoloClient(t *testing.T) {
	url := startServer(t, map[string]string{"LOYALTYD_ADMIN_PASSWORD": "kolo-pw"}, "--db-name", "shop")
	common, err := xmlrpc.NewClient(url+"/xmlrpc/2/common", nil)
	require.NoError(t, err)
	defer common.Close()
	var version map[string]any
	require.NoError(t, common.Call("version", nil, &version))
	require.Equal(t, "17.0", version["server_version"])

	var uid int64
	require.NoError(t, common.Call("authenticate", []any{"shop", "admin", "kolo-pw", map[string]any{}}, &uid))
	require.Equal(t, int64(2), uid, "admin is uid 2, as in Odoo")
	var bad bool
	require.NoError(t, common.Call("authenticate", []any{"shop", "admin", "nope", map[string]any{}}, &bad))
	require.False(t, bad)

	object, err := xmlrpc.NewClient(url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	kw := func(model, method string, args []any, kwargs map[string]any, out any) error {
		return object.Call("execute_kw", []any{"shop", uid, "kolo-pw", model, method, args, kwargs}, out)
	}
	var partner, program int64
	require.NoError(t, kw("res.partner", "create", []any{map[string]any{"name": "Kolo"}}, nil, &partner))
	require.NoError(t, kw("loyalty.program", "create", []any{map[string]any{"name": "Kolo points", "program_type": "loyalty"}}, nil, &program))
	var ids []int64
	require.NoError(t, kw("loyalty.card", "create", []any{[]any{
		map[string]any{"program_id": program, "partner_id": partner, "code": "K-1", "points": 10.25},
		map[string]any{"program_id": program, "partner_id": partner, "code": "K-2"},
	}}, nil, &ids))
	require.Len(t, ids, 2)
	var rows []map[string]any
	require.NoError(t, kw("loyalty.card", "search_read", []any{[]any{[]any{"partner_id", "=", partner}}},
		map[string]any{"fields": []any{"code", "points", "partner_id"}, "order": "code desc"}, &rows))
	require.Len(t, rows, 2)
	require.Equal(t, "K-2", rows[0]["code"])
	require.Equal(t, 10.25, rows[1]["points"])
	require.Equal(t, []any{partner, "Kolo"}, rows[1]["partner_id"])

	var n int64
	err = object.Call("execute_kw", []any{"shop", uid, "wrong", "loyalty.card", "search_count", []any{[]any{}}}, &n)
	// kolo hands faults through net/rpc, which keeps only their text.
	require.EqualError(t, err, "Fault(3): Access Denied")

	err = kw("loyalty.card", "write", []any{[]any{ids[0]}, map[string]any{"nope": 1}}, nil, &bad)
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "Fault(1): Traceback (most recent call last):"), err.Error())
	require.True(t, strings.HasSuffix(strings.TrimSpace(err.Error()), "ValueError: Invalid field 'nope' on model 'loyalty.card'"), err.Error())
}
