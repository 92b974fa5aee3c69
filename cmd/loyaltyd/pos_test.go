package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kolo/xmlrpc"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// engineApp wires the whole program on the fresh store sc (SQLite or
// PostgreSQL) and serves it with httptest; admin's password is "admin".
func engineApp(t *testing.T, sc models.StoreConfig) (*app, string) {
	t.Helper()
	dir := sc.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	cfg := &Config{HTTPInterface: "127.0.0.1", DBName: "loyalty", DatabaseURL: sc.URL, DataDir: dir, ServerVersion: "17.0",
		MaxBodyBytes: 16 << 20, CallTimeout: 60 * time.Second, ListDB: true, LogLevel: "warn", LogFormat: "text",
		Timezone: "UTC", passwordRounds: 1000}
	a, err := openApp(context.Background(), cfg, dbtest.Logger(t))
	require.NoError(t, err)
	t.Cleanup(a.Close)
	_, _, err = a.auth.EnsureAdmin(context.Background(), "admin")
	require.NoError(t, err)
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	return a, srv.URL
}

// rpcClient calls execute_kw over JSON-RPC (/jsonrpc) as one user.
type rpcClient struct {
	url, db, password string
	uid               int64
}

// rpcError is a JSON-RPC error answer.
type rpcError struct {
	Name, Message string
}

func (e *rpcError) Error() string { return e.Name + ": " + e.Message }

// login returns a client for login/password on the server at url.
func login(t *testing.T, url, login, password string) rpcClient {
	t.Helper()
	c := rpcClient{url: url, db: "loyalty", password: password}
	out, err := c.post(map[string]any{"service": "common", "method": "login", "args": []any{c.db, login, password}})
	require.NoError(t, err)
	uid, ok := out.(json.Number)
	require.True(t, ok, "login %s: %v", login, out)
	c.uid, _ = uid.Int64()
	return c
}

func (c rpcClient) post(params map[string]any) (any, error) {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
	if err != nil {
		return nil, err
	}
	resp, err := http.Post(c.url+"/jsonrpc", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var env struct {
		Result any `json:"result"`
		Error  *struct {
			Data struct {
				Name    string `json:"name"`
				Message string `json:"message"`
			} `json:"data"`
		} `json:"error"`
	}
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("decode %s: %w", raw, err)
	}
	if env.Error != nil {
		return nil, &rpcError{Name: env.Error.Data.Name, Message: env.Error.Data.Message}
	}
	return env.Result, nil
}

// call runs model.method(*args, **kwargs); goroutine-safe (no t).
func (c rpcClient) call(model, method string, args []any, kwargs map[string]any) (any, error) {
	if kwargs == nil {
		kwargs = map[string]any{}
	}
	return c.post(map[string]any{"service": "object", "method": "execute_kw",
		"args": []any{c.db, c.uid, c.password, model, method, args, kwargs}})
}

// must is call failing the test on an error.
func (c rpcClient) must(t *testing.T, model, method string, args []any, kwargs map[string]any) any {
	t.Helper()
	out, err := c.call(model, method, args, kwargs)
	require.NoError(t, err, "%s.%s", model, method)
	return out
}

// sudo runs an ORM call in-process as superuser (test set-up).
func sudo(t *testing.T, a *app, model, method string, args ...any) any {
	t.Helper()
	env := &models.Env{DB: "loyalty", UID: 1, Superuser: true, Version: 17, Context: map[string]any{}}
	out, err := a.reg.Execute(context.Background(), env, model, method, args, nil)
	require.NoError(t, err, "%s.%s", model, method)
	return out
}

func sudoCreate(t *testing.T, a *app, model string, vals map[string]any) int64 {
	t.Helper()
	id, ok := sudo(t, a, model, "create", vals).(int64)
	require.True(t, ok)
	return id
}

// earn books points on a card through the engine (test set-up).
func earn(t *testing.T, a *app, card int64, points int64, key string) {
	t.Helper()
	require.NoError(t, a.engine.InTx(context.Background(), func(ctx context.Context, tx bun.IDB) error {
		_, err := a.engine.Earn(ctx, tx, engine.Movement{Card: card, Points: decimal.NewFromInt(points), Key: key, Origin: key})
		return err
	}))
}

