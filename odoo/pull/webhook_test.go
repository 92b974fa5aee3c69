package pull_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo/pull"
)

// TestWebhook posts Odoo 17's "Send Webhook Notification" bodies over real
// HTTP: a good secret (in the URL, as Odoo must send it, or in the header)
// gets 202 and the record pulled; a bad or missing secret gets 401 and
// nothing is pulled; a body that is not a notification gets 400.
func TestWebhook(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), pull.Options{})
	ann := f.srv.Insert("res.partner", map[string]any{"name": "Ann", "active": true})
	bob := f.srv.Insert("res.partner", map[string]any{"name": "Bob", "active": true})
	ts := httptest.NewServer(pull.Webhook("s3cret", f.p, dbtest.Logger(t)))
	t.Cleanup(ts.Close)

	post := func(query, header, body string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/loyaltyd/webhook"+query, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set("X-Loyaltyd-Secret", header)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	good := "?secret=" + url.QueryEscape("s3cret")
	body := func(id int64) string {
		return `{"_action": "Notify loyaltyd(#12)", "_model": "res.partner", "_id": ` + itoa(id) +
			`, "id": ` + itoa(id) + `, "name": "whatever"}`
	}

	tests := []struct {
		name       string
		query, hdr string
		body       string
		want       int
	}{
		{"missing secret", "", "", body(ann), http.StatusUnauthorized},
		{"bad secret", "?secret=nope", "", body(ann), http.StatusUnauthorized},
		{"bad header", "", "s3cre", body(ann), http.StatusUnauthorized},
		{"garbage", good, "", "{not json", http.StatusBadRequest},
		{"array", good, "", `[1, 2]`, http.StatusBadRequest},
		{"no id", good, "", `{"_model": "res.partner"}`, http.StatusBadRequest},
		{"bad id", good, "", `{"_model": "res.partner", "_id": "x"}`, http.StatusBadRequest},
		{"not pulled", good, "", `{"_model": "sale.order", "_id": 3}`, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, post(tt.query, tt.hdr, tt.body), tt.name)
	}
	f.p.Wait()
	require.Zero(t, f.srv.Calls("res.partner", "read"), "nothing pulled")
	_, ok := f.partner(t, ann)
	require.False(t, ok)

	require.Equal(t, http.StatusAccepted, post(good, "", body(ann)))
	require.Equal(t, http.StatusAccepted, post("", "s3cret", `{"_model": "res.partner", "id": `+itoa(bob)+`}`))
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, a := f.partner(t, ann)
		_, b := f.partner(t, bob)
		if a && b {
			break
		}
		require.True(t, time.Now().Before(deadline), "the records were not pulled")
		time.Sleep(10 * time.Millisecond)
	}
	f.p.Wait()
	got, _ := f.partner(t, ann)
	require.Equal(t, "Ann", got.Name)

	// Refresh (a reference write passed through to Odoo) pulls at once.
	f.srv.Write("res.partner", bob, map[string]any{"name": "Bob 2"})
	f.p.Refresh("sale.order", []int64{1}) // not pulled: ignored
	f.p.Refresh("res.partner", []int64{bob})
	f.p.Wait()
	got, _ = f.partner(t, bob)
	require.Equal(t, "Bob 2", got.Name)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRun: the interval loop pulls new records and stops with its ctx.
func TestRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), pull.Options{Overlap: time.Minute})
	ann := f.srv.Insert("res.partner", map[string]any{"name": "Ann", "active": true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.p.Run(ctx, 10*time.Millisecond) }()
	waitFor := func(id int64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			if _, ok := f.partner(t, id); ok {
				return
			}
			require.True(t, time.Now().Before(deadline), "partner %d not pulled", id)
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(ann)
	bob := f.srv.Insert("res.partner", map[string]any{"name": "Bob", "active": true})
	waitFor(bob)
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop")
	}
}
