package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// jsonPost posts a JSON-RPC body and returns the decoded envelope and the
// response's cookies.
func jsonPost(t *testing.T, url, body, cookie string) (map[string]any, []*http.Cookie) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "session_id", Value: cookie})
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.NewDecoder(bytes.NewReader(b)).Decode(&out), "%s", b)
	return out, resp.Cookies()
}

func mustRedisOptions(t *testing.T, u string) *redis.Options {
	t.Helper()
	opt, err := redis.ParseURL(u)
	require.NoError(t, err)
	return opt
}

// TestTwoInstances runs two servers on one PostgreSQL database and one
// Redis: both start (and migrate) at once, a web session opened on one is
// valid on the other, a record written through one is read through the
// other, and login failures counted on one lock the login out on both.
func TestTwoInstances(t *testing.T) {
	pg := dbtest.PostgresURL(t)
	// A Redis database of its own, so that throttling counts left by an
	// earlier run (same login, same address) do not leak in.
	ru, err := url.Parse(dbtest.Redis(t))
	require.NoError(t, err)
	ru.Path = "/" + strconv.Itoa(1+rand.IntN(15))
	rd := ru.String()
	flush := redis.NewClient(mustRedisOptions(t, rd))
	require.NoError(t, flush.FlushDB(context.Background()).Err())
	require.NoError(t, flush.Close())
	env := map[string]string{"LOYALTYD_ADMIN_PASSWORD": "two-pw", "LOYALTYD_DATABASE_URL": pg, "LOYALTYD_REDIS_URL": rd}
	type started struct {
		url string
		err error
	}
	urls := make(chan started, 2)
	for range 2 {
		go func() {
			u, err := launchServer(t, env)
			urls <- started{u, err}
		}()
	}
	first, second := <-urls, <-urls
	require.NoError(t, first.err)
	require.NoError(t, second.err)
	a, b := first.url, second.url

	out, cookies := jsonPost(t, a+"/web/session/authenticate",
		`{"jsonrpc":"2.0","method":"call","params":{"db":"loyalty","login":"admin","password":"two-pw"},"id":1}`, "")
	require.Nil(t, out["error"], "%v", out)
	var sid string
	for _, c := range cookies {
		if c.Name == "session_id" {
			sid = c.Value
		}
	}
	require.NotEmpty(t, sid)

	out, _ = jsonPost(t, a+"/web/dataset/call_kw/res.partner/create",
		`{"id":2,"params":{"model":"res.partner","method":"create","args":[{"name":"Shared"}],"kwargs":{}}}`, sid)
	require.Nil(t, out["error"], "%v", out)
	pid := out["result"].(float64)

	out, _ = jsonPost(t, b+"/web/dataset/call_kw/res.partner/read",
		`{"id":3,"params":{"model":"res.partner","method":"read","args":[[`+itoa(int64(pid))+`],["name"]],"kwargs":{}}}`, sid)
	require.Nil(t, out["error"], "session from instance A works on instance B: %v", out)
	require.Equal(t, "Shared", out["result"].([]any)[0].(map[string]any)["name"])

	bad := `{"id":4,"params":{"service":"common","method":"login","args":["loyalty","admin","wrong"]}}`
	for i := range 5 {
		url := a
		if i%2 == 1 {
			url = b
		}
		out, _ = jsonPost(t, url+"/jsonrpc", bad, "")
		require.Equal(t, false, out["result"])
	}
	good := `{"id":5,"params":{"service":"common","method":"login","args":["loyalty","admin","two-pw"]}}`
	for _, url := range []string{a, b} {
		out, _ = jsonPost(t, url+"/jsonrpc", good, "")
		require.Equal(t, false, out["result"], "throttled on every instance after 5 failures")
	}
}