// balance is a card's points in the engine, with the ledger's invariants
// checked.
func balance(t *testing.T, a *app, card int64) string {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, engine.CheckInvariants(ctx, a.db, card), "card %d", card)
	cs, err := a.engine.Card(ctx, a.db, card)
	require.NoError(t, err)
	return cs.Points.StringFixed(2)
}

// posFixture is a shop with two loyalty programs (A with a card of 100
// points for the customer, B where the customer has none yet).
type posFixture struct {
	partner, other, progA, progB, cardA, rewardA int64
	codeA                                        string
}

func seedPOS(t *testing.T, a *app) posFixture {
	t.Helper()
	var f posFixture
	f.partner = sudoCreate(t, a, "res.partner", map[string]any{"name": "Ready Mat"})
	f.other = sudoCreate(t, a, "res.partner", map[string]any{"name": "Somebody Else"})
	f.progA = sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Loyalty A", "program_type": "loyalty",
		"applies_on": "both", "trigger": "auto"})
	f.progB = sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Loyalty B", "program_type": "loyalty",
		"applies_on": "both", "trigger": "auto"})
	f.rewardA = sudoCreate(t, a, "loyalty.reward", map[string]any{"program_id": f.progA, "reward_type": "discount", "required_points": 5})
	f.codeA = "POS-A-READYMAT"
	f.cardA = sudoCreate(t, a, "loyalty.card", map[string]any{"program_id": f.progA, "partner_id": f.partner, "code": f.codeA})
	earn(t, a, f.cardA, 100, "seed/opening")
	return f
}

// posOrderData is create_from_ui's data of one order with a reward line
// of program A claimed with card A.
func posOrderData(f posFixture, ref string) map[string]any {
	return map[string]any{
		"name": ref, "uid": strings.TrimPrefix(ref, "Order "), "amount_paid": 80.5, "amount_total": 80.5, "amount_tax": 10.5,
		"partner_id": f.partner, "pos_session_id": 1, "date_order": "2026-11-24 17:50:12",
		"lines": []any{
			[]any{0, 0, map[string]any{"qty": 1, "price_subtotal": 70, "price_subtotal_incl": 80.5, "product_id": 5}},
			[]any{0, 0, map[string]any{"qty": 1, "price_subtotal": -1.2, "price_subtotal_incl": -1.3800000000000001,
				"product_id": 59, "is_reward_line": true, "reward_id": f.rewardA, "coupon_id": f.cardA,
				"reward_identifier_code": "fl2unvl4g", "points_cost": 5}},
		},
	}
}

func createOrder(t *testing.T, c rpcClient, f posFixture, ref string) int64 {
	t.Helper()
	out := c.must(t, "pos.order", "create_from_ui", []any{[]any{map[string]any{"id": ref, "data": posOrderData(f, ref),
		"to_invoice": false}}, false}, nil)
	list := out.([]any)
	require.Len(t, list, 1)
	row := list[0].(map[string]any)
	require.Equal(t, ref, row["pos_reference"])
	require.Equal(t, false, row["account_move"])
	id, err := row["id"].(json.Number).Int64()
	require.NoError(t, err)
	return id
}

func num(v any) string {
	switch x := v.(type) {
	case json.Number:
		d, err := decimal.NewFromString(string(x))
		if err != nil {
			return string(x)
		}
		return d.StringFixed(2)
	case float64:
		return decimal.NewFromFloat(x).StringFixed(2)
	}
	return fmt.Sprint(v)
}

func intOf(v any) int64 {
	if n, ok := v.(json.Number); ok {
		i, _ := n.Int64()
		return i
	}
	return 0
}

