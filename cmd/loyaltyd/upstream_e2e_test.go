package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

// TestUpstreamEndToEnd is issue 5's "done when", against the fake Odoo
// over real HTTP: `loyaltyd import` takes Odoo's reference data and card,
// `loyaltyd serve --odoo-url` is the only URL the client knows (Odoo's
// authenticate passes through), a point movement made through it reaches
// Odoo with the same balance, once (Odoo 18: one loyalty.history row), and
// delivering the same events again changes nothing in Odoo.
func TestUpstreamEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, version string
		store         func(t *testing.T) ([]string, models.StoreConfig)
	}{
		{"odoo17-postgres", "17.0", func(t *testing.T) ([]string, models.StoreConfig) {
			url := dbtest.PostgresURL(t)
			return []string{"--database-url", url}, models.StoreConfig{URL: url}
		}},
		{"odoo18-sqlite", "18.0", func(t *testing.T) ([]string, models.StoreConfig) {
			dir := t.TempDir()
			return []string{"--data-dir", dir}, models.StoreConfig{DataDir: dir, DBName: "loyalty"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storeArgs, storeCfg := tc.store(t)
			testUpstreamEndToEnd(t, tc.version, storeArgs, storeCfg)
		})
	}
}

func testUpstreamEndToEnd(t *testing.T, version string, storeArgs []string, storeCfg models.StoreConfig) {
	ctx := context.Background()
	installed := odootest.DefaultModels
	v18 := version == "18.0"
	if v18 {
		installed = append([]string{"loyalty.history"}, installed...)
	}
	fake := odootest.New(t, odootest.Options{Version: version + "-20241010", Models: installed,
		Relations: map[string]map[string]string{
			"loyalty.card":    {"program_id": "loyalty.program", "partner_id": "res.partner"},
			"loyalty.history": {"card_id": "loyalty.card"},
		}})
	fake.AddUser(odootest.User{Login: fake.Login(), Name: "Mitchell Admin", Groups: []string{"base.group_user",
		"base.group_system", "point_of_sale.group_pos_user", "point_of_sale.group_pos_manager"}})
	fake.Fields("res.partner", map[string]string{"name": "char", "active": "boolean"})
	fake.Fields("loyalty.program", map[string]string{"name": "char", "active": "boolean", "program_type": "selection"})
	ann := fake.Insert("res.partner", map[string]any{"name": "Ann", "active": true})
	prog := fake.Insert("loyalty.program", map[string]any{"name": "Club", "active": true, "program_type": "loyalty"})
	card := fake.Insert("loyalty.card", map[string]any{"code": "STD-1", "program_id": prog, "partner_id": ann, "points": 12.5})

	odooArgs := append([]string{"--odoo-url", fake.URL, "--odoo-db", fake.DB(), "--odoo-login", fake.Login(),
		"--odoo-api-key", fake.Password(), "--log-level", "warn", "--server-version", version}, storeArgs...)
	var out, errb bytes.Buffer
	require.NoError(t, cmdImport(ctx, odooArgs, &out, &errb, func(string) string { return "" }), errb.String())
	require.Contains(t, out.String(), "balances that differ:  0", out.String())

	url := startServer(t, nil, append(odooArgs, "--pull-interval", "0")...)
	common, err := xmlrpc.NewClient(url+"/xmlrpc/2/common", nil)
	require.NoError(t, err)
	var uid int64
	require.NoError(t, common.Call("authenticate", []any{fake.DB(), fake.Login(), fake.Password(), map[string]any{}}, &uid))
	require.Positive(t, uid, "Odoo's uid, through the pass-through")
	object, err := xmlrpc.NewClient(url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	var res map[string]any
	require.NoError(t, object.Call("execute_kw", []any{fake.DB(), uid, fake.Password(), "loyalty.engine", "adjust_points",
		[]any{card, 25, "goodwill"}}, &res))
	require.Zero(t, fake.Calls("loyalty.engine", "adjust_points"), "answered by the engine, not Odoo")
	var balance map[string]any
	require.NoError(t, object.Call("execute_kw", []any{fake.DB(), uid, fake.Password(), "loyalty.engine", "card_balance",
		[]any{card}}, &balance))
	require.EqualValues(t, 37.5, balance["points"], "%v", balance)

	odooPoints := func() any {
		for _, r := range fake.Records("loyalty.card") {
			if r["id"] == card {
				return r["points"]
			}
		}
		return nil
	}
	history := func() []map[string]any {
		var rows []map[string]any
		for _, r := range fake.Records("loyalty.history") {
			if fmt.Sprint(r["card_id"]) == fmt.Sprint(card) || fmt.Sprint(r["card_id"]) == fmt.Sprint([]any{card, "STD-1"}) {
				rows = append(rows, r)
			}
		}
		return rows
	}
	db, err := models.Open(ctx, storeCfg, nil)
	require.NoError(t, err)
	defer db.Close()
	pending := func() int {
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM sync_log WHERE status = 'pending'`).Scan(&n))
		return n
	}
	waitFor(t, func() bool { return fmt.Sprint(odooPoints()) == "37.5" }, "Odoo's card points reach 37.5, got %v", odooPoints)
	// A batch writes the balances first, then the rows: wait for the
	// events to be marked synced.
	waitFor(t, func() bool { return pending() == 0 }, "the events are delivered, %d pending", func() any { return pending() })
	if v18 {
		require.Len(t, history(), 1, "one loyalty.history row, the adjustment (not the imported opening balance): %v", fake.Records("loyalty.history"))
	}

	// Odoo's own way of setting a balance, a write of points, through
	// the engine: booked by the ledger, sent like any movement.
	var ok bool
	require.NoError(t, object.Call("execute_kw", []any{fake.DB(), uid, fake.Password(), "loyalty.card", "write",
		[]any{[]any{card}, map[string]any{"points": 50}}}, &ok))
	require.True(t, ok)
	require.Zero(t, fake.Calls("loyalty.card", "write"), "the engine answered the write")
	waitFor(t, func() bool { return fmt.Sprint(odooPoints()) == "50" }, "Odoo's card points reach 50, got %v", odooPoints)
	waitFor(t, func() bool { return pending() == 0 }, "the events are delivered, %d pending", func() any { return pending() })
	if v18 {
		require.Len(t, history(), 2, "the write's adjustment is the second row: %v", fake.Records("loyalty.history"))
	}

	// At least once on our side, once on Odoo's: the same events sent
	// again (a crash after Odoo applied them) leave Odoo as it is.
	var events int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM sync_log WHERE entity_id = ? AND status = 'synced'`,
		card).Scan(&events))
	require.Positive(t, events)
	loads := fake.Executed("loyalty.card", "load")
	_, err = db.ExecContext(ctx, `UPDATE sync_log SET status = 'pending', synced_at = NULL WHERE entity_id = ? AND status = 'synced'`, card)
	require.NoError(t, err)
	// The server's deliverer polls (SQLite) or waits for a NOTIFY that
	// this UPDATE does not send (PostgreSQL): its poll picks them up.
	waitFor(t, func() bool { return pending() == 0 }, "the re-sent events are delivered, %d pending", func() any { return pending() })
	require.Greater(t, fake.Executed("loyalty.card", "load"), loads, "the events were sent again")
	require.Equal(t, "50", fmt.Sprint(odooPoints()))
	if v18 {
		require.Len(t, history(), 2, "re-sent: still two loyalty.history rows")
	}
}

