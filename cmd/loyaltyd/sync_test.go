package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
)

// TestSyncStatsAndRetry: a whole server with an upstream; an event failed
// by a permanent fault shows in loyalty.sync.get_sync_stats, /web/health
// and `loyaltyd sync --stats`, and goes through once retried over RPC
// (retry_failed) or with `loyaltyd sync --retry-failed`.
func TestSyncStatsAndRetry(t *testing.T) {
	e := newUpstreamEnv(t, 10*time.Second)
	a, srv := e.app, e.odoo
	ctx := t.Context()
	adjust := func(key string, card ...int64) {
		t.Helper()
		c := int64(12)
		if len(card) > 0 {
			c = card[0]
		}
		require.NoError(t, a.engine.InTx(ctx, func(ctx context.Context, tx bun.IDB) error {
			_, err := a.engine.Adjust(ctx, tx, engine.Movement{Card: c, Points: decimal.NewFromInt(5), Key: key, Reason: "test"})
			return err
		}))
	}
	count := func(status string) int {
		var n int
		require.NoError(t, a.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sync_log WHERE status = ?", status).Scan(&n))
		return n
	}
	object, err := xmlrpc.NewClient(e.url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	stats := func() map[string]any {
		t.Helper()
		var st map[string]any
		require.NoError(t, object.Call("execute_kw", []any{"peer", 2, "admin", "loyalty.sync", "get_sync_stats", []any{}}, &st))
		return st
	}

	srv.Fault("loyalty.card", "load", 2, "odoo.exceptions.ValidationError", "The card is archived.")
	adjust("a1")
	require.Equal(t, 1, count(engine.SyncPending))
	_, err = a.parts.deliverer.DeliverOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, count(engine.SyncFailed))
	var msg string
	require.NoError(t, a.db.QueryRowContext(ctx, "SELECT error_message FROM sync_log WHERE status = 'failed'").Scan(&msg))
	require.Contains(t, msg, "The card is archived.")

	st := stats()
	require.EqualValues(t, 1, st["failed"])
	require.EqualValues(t, 0, st["pending"])

	// /web/health carries the figures.
	a.handler.HealthInfo = a.syncHealth
	hs := httptest.NewServer(a.handler)
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/web/health")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var health map[string]any
	require.NoError(t, json.Unmarshal(body, &health), string(body))
	require.Equal(t, "pass", health["status"])
	require.EqualValues(t, 1, health["sync"].(map[string]any)["failed"])

	// retry_failed over RPC, after the fault is cleared.
	srv.ClearFaults()
	var id int64
	require.NoError(t, a.db.QueryRowContext(ctx, "SELECT id FROM sync_log WHERE status = 'failed'").Scan(&id))
	var n int64
	require.NoError(t, object.Call("execute_kw", []any{"peer", 2, "admin", "loyalty.sync", "retry_failed",
		[]any{[]any{id}}}, &n))
	require.EqualValues(t, 1, n)
	_, err = a.parts.deliverer.DeliverOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, count(engine.SyncSynced))
	require.Zero(t, count(engine.SyncFailed)+count(engine.SyncPending))

	// The CLI on the same store.
	srv.Fault("loyalty.card", "load", 2, "odoo.exceptions.ValidationError", "The card is archived.")
	adjust("a2")
	_, err = a.parts.deliverer.DeliverOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, count(engine.SyncFailed))
	cli := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		args = append([]string{"--data-dir", a.cfg.DataDir, "--db-name", a.cfg.DBName, "--log-level", "warn",
			"--odoo-url", srv.URL, "--odoo-db", srv.DB(), "--odoo-login", srv.Login(), "--odoo-api-key", srv.Password()}, args...)
		require.NoError(t, cmdSync(ctx, args, &out, &errb, func(string) string { return "" }), errb.String())
		return out.String()
	}
	require.Contains(t, cli("--stats"), "failed:             1\n")
	srv.ClearFaults()
	require.Contains(t, cli("--retry-failed"), "retry: 1 failed events back to pending")
	// A card Odoo does not know (made before the upstream was set): the
	// sync creates it there.
	_, err = a.db.ExecContext(ctx, `INSERT INTO loyalty_cards (id, program_id, code) VALUES (13, 5, 'LOCAL-13')`)
	require.NoError(t, err)
	adjust("a3", 13)
	require.Contains(t, cli("--once", "--stats"), "delivered: 2 events")
	require.Equal(t, 3, count(engine.SyncSynced))
	cards := srv.Records("loyalty.card")
	require.Len(t, cards, 2)
	require.EqualValues(t, 17, cards[0]["points"]) // 7 before, two adjustments of 5
	require.Equal(t, "LOCAL-13", cards[1]["code"])
	require.EqualValues(t, 5, cards[1]["points"])
	var odooID int64
	require.NoError(t, a.db.QueryRowContext(ctx, "SELECT odoo_card_id FROM loyalty_cards WHERE id = 13").Scan(&odooID))
	require.Equal(t, cards[1]["id"], odooID)
}

// TestSyncCardWrite: an RPC write of a card's fields (not points) queues
// a card event in the batch lane, delivered once due.
func TestSyncCardWrite(t *testing.T) {
	e := newUpstreamEnv(t, 10*time.Second)
	a, srv := e.app, e.odoo
	ctx := t.Context()
	object, err := xmlrpc.NewClient(e.url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	defer object.Close()
	var ok bool
	require.NoError(t, object.Call("execute_kw", []any{"peer", 2, "admin", "loyalty.card", "write",
		[]any{[]any{12}, map[string]any{"expiration_date": "2027-01-31"}}}, &ok))
	require.True(t, ok)
	var action, lane, payload string
	require.NoError(t, a.db.QueryRowContext(ctx, "SELECT action, lane, payload FROM sync_log WHERE entity_id = 12").
		Scan(&action, &lane, &payload))
	require.Equal(t, []string{engine.SyncActionCard, engine.SyncLaneBatch}, []string{action, lane})
	require.JSONEq(t, `{"expiration_date": "2027-01-31"}`, payload)
	n, err := a.parts.deliverer.DeliverOnce(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "the batch lane waits for --sync-batch-interval")
	_, err = a.db.ExecContext(ctx, "UPDATE sync_log SET next_attempt_at = '2020-01-01 00:00:00'")
	require.NoError(t, err)
	n, err = a.parts.deliverer.DeliverOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	cards := srv.Records("loyalty.card")
	require.Len(t, cards, 1)
	require.Equal(t, "2027-01-31", cards[0]["expiration_date"])
	require.Equal(t, "LOCAL-12", cards[0]["code"])
}