// TestPOSLoyaltyFlow runs the Odoo 17 POS loyalty calls end to end with
// no upstream Odoo, on SQLite and PostgreSQL: code look-up, the
// pre-payment check, the order, its confirmation (booked once, however
// often it is sent), debt for a paid order that overspends, Odoo 18's
// single-id confirmation and history lines.
func TestPOSLoyaltyFlow(t *testing.T) {
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) {
		a, url := engineApp(t, sc)
		f := seedPOS(t, a)
		c := login(t, url, "admin", "admin")

		out := c.must(t, "pos.config", "use_coupon_code", []any{[]any{1}, f.codeA, "2026-11-24T18:49:58.214+01:00", f.partner, false}, nil)
		res := out.(map[string]any)
		require.Equal(t, true, res["successful"], "%v", res)
		p := res["payload"].(map[string]any)
		require.Equal(t, f.cardA, intOf(p["coupon_id"]))
		require.Equal(t, f.progA, intOf(p["program_id"]))
		require.Equal(t, f.partner, intOf(p["coupon_partner_id"]))
		require.Equal(t, "100.00", num(p["points"]))
		require.Equal(t, false, p["has_source_order"])

		key := fmt.Sprint(f.cardA)
		out = c.must(t, "pos.order", "validate_coupon_programs", []any{[]any{}, map[string]any{key: -5}, []any{}}, nil)
		require.Equal(t, map[string]any{"successful": true, "payload": map[string]any{}}, out)
		out = c.must(t, "pos.order", "validate_coupon_programs", []any{[]any{}, map[string]any{key: -500}, []any{}}, nil)
		p = out.(map[string]any)["payload"].(map[string]any)
		require.Equal(t, "There are not enough points for the coupon: "+f.codeA+".", p["message"])
		require.Equal(t, "100.00", num(p["updated_points"].(map[string]any)[key]))

		order := createOrder(t, c, f, "Order 00001-001-0001")
		require.Equal(t, order, createOrder(t, c, f, "Order 00001-001-0001"), "a re-sent order is stored once")

		data := map[string]any{
			key:  map[string]any{"points": 800.0000000000001, "program_id": f.progA, "coupon_id": f.cardA, "partner_id": f.partner, "line_codes": []any{"fl2unvl4g"}},
			"-1": map[string]any{"points": 1, "program_id": f.progB, "coupon_id": -1, "partner_id": f.partner},
		}
		first := c.must(t, "pos.order", "confirm_coupon_programs", []any{[]any{order}, data}, nil).(map[string]any)
		updates := first["coupon_updates"].([]any)
		require.Len(t, updates, 2)
		u0, u1 := updates[0].(map[string]any), updates[1].(map[string]any)
		require.Equal(t, f.cardA, intOf(u0["old_id"]))
		require.Equal(t, f.cardA, intOf(u0["id"]))
		require.Equal(t, "900.00", num(u0["points"]))
		require.Equal(t, int64(-1), intOf(u1["old_id"]))
		newCard := intOf(u1["id"])
		require.Positive(t, newCard)
		require.Equal(t, "1.00", num(u1["points"]))
		require.Regexp(t, `^044[0-9a-f]-[0-9a-f]{4}-[0-9a-f]{4}$`, u1["code"])
		require.Equal(t, f.partner, intOf(u1["partner_id"]))
		require.Equal(t, []any{
			map[string]any{"program_id": json.Number(fmt.Sprint(f.progA)), "usages": json.Number("1")},
			map[string]any{"program_id": json.Number(fmt.Sprint(f.progB)), "usages": json.Number("0")},
		}, first["program_updates"])
		require.Equal(t, []any{}, first["new_coupon_info"])
		require.Equal(t, map[string]any{}, first["coupon_report"])
		require.Equal(t, "900.00", balance(t, a, f.cardA))
		require.Equal(t, "1.00", balance(t, a, newCard))

		// The reward line now names its card; the new card its source order.
		var lines string
		var source int64
		require.NoError(t, a.db.QueryRowContext(context.Background(), `SELECT lines FROM pos_order WHERE id = ?`, order).Scan(&lines))
		require.Contains(t, lines, fmt.Sprintf(`"coupon_id":%d`, f.cardA))
		require.NoError(t, a.db.QueryRowContext(context.Background(), `SELECT source_pos_order_id FROM loyalty_cards WHERE id = ?`, newCard).Scan(&source))
		require.Equal(t, order, source)

		// Re-sent (Odoo 17 would credit again, capture 50): nothing booked.
		again := c.must(t, "pos.order", "confirm_coupon_programs", []any{[]any{order}, data}, nil)
		require.Equal(t, first, again)
		require.Equal(t, "900.00", balance(t, a, f.cardA))
		require.Equal(t, "1.00", balance(t, a, newCard))

		// An already-paid order that spends more than the card holds is
		// booked, the shortfall as debt.
		order2 := createOrder(t, c, f, "Order 00001-001-0002")
		out = c.must(t, "pos.order", "confirm_coupon_programs", []any{[]any{order2}, map[string]any{
			key: map[string]any{"points": -1000, "program_id": f.progA, "coupon_id": f.cardA, "partner_id": f.partner}}}, nil)
		require.Equal(t, "-100.00", num(out.(map[string]any)["coupon_updates"].([]any)[0].(map[string]any)["points"]))
		require.Equal(t, "-100.00", balance(t, a, f.cardA))
		cb := c.must(t, "loyalty.engine", "card_balance", []any{f.cardA}, nil).(map[string]any)
		require.Equal(t, "100.00", num(cb["debt"]))

		// Odoo 18: a bare order id, and the history lines (idempotent).
		order3 := createOrder(t, c, f, "Order 00001-001-0003")
		out = c.must(t, "pos.order", "confirm_coupon_programs", []any{order3, map[string]any{
			key: map[string]any{"points": 150, "program_id": f.progA, "coupon_id": f.cardA, "partner_id": f.partner}}}, nil)
		require.Equal(t, "50.00", num(out.(map[string]any)["coupon_updates"].([]any)[0].(map[string]any)["points"]))
		hist := []any{[]any{order3}, []any{map[string]any{"order_id": order3, "card_id": f.cardA, "spent": 0, "won": 150}},
			[]any{map[string]any{"id": f.cardA, "old_id": f.cardA}}}
		for range 2 {
			out, err := c.call("pos.order", "add_loyalty_history_lines", hist, nil)
			require.NoError(t, err)
			require.Nil(t, out)
		}
		rows := c.must(t, "loyalty.history", "search_read", []any{[]any{[]any{"order_id", "=", order3}}},
			map[string]any{"fields": []any{"card_id", "description", "issued", "used", "order_model"}}).([]any)
		require.Len(t, rows, 1)
		h := rows[0].(map[string]any)
		require.Equal(t, "Onsite Shop/"+fmt.Sprintf("%04d", order3), h["description"])
		require.Equal(t, "150.00", num(h["issued"]))
		require.Equal(t, "pos.order", h["order_model"])

		// A card deleted meanwhile is left out, as Odoo does; the rest is booked.
		order4 := createOrder(t, c, f, "Order 00001-001-0004")
		out = c.must(t, "pos.order", "confirm_coupon_programs", []any{[]any{order4}, map[string]any{
			"999999": map[string]any{"points": 10, "program_id": f.progA, "coupon_id": 999999},
			key:      map[string]any{"points": 10, "program_id": f.progA, "coupon_id": f.cardA, "partner_id": f.partner}}}, nil)
		require.Len(t, out.(map[string]any)["coupon_updates"].([]any), 1)
		require.Equal(t, "60.00", balance(t, a, f.cardA))

		// Capture 52: a missing order.
		_, err := c.call("pos.order", "confirm_coupon_programs", []any{[]any{999999}, map[string]any{
			"-1": map[string]any{"points": 1, "program_id": f.progB, "coupon_id": -1}}}, nil)
		var re *rpcError
		require.ErrorAs(t, err, &re)
		require.Equal(t, "odoo.exceptions.ValidationError", re.Name)
		require.Contains(t, re.Message, "loyalty_card_source_pos_order_id_fkey")
	})
}