// waitFor polls cond until it holds, failing after a generous deadline
// (a condition, not a timing: the machines are shared and slow).
func waitFor(t *testing.T, cond func() bool, msg string, arg func() any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf(msg, arg())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestUpstreamVersionWarning: an upstream Odoo of another major version
// than --server-version is said in the log at start; the same one is not.
func TestUpstreamVersionWarning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		upstream string
		warn     bool
	}{{"18.0-20241010", true}, {"17.0-20240709", false}} {
		fake := odootest.New(t, odootest.Options{Version: tc.upstream})
		var logs syncBuffer
		cfg := &Config{OdooURL: fake.URL, OdooDB: fake.DB(), OdooLogin: fake.Login(), OdooAPIKey: fake.Password(),
			OdooTimeout: 10 * time.Second, ServerVersion: "17.0", LogLevel: "info", LogFormat: "text"}
		a := &app{cfg: cfg, log: newLogger(cfg, &logs)}
		require.NoError(t, a.openOdoo())
		a.checkUpstreamVersion(context.Background())
		a.odoo.Close()
		require.Equal(t, tc.warn, strings.Contains(logs.String(), "differs from --server-version"), "%s: %s", tc.upstream, logs.String())
	}
}

// TestBannerUpstream: with an upstream the banner names it and sends the
// user to Odoo's logins, not to a local admin password.
func TestBannerUpstream(t *testing.T) {
	var b strings.Builder
	printBanner(&b, &Config{ServerVersion: "17.0", DBName: "loyalty", DataDir: "data", OdooURL: "https://odoo.example.com",
		OdooDB: "prod"}, "http://127.0.0.1:8069", "generated-pw", true)
	require.Contains(t, b.String(), "upstream: https://odoo.example.com (database prod): log in with your Odoo users")
	require.NotContains(t, b.String(), "generated-pw")
	b.Reset()
	printBanner(&b, &Config{ServerVersion: "17.0", DBName: "loyalty", DataDir: "data"}, "http://127.0.0.1:8069", "generated-pw", true)
	require.Contains(t, b.String(), "admin / generated-pw")
}
