package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// redeemers is how many clients spend from one card at once.
const redeemers = 64

// redeemConcurrently has redeemers goroutines each spend 10 points from
// card through handle_deducted_points, spreading them over clients, and
// returns how many were booked and how many refused for lack of points.
// Any other failure fails the test.
func redeemConcurrently(t *testing.T, clients []rpcClient, card int64) (booked, refused int) {
	t.Helper()
	// One call each first: the password check is then cached, and the
	// burst below is about the ledger, not pbkdf2.
	for _, c := range clients {
		_, err := c.call("loyalty.engine", "card_balance", []any{card}, nil)
		require.NoError(t, err)
	}
	var mu sync.Mutex
	var others []error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range redeemers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c := clients[i%len(clients)]
			_, err := c.call("loyalty.point.move", "handle_deducted_points", []any{card, 10, fmt.Sprintf("RPC/%04d", i)}, nil)
			mu.Lock()
			defer mu.Unlock()
			var re *rpcError
			switch {
			case err == nil:
				booked++
			case errors.As(err, &re) && re.Message == "There are not enough points on the card.":
				refused++
			default:
				others = append(others, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Empty(t, others, "only refusals for lack of points")
	return booked, refused
}

// requireLedger checks, with the engine's invariants, that card holds
// want points and that its journal sums to them.
func requireLedger(t *testing.T, db *models.DB, card int64, want string) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, engine.CheckInvariants(ctx, db, card))
	var raw any
	require.NoError(t, db.QueryRowContext(ctx, `SELECT points FROM loyalty_cards WHERE id = ?`, card).Scan(&raw))
	v, err := models.FromColumn(db.DialectName(), &models.Field{Name: "points", Type: models.Float, Decimal: true}, raw)
	require.NoError(t, err)
	require.Equal(t, want, fmt.Sprint(v))
}

// TestRPCConcurrentRedeem: 64 clients redeem 10 points each from a card
// holding 300 through the RPC API: exactly 30 are booked, the others
// refused, the balance is 0 and the journal chain is intact.
func TestRPCConcurrentRedeem(t *testing.T) {
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) {
		a, url := engineApp(t, sc)
		f := seedPOS(t, a)
		earn(t, a, f.cardA, 200, "seed/more")
		c := login(t, url, "admin", "admin")
		booked, refused := redeemConcurrently(t, []rpcClient{c}, f.cardA)
		require.Equal(t, 30, booked)
		require.Equal(t, redeemers-30, refused)
		requireLedger(t, a.db, f.cardA, "0")
	})
}

// TestRPCConcurrentRedeemTwoServers is the same across two server
// processes on one PostgreSQL database.
func TestRPCConcurrentRedeemTwoServers(t *testing.T) {
	pg := dbtest.PostgresURL(t)
	env := map[string]string{"LOYALTYD_ADMIN_PASSWORD": "two-pw", "LOYALTYD_DATABASE_URL": pg}
	type started struct {
		url string
		err error
	}
	urls := make(chan started, 2)
	for range 2 {
		go func() {
			u, err := launchServer(t, env, "--db-name", "loyalty", "--expire-interval", "0")
			urls <- started{u, err}
		}()
	}
	first, second := <-urls, <-urls
	require.NoError(t, first.err)
	require.NoError(t, second.err)
	ca, cb := login(t, first.url, "admin", "two-pw"), login(t, second.url, "admin", "two-pw")

	program := intOf(ca.must(t, "loyalty.program", "create", []any{map[string]any{"name": "Shared Loyalty",
		"program_type": "loyalty", "applies_on": "both", "trigger": "auto"}}, nil))
	card := intOf(cb.must(t, "loyalty.card", "create", []any{map[string]any{"program_id": program, "code": "TWO-SERVERS"}}, nil))
	ca.must(t, "loyalty.point.move", "handle_added_points", []any{card, 300, "opening"}, nil)

	booked, refused := redeemConcurrently(t, []rpcClient{ca, cb}, card)
	require.Equal(t, 30, booked)
	require.Equal(t, redeemers-30, refused)

	db, err := models.Open(context.Background(), models.StoreConfig{URL: pg, MaxOpenConns: 2}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	requireLedger(t, db, card, "0")
	bal := ca.must(t, "loyalty.engine", "card_balance", []any{card}, nil).(map[string]any)
	require.Equal(t, "0.00", num(bal["points"]))
}

// TestConcurrentConfirm: the same order sent by 20 clients at once is
// stored once; confirmed by 20 clients at once it is booked once, one card is created for its negative key, and every client
// gets the same answer.
func TestConcurrentConfirm(t *testing.T) {
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) {
		a, url := engineApp(t, sc)
		f := seedPOS(t, a)
		c := login(t, url, "admin", "admin")
		// The order itself, sent by 20 clients at once: stored once.
		ref := "Order 00002-001-0001"
		ids := make([]any, 20)
		errs := make([]error, 20)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				ids[i], errs[i] = c.call("pos.order", "create_from_ui", []any{[]any{map[string]any{"id": ref,
					"data": posOrderData(f, ref), "to_invoice": false}}, false}, nil)
			}()
		}
		close(start)
		wg.Wait()
		for i := range ids {
			require.NoError(t, errs[i], "client %d", i)
			require.Equal(t, ids[0], ids[i], "client %d", i)
		}
		var stored int
		require.NoError(t, a.db.QueryRowContext(context.Background(), `SELECT count(*) FROM pos_order WHERE pos_reference = ?`, ref).Scan(&stored))
		require.Equal(t, 1, stored)
		order := intOf(ids[0].([]any)[0].(map[string]any)["id"])
		data := map[string]any{
			fmt.Sprint(f.cardA): map[string]any{"points": 25.5, "program_id": f.progA, "coupon_id": f.cardA, "partner_id": f.partner},
			"-1":                map[string]any{"points": 3, "program_id": f.progB, "coupon_id": -1, "partner_id": f.partner},
		}
		const n = 20
		answers := make([]any, n)
		errs = make([]error, n)
		start = make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i], errs[i] = c.call("pos.order", "confirm_coupon_programs", []any{[]any{order}, data}, nil)
			}()
		}
		close(start)
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i], "client %d", i)
			require.Equal(t, answers[0], answers[i], "client %d", i)
		}
		require.Equal(t, "125.50", balance(t, a, f.cardA))
		var cards []int64
		rows, err := a.db.QueryContext(context.Background(), `SELECT id FROM loyalty_cards WHERE source_pos_order_id = ?`, order)
		require.NoError(t, err)
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id))
			cards = append(cards, id)
		}
		require.NoError(t, rows.Close())
		require.Len(t, cards, 1, "one card for the negative key")
		require.Equal(t, "3.00", balance(t, a, cards[0]))
		updates := answers[0].(map[string]any)["coupon_updates"].([]any)
		require.Equal(t, json.Number(fmt.Sprint(cards[0])), updates[1].(map[string]any)["id"])
	})
}