// TestUseCouponCode covers the card look-up rules of use_coupon_code on
// both stores.
func TestUseCouponCode(t *testing.T) {
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) { testUseCouponCode(t, sc) })
}

func testUseCouponCode(t *testing.T, sc models.StoreConfig) {
	a, url := engineApp(t, sc)
	f := seedPOS(t, a)
	c := login(t, url, "admin", "admin")
	coupons := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Coupons", "program_type": "coupons",
		"applies_on": "current", "trigger": "with_code"})
	sudoCreate(t, a, "loyalty.reward", map[string]any{"program_id": coupons, "reward_type": "discount", "required_points": 1})
	card := func(program int64, code string, partner int64, points int64, vals map[string]any) {
		v := map[string]any{"program_id": program, "code": code}
		if partner != 0 {
			v["partner_id"] = partner
		}
		for k, x := range vals {
			v[k] = x
		}
		id := sudoCreate(t, a, "loyalty.card", v)
		if points > 0 {
			earn(t, a, id, points, "seed/"+code)
		}
	}
	card(coupons, "FREE-1", 0, 1, nil)
	card(coupons, "OTHERS", f.other, 1, nil)
	card(coupons, "EXPIRED", 0, 1, map[string]any{"expiration_date": "2024-01-01"})
	card(coupons, "EMPTY", 0, 0, nil)
	future := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Later", "program_type": "coupons",
		"applies_on": "current", "trigger": "with_code", "date_from": "2999-01-01"})
	card(future, "LATER", 0, 1, nil)
	ended := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Ended", "program_type": "coupons",
		"applies_on": "current", "trigger": "with_code", "date_to": "2020-12-31"})
	card(ended, "ENDED", 0, 1, nil)
	limited := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Limited", "program_type": "coupons",
		"applies_on": "current", "trigger": "with_code", "limit_usage": true, "max_usage": 1})
	card(limited, "LIMITED", 0, 1, nil)
	_, err := a.db.ExecContext(context.Background(), `INSERT INTO pos_order (id, name, date_order) VALUES (77, 'x', '2026-01-01 00:00:00')`)
	require.NoError(t, err)
	_, err = a.db.ExecContext(context.Background(), `INSERT INTO pos_order_programs (order_id, program_id) VALUES (77, ?)`, limited)
	require.NoError(t, err)
	promo := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Promo", "program_type": "promo_code",
		"applies_on": "current", "trigger": "with_code"})
	sudoCreate(t, a, "loyalty.reward", map[string]any{"program_id": promo, "reward_type": "discount", "required_points": 1})
	card(promo, "PROMO", 0, 1, nil)
	archived := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Archived", "program_type": "coupons",
		"applies_on": "current", "trigger": "with_code", "active": false})
	card(archived, "ARCHIVED", 0, 1, nil)
	gift := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Gift", "program_type": "gift_card",
		"applies_on": "future", "trigger": "auto"})
	sudoCreate(t, a, "loyalty.reward", map[string]any{"program_id": gift, "reward_type": "discount", "discount_mode": "per_point", "required_points": 1})
	card(gift, "GIFT-OF-OTHER", f.other, 50, nil)

	for _, tc := range []struct {
		code string
		want string // "" = success
	}{
		{"FREE-1", ""},
		{"NO-SUCH", "This coupon is invalid (NO-SUCH)."},
		{"OTHERS", "This coupon is invalid (OTHERS)."},
		{"GIFT-OF-OTHER", ""},
		{"ARCHIVED", "This coupon is invalid (ARCHIVED)."},
		{"EXPIRED", "This coupon is expired (EXPIRED)."},
		{"ENDED", "This coupon is expired (ENDED)."},
		{"LIMITED", "This coupon is expired (LIMITED)."},
		{"LATER", "This coupon is not yet valid (LATER)."},
		{"EMPTY", "No reward can be claimed with this coupon."},
		{"PROMO", "This programs requires a code to be applied."},
		{f.codeA, ""},
	} {
		t.Run(tc.code, func(t *testing.T) {
			out := c.must(t, "pos.config", "use_coupon_code", []any{[]any{1}, tc.code, "2026-11-24T18:49:58.214+01:00", f.partner, false}, nil)
			res := out.(map[string]any)
			if tc.want == "" {
				require.Equal(t, true, res["successful"], "%v", res)
				return
			}
			require.Equal(t, map[string]any{"successful": false, "payload": map[string]any{"error_message": tc.want}}, res)
		})
	}
}

