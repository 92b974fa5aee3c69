package main

import (
	"context"
	"testing"

	"github.com/kolo/xmlrpc"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// TestCardPointsThroughLedger: points given to loyalty.card's create and
// write over XML-RPC (Odoo's way of setting a balance) are booked by the
// ledger as adjustments of the difference: the balance equals the lots,
// each change has a journal row with its reason, and writing the same
// value again books nothing.
func TestCardPointsThroughLedger(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url := startServer(t, map[string]string{"LOYALTYD_ADMIN_PASSWORD": "pw"}, "--data-dir", dir)
	object, err := xmlrpc.NewClient(url+"/xmlrpc/2/object", nil)
	require.NoError(t, err)
	call := func(model, method string, args ...any) any {
		t.Helper()
		var out any
		require.NoError(t, object.Call("execute_kw", []any{"loyalty", 2, "pw", model, method, args}, &out), "%s.%s", model, method)
		return out
	}
	prog := call("loyalty.program", "create", map[string]any{"name": "Club", "program_type": "loyalty"})
	card := call("loyalty.card", "create", map[string]any{"program_id": prog, "code": "LEDGER-1", "points": 100})
	cards := call("loyalty.card", "create", []any{
		map[string]any{"program_id": prog, "code": "LEDGER-2", "points": 2.5},
		map[string]any{"program_id": prog, "code": "LEDGER-3"},
	}).([]any)
	require.Len(t, cards, 2)
	require.Equal(t, true, call("loyalty.card", "write", []any{card}, map[string]any{"points": 40, "expiration_date": "2030-01-01"}))
	require.Equal(t, true, call("loyalty.card", "write", []any{card}, map[string]any{"points": 40}))
	require.Equal(t, true, call("loyalty.card", "write", []any{cards[0], cards[1]}, map[string]any{"points": 7}))
	var defaulted, copied any
	require.NoError(t, object.Call("execute_kw", []any{"loyalty", 2, "pw", "loyalty.card", "create",
		[]any{map[string]any{"program_id": prog, "code": "LEDGER-4"}}, map[string]any{"context": map[string]any{"default_points": 3}}},
		&defaulted))
	copied = call("loyalty.card", "copy", card)
	read := call("loyalty.card", "read", []any{card, cards[0], cards[1]}, []any{"points", "expiration_date"}).([]any)
	require.EqualValues(t, 40, read[0].(map[string]any)["points"])
	require.Equal(t, "2030-01-01", read[0].(map[string]any)["expiration_date"])
	require.EqualValues(t, 7, read[1].(map[string]any)["points"])
	require.EqualValues(t, 7, read[2].(map[string]any)["points"])

	ctx := context.Background()
	db, err := models.Open(ctx, models.StoreConfig{DataDir: dir, DBName: "loyalty"}, nil)
	require.NoError(t, err)
	defer db.Close()
	journal := func(id any) []string {
		rows, err := db.QueryContext(ctx, `SELECT kind || ' ' || points_amount || ' ' || reason FROM point_history
			WHERE loyalty_card_id = ? ORDER BY seq`, id)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		return out
	}
	// SQLite keeps hundredths.
	require.Equal(t, []string{"adjust 10000 points set when the card was created",
		"adjust -6000 points written on the card by user 2"}, journal(card))
	require.Equal(t, []string{"adjust 250 points set when the card was created",
		"adjust 450 points written on the card by user 2"}, journal(cards[0]))
	require.Equal(t, []string{"adjust 700 points written on the card by user 2"}, journal(cards[1]))
	require.Equal(t, []string{"adjust 300 points set when the card was created"}, journal(defaulted))
	require.Equal(t, []string{"adjust 4000 points of the card it was copied from"}, journal(copied))
	for _, id := range []any{card, cards[0], cards[1], defaulted, copied} {
		require.NoError(t, engine.CheckInvariants(ctx, db, id.(int64)), "card %v", id)
	}
}