// TestSeedAddonCallsXMLRPC makes the seed addon's ledger calls over
// XML-RPC with a real client: creating lots and history rows books them
// through the engine (caller-sent balances ignored), the handle_* methods
// earn and spend, and the ledger refuses write and unlink.
func TestSeedAddonCallsXMLRPC(t *testing.T) {
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) {
		a, url := engineApp(t, sc)
		f := seedPOS(t, a)
		common, err := xmlrpc.NewClient(url+"/xmlrpc/2/common", nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = common.Close() })
		var uid int64
		require.NoError(t, common.Call("authenticate", []any{"loyalty", "admin", "admin", map[string]any{}}, &uid))
		obj, err := xmlrpc.NewClient(url+"/xmlrpc/2/object", nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = obj.Close() })
		exec := func(model, method string, args []any, kw map[string]any, out any) error {
			if kw == nil {
				kw = map[string]any{}
			}
			return obj.Call("execute_kw", []any{"loyalty", uid, "admin", model, method, args, kw}, out)
		}

		var lot int64
		require.NoError(t, exec("loyalty.point.move", "create", []any{map[string]any{"loyalty_card_id": f.cardA,
			"initial_point": 50, "remaining_point": 9999, "state": "expired", "origin": "SEED/0001"}}, nil, &lot))
		require.Positive(t, lot)
		var moves []any
		require.NoError(t, exec("loyalty.point.move", "read", []any{[]any{lot}, []any{"initial_point", "remaining_point", "state", "origin"}}, nil, &moves))
		require.Len(t, moves, 1)
		mv := moves[0].(map[string]any)
		require.Equal(t, 50.0, mv["initial_point"])
		require.Equal(t, 50.0, mv["remaining_point"], "remaining comes from the engine, not the caller")
		require.Equal(t, "active", mv["state"])
		require.Equal(t, "150.00", balance(t, a, f.cardA))

		var hid int64
		require.NoError(t, exec("loyalty.point.history", "create", []any{map[string]any{"loyalty_card_id": f.cardA,
			"points_amount": -20, "points_balance": 12345, "origin": "SEED/0002"}}, nil, &hid))
		var hist []any
		require.NoError(t, exec("point.history", "read", []any{[]any{hid}, []any{"points_amount", "points_balance"}}, nil, &hist))
		require.Len(t, hist, 1)
		require.Equal(t, 130.0, hist[0].(map[string]any)["points_balance"], "the balance is computed")
		require.Equal(t, "130.00", balance(t, a, f.cardA))

		var ids []any
		require.NoError(t, exec("loyalty.point.move", "handle_added_points", []any{f.cardA, 10, "SEED/0003"}, nil, &ids))
		require.NotEmpty(t, ids)
		var spent []any
		require.NoError(t, exec("point.move", "handle_deducted_points", []any{}, map[string]any{"card_id": f.cardA, "points": 40, "origin": "SEED/0004"}, &spent))
		require.NotEmpty(t, spent)
		require.Equal(t, "100.00", balance(t, a, f.cardA))

		var none []any
		err = exec("loyalty.point.move", "handle_deducted_points", []any{f.cardA, 1000}, nil, &none)
		require.ErrorContains(t, err, "There are not enough points on the card.")
		require.Equal(t, "100.00", balance(t, a, f.cardA), "a refused redemption changes nothing")

		var ok bool
		for _, m := range []string{"loyalty.point.history", "loyalty.point.move"} {
			var rid int64
			if m == "loyalty.point.move" {
				rid = lot
			} else {
				rid = hid
			}
			err = exec(m, "write", []any{[]any{rid}, map[string]any{"origin": "changed"}}, nil, &ok)
			require.ErrorContains(t, err, "append-only")
			err = exec(m, "unlink", []any{[]any{rid}}, nil, &ok)
			require.ErrorContains(t, err, "append-only")
		}

		var adj map[string]any
		require.NoError(t, exec("loyalty.engine", "adjust_points", []any{f.cardA, -30, "damaged card goodwill reversal"},
			map[string]any{"context": map[string]any{"idempotency_key": "adj-1"}}, &adj))
		require.Equal(t, 70.0, adj["balance"])
		var adj2 map[string]any
		require.NoError(t, exec("loyalty.engine", "adjust_points", []any{f.cardA, -30, "damaged card goodwill reversal"},
			map[string]any{"context": map[string]any{"idempotency_key": "adj-1"}}, &adj2))
		require.Equal(t, 70.0, adj2["balance"], "the same key books once")
		require.Equal(t, true, adj2["replayed"])
		var cb map[string]any
		require.NoError(t, exec("loyalty.engine", "card_balance", []any{f.cardA}, nil, &cb))
		require.Equal(t, 70.0, cb["points"])
		var st map[string]any
		require.NoError(t, exec("loyalty.engine", "expire_points", []any{}, map[string]any{"as_of": "2026-11-25 00:00:00"}, &st))
		require.Equal(t, "70.00", balance(t, a, f.cardA))
	})
}

// TestLoyaltyEngineAccess: POS users may read balances but not adjust.
func TestLoyaltyEngineAccess(t *testing.T) {
	a, url := engineApp(t, dbtest.SQLiteConfig(t))
	f := seedPOS(t, a)
	uid := sudoCreate(t, a, "res.users", map[string]any{"login": "cashier", "name": "Cashier", "password": "cashier-pw"})
	_, err := a.db.ExecContext(context.Background(), `INSERT INTO res_groups_users_rel (gid, uid) SELECT id, ? FROM res_groups WHERE xml_id = 'point_of_sale.group_pos_user'`, uid)
	require.NoError(t, err)
	c := login(t, url, "cashier", "cashier-pw")
	_, err = c.call("loyalty.engine", "card_balance", []any{f.cardA}, nil)
	require.NoError(t, err)
	_, err = c.call("loyalty.engine", "adjust_points", []any{f.cardA, 10, "why not"}, nil)
	var re *rpcError
	require.ErrorAs(t, err, &re)
	require.Equal(t, "odoo.exceptions.AccessError", re.Name)
	_, err = c.call("loyalty.point.move", "handle_added_points", []any{f.cardA, 10}, nil)
	require.ErrorAs(t, err, &re)
	require.Equal(t, "odoo.exceptions.AccessError", re.Name)
	require.Equal(t, "100.00", balance(t, a, f.cardA))
}

// TestProcessOrderRPC runs loyalty.engine.process_order over JSON-RPC and
// /web/dataset/call_kw (the domain spec's example 5): 80 points earned,
// 1000 spent, balance 330; the same order again is a replay.
func TestProcessOrderRPC(t *testing.T) {
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) {
		a, url := engineApp(t, sc)
		partner := sudoCreate(t, a, "res.partner", map[string]any{"name": "Alice"})
		program := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Loyalty", "program_type": "loyalty",
			"applies_on": "both", "trigger": "auto"})
		sudoCreate(t, a, "loyalty.rule", map[string]any{"program_id": program, "reward_point_mode": "money", "reward_point_amount": 1})
		bread := sudoCreate(t, a, "product.product", map[string]any{"name": "Bread"})
		discount := sudoCreate(t, a, "product.product", map[string]any{"name": "Discount"})
		card := sudoCreate(t, a, "loyalty.card", map[string]any{"program_id": program, "partner_id": partner, "code": "ALICE-1"})
		earn(t, a, card, 1250, "seed/alice")
		order := map[string]any{"model": "pos.order", "id": 5, "name": "Shop/0005", "partner_id": partner,
			"date_order": "2026-03-15 10:00:00", "channel": "pos", "paid": true,
			"lines": []any{
				map[string]any{"product_id": bread, "qty": 1, "price_subtotal_incl": 80.0, "price_subtotal": 72.73},
				map[string]any{"product_id": discount, "qty": 1, "price_subtotal_incl": -50.0, "price_subtotal": -50.0,
					"reward_program_id": program},
			},
			"redemptions": []any{map[string]any{"card_id": card, "points": 1000}},
		}
		c := login(t, url, "admin", "admin")
		res := c.must(t, "loyalty.engine", "process_order", []any{order}, nil).(map[string]any)
		cards := res["cards"].([]any)
		require.Len(t, cards, 1, "%v", res)
		cc := cards[0].(map[string]any)
		require.Equal(t, card, intOf(cc["card_id"]))
		require.Equal(t, "80.00", num(cc["earned"]))
		require.Equal(t, "1000.00", num(cc["spent"]))
		require.Equal(t, "330.00", num(cc["balance"]))
		require.Equal(t, "0.00", num(cc["debt"]))
		require.NotEmpty(t, res["history_ids"])
		require.Equal(t, false, res["tier_change"])
		require.Equal(t, false, res["replayed"])
		require.Equal(t, "330.00", balance(t, a, card))

		// Again through /web/dataset/call_kw with a session: a replay.
		out, cookies := jsonPost(t, url+"/web/session/authenticate",
			`{"jsonrpc":"2.0","method":"call","params":{"db":"loyalty","login":"admin","password":"admin"},"id":1}`, "")
		require.Nil(t, out["error"], "%v", out)
		var sid string
		for _, ck := range cookies {
			if ck.Name == "session_id" {
				sid = ck.Value
			}
		}
		body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "call", "id": 2, "params": map[string]any{
			"model": "loyalty.engine", "method": "process_order", "args": []any{order}, "kwargs": map[string]any{}}})
		require.NoError(t, err)
		out, _ = jsonPost(t, url+"/web/dataset/call_kw/loyalty.engine/process_order", string(body), sid)
		require.Nil(t, out["error"], "%v", out)
		again := out["result"].(map[string]any)
		require.Equal(t, true, again["replayed"])
		require.Equal(t, 330.0, again["cards"].([]any)[0].(map[string]any)["balance"])
		require.Equal(t, "330.00", balance(t, a, card))
	})
}
