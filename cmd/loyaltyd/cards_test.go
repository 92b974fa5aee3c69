package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

// upstreamApp wires the whole program on the fresh store sc with the fake
// Odoo as its upstream.
func upstreamApp(t *testing.T, sc models.StoreConfig, fake *odootest.Server) *app {
	t.Helper()
	dir := sc.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	cfg := &Config{HTTPInterface: "127.0.0.1", DBName: "loyalty", DatabaseURL: sc.URL, DataDir: dir, ServerVersion: "17.0",
		MaxBodyBytes: 16 << 20, CallTimeout: 60 * time.Second, ListDB: true, LogLevel: "warn", LogFormat: "text",
		Timezone: "UTC", passwordRounds: 1000, OdooURL: fake.URL, OdooDB: fake.DB(), OdooLogin: fake.Login(),
		OdooAPIKey: fake.Password(), OdooTimeout: 10 * time.Second, SyncWorkers: 1}
	a, err := openApp(context.Background(), cfg, dbtest.Logger(t))
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return a
}

// call runs model.method in-process as superuser and returns its error.
func sudoCall(a *app, model, method string, args ...any) (any, error) {
	env := &models.Env{DB: "loyalty", UID: 1, Superuser: true, Version: 17, Context: map[string]any{}}
	return a.reg.Execute(context.Background(), env, model, method, args, nil)
}

// fakeCard is the fake Odoo's card of code (nil: none), failing on two.
func fakeCard(t *testing.T, fake *odootest.Server, code string) map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range fake.Records("loyalty.card") {
		if r["code"] == code {
			out = append(out, r)
		}
	}
	require.LessOrEqual(t, len(out), 1, "cards with code %s in Odoo", code)
	if len(out) == 0 {
		return nil
	}
	return out[0]
}

// requireUpstreamCard checks that card exists locally and in the fake
// under the same id, which is also its odoo_card_id.
func requireUpstreamCard(t *testing.T, a *app, fake *odootest.Server, card int64) {
	t.Helper()
	var code string
	var odooID *int64
	require.NoError(t, a.db.QueryRowContext(context.Background(), "SELECT code, odoo_card_id FROM loyalty_cards WHERE id = ?",
		card).Scan(&code, &odooID))
	require.NotNil(t, odooID, "card %d: odoo_card_id", card)
	require.Equal(t, card, *odooID, "card %d: id == odoo_card_id", card)
	r := fakeCard(t, fake, code)
	require.NotNil(t, r, "card %d (%s) is in Odoo", card, code)
	require.Equal(t, card, r["id"], "card %d: local id == Odoo's id", card)
}

func localCards(t *testing.T, a *app, code string) int {
	t.Helper()
	var n int
	require.NoError(t, a.db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM loyalty_cards WHERE code = ?", code).Scan(&n))
	return n
}

func posFake(t *testing.T) *odootest.Server {
	fake := odootest.New(t, odootest.Options{Models: append(append([]string{}, odootest.DefaultModels...), "pos.order",
		"pos.order.line")})
	for i := range 40 { // Odoo's card ids are not what a local sequence would give
		fake.Insert("loyalty.card", map[string]any{"code": fmt.Sprintf("ODOO-%d", i), "program_id": int64(1)})
	}
	return fake
}

// TestCardIDAuthority: with an upstream, every new card is made in Odoo
// first and kept under Odoo's id: a create of loyalty.card, a coupon made
// by a POS confirmation of an order that only Odoo has, the card of a
// tier's primary program; Odoo failing creates nothing.
func TestCardIDAuthority(t *testing.T) {
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) {
		fake := posFake(t)
		a := upstreamApp(t, sc, fake)

		// loyalty.card create (f.cardA is made with create).
		f := seedPOS(t, a)
		require.Greater(t, f.cardA, int64(40))
		requireUpstreamCard(t, a, fake, f.cardA)
		require.Equal(t, "100.00", balance(t, a, f.cardA))

		// Odoo refusing, then unreachable: a fault, no card.
		fake.Fault("loyalty.card", "create", 2, "odoo.exceptions.ValidationError", "The program is archived.")
		_, err := sudoCall(a, "loyalty.card", "create", map[string]any{"program_id": f.progB, "code": "REFUSED"})
		require.Error(t, err)
		require.Contains(t, models.MessageOf(err), "The program is archived.")
		require.Equal(t, 0, localCards(t, a, "REFUSED"))
		fake.ClearFaults()
		fake.Down()
		_, err = sudoCall(a, "loyalty.card", "create", map[string]any{"program_id": f.progB, "code": "DOWN"})
		require.Error(t, err)
		require.Contains(t, models.MessageOf(err), "The upstream Odoo is not available")
		require.Equal(t, 0, localCards(t, a, "DOWN"))
		require.Nil(t, fakeCard(t, fake, "DOWN"))
		fake.Up()

		// A POS order that only Odoo has (create_from_ui went upstream):
		// confirmed here, its points booked, its new coupon made in Odoo.
		line := fake.Insert("pos.order.line", map[string]any{"qty": 1.0, "price_subtotal_incl": 80.5, "product_id": int64(5)})
		reward := fake.Insert("pos.order.line", map[string]any{"qty": 1.0, "price_subtotal_incl": -1.38, "is_reward_line": true,
			"reward_id": []any{f.rewardA, "5% on your order"}, "reward_identifier_code": "fl2unvl4g", "coupon_id": f.cardA})
		order := fake.Insert("pos.order", map[string]any{"name": "Shop/0042", "pos_reference": "Order 00042-001-0001",
			"partner_id": []any{f.partner, "Ready Mat"}, "date_order": "2026-11-24 17:50:12", "amount_total": 80.5,
			"amount_tax": 10.5, "amount_paid": 80.5, "state": "paid", "lines": []any{line, reward}})
		data := map[string]any{
			fmt.Sprint(f.cardA): map[string]any{"points": -5, "program_id": f.progA, "coupon_id": f.cardA,
				"partner_id": f.partner, "line_codes": []any{"fl2unvl4g"}},
			"-1": map[string]any{"points": 12, "program_id": f.progB, "coupon_id": -1, "partner_id": f.partner,
				"barcode": "POS-NEW-COUPON"},
		}
		out, err := sudoCall(a, "pos.order", "confirm_coupon_programs", []any{order}, data)
		require.NoError(t, err)
		require.Equal(t, "95.00", balance(t, a, f.cardA))
		var newCard int64
		raw, _ := json.Marshal(out)
		var ans struct {
			CouponUpdates []struct {
				OldID int64 `json:"old_id"`
				ID    int64 `json:"id"`
			} `json:"coupon_updates"`
		}
		require.NoError(t, json.Unmarshal(raw, &ans))
		for _, u := range ans.CouponUpdates {
			if u.OldID == -1 {
				newCard = u.ID
			}
		}
		require.NotZero(t, newCard, "the new coupon: %s", raw)
		requireUpstreamCard(t, a, fake, newCard)
		require.Equal(t, "12.00", balance(t, a, newCard))
		require.Equal(t, order, fakeCard(t, fake, "POS-NEW-COUPON")["source_pos_order_id"])
		var name string
		require.NoError(t, a.db.QueryRowContext(context.Background(), "SELECT name FROM pos_order WHERE id = ?", order).Scan(&name))
		require.Equal(t, "Shop/0042", name, "the order is kept under Odoo's id")
		reads := fake.Executed("pos.order", "read")
		_, err = sudoCall(a, "pos.order", "confirm_coupon_programs", []any{order}, data)
		require.NoError(t, err, "a re-sent confirmation")
		require.Equal(t, reads, fake.Executed("pos.order", "read"), "the order is read from Odoo once")
		require.Equal(t, "95.00", balance(t, a, f.cardA), "booked once")

		// Odoo 18's history lines on an upstream order.
		line2 := fake.Insert("pos.order.line", map[string]any{"qty": 1.0, "price_subtotal_incl": 10.0, "product_id": int64(5)})
		order2 := fake.Insert("pos.order", map[string]any{"name": "Shop/0043", "partner_id": []any{f.partner, "Ready Mat"},
			"date_order": "2026-11-24 18:00:00", "amount_total": 10.0, "state": "paid", "lines": []any{line2}})
		_, err = sudoCall(a, "pos.order", "add_loyalty_history_lines", []any{order2},
			[]any{map[string]any{"card_id": f.cardA, "won": 3, "spent": 0}}, []any{})
		require.NoError(t, err)
		var n int
		require.NoError(t, a.db.QueryRowContext(context.Background(),
			"SELECT COUNT(*) FROM loyalty_history WHERE order_id = ? AND card_id = ?", order2, f.cardA).Scan(&n))
		require.Equal(t, 1, n)

		// An order Odoo does not have either: capture 52's fault.
		_, err = sudoCall(a, "pos.order", "confirm_coupon_programs", []any{int64(999999)}, map[string]any{
			"-1": map[string]any{"points": 1, "program_id": f.progB, "coupon_id": -1}})
		require.Error(t, err)
		require.Equal(t, models.KindValidation, models.KindOf(err))
		require.Contains(t, models.MessageOf(err), "loyalty_card_source_pos_order_id_fkey")

		// A tier change makes the new tier's primary-program card in Odoo.
		_, _, progSilver := seedTiers(t, a, f.progA, f.other)
		_, err = sudoCall(a, "loyalty.engine", "process_order", map[string]any{"model": "sale.order", "id": 7,
			"name": "S00007", "partner_id": f.other, "date_order": "2026-11-24 10:00:00", "paid": true,
			"lines": []any{map[string]any{"product_id": 5, "qty": 1, "price_subtotal_incl": 60.0, "price_subtotal": 60.0}}})
		require.NoError(t, err)
		cards := sudo(t, a, "loyalty.card", "search", []any{[]any{"partner_id", "=", f.other},
			[]any{"program_id", "=", progSilver}}).([]int64)
		require.Len(t, cards, 1, "the silver card")
		requireUpstreamCard(t, a, fake, cards[0])
	})
}

// TestUpstreamRefusesLocalCards: a database with cards numbered by this
// server does not start in upstream mode.
func TestUpstreamRefusesLocalCards(t *testing.T) {
	sc := dbtest.SQLiteConfig(t)
	a, _ := engineApp(t, sc)
	f := seedPOS(t, a)
	require.NotZero(t, f.cardA)
	a.Close()
	fake := posFake(t)
	cfg := &Config{HTTPInterface: "127.0.0.1", DBName: "loyalty", DataDir: sc.DataDir, ServerVersion: "17.0",
		MaxBodyBytes: 16 << 20, CallTimeout: 60 * time.Second, LogLevel: "warn", LogFormat: "text", Timezone: "UTC",
		passwordRounds: 1000, OdooURL: fake.URL, OdooDB: fake.DB(), OdooLogin: fake.Login(), OdooAPIKey: fake.Password(),
		OdooTimeout: 10 * time.Second, SyncWorkers: 1}
	_, err := openApp(context.Background(), cfg, dbtest.Logger(t))
	require.Error(t, err)
	require.Contains(t, err.Error(), "numbered by this server")
}

// TestBalanceCacheRPC: card_balance over JSON-RPC is served through the
// cache (Redis, then Redis stopped: still answered, from the database)
// and shows every operation at once.
func TestBalanceCacheRPC(t *testing.T) {
	opt, err := redis.ParseURL(dbtest.Redis(t))
	require.NoError(t, err)
	px := dbtest.NewTCPProxy(t, opt.Addr)
	ru := fmt.Sprintf("redis://%s/%d", px.Addr(), opt.DB)
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) {
		dir := sc.DataDir
		if dir == "" {
			dir = t.TempDir()
		}
		cfg := &Config{HTTPInterface: "127.0.0.1", DBName: "loyalty-" + fmt.Sprint(time.Now().UnixNano()), DatabaseURL: sc.URL,
			DataDir: dir, RedisURL: ru, ServerVersion: "17.0", MaxBodyBytes: 16 << 20, CallTimeout: 60 * time.Second,
			ListDB: true, LogLevel: "warn", LogFormat: "text", Timezone: "UTC", passwordRounds: 1000}
		a, err := openApp(context.Background(), cfg, dbtest.Logger(t))
		require.NoError(t, err)
		t.Cleanup(a.Close)
		_, _, err = a.auth.EnsureAdmin(context.Background(), "admin")
		require.NoError(t, err)
		srv := httptest.NewServer(a.handler)
		t.Cleanup(srv.Close)
		f := seedPOS(t, a)
		c := rpcClient{url: srv.URL, db: cfg.DBName, password: "admin"}
		uid, err := c.post(map[string]any{"service": "common", "method": "login", "args": []any{c.db, "admin", "admin"}})
		require.NoError(t, err)
		c.uid, _ = uid.(json.Number).Int64()
		require.NotZero(t, c.uid)
		show := func() string {
			t.Helper()
			out := c.must(t, "loyalty.engine", "card_balance", []any{f.cardA}, nil).(map[string]any)
			return num(out["points"])
		}
		require.Equal(t, "100.00", show())
		require.Equal(t, "100.00", show())
		earn(t, a, f.cardA, 5, "rpc/earn")
		require.Equal(t, "105.00", show(), "invalidated by the earn")
		c.must(t, "loyalty.engine", "adjust_points", []any{f.cardA, -10, "counted twice"}, nil)
		require.Equal(t, "95.00", show(), "invalidated by an RPC adjustment")
		c.must(t, "loyalty.card", "write", []any{[]any{f.cardA}, map[string]any{"expiration_date": "2027-01-01"}}, nil)
		require.Equal(t, "95.00", show())
		_, err = a.db.ExecContext(context.Background(), "UPDATE loyalty_cards SET points = ? WHERE id = ?", hundredths(a.db, 9), f.cardA)
		require.NoError(t, err)
		require.Equal(t, "95.00", show(), "a change behind the engine's back: the cached balance")
		c.must(t, "loyalty.card", "write", []any{[]any{f.cardA}, map[string]any{"expiration_date": "2027-02-01"}}, nil)
		require.Equal(t, "9.00", show(), "an RPC write of the card invalidates it")
		_, err = a.db.ExecContext(context.Background(), "UPDATE loyalty_cards SET points = ? WHERE id = ?", hundredths(a.db, 95), f.cardA)
		require.NoError(t, err)
		c.must(t, "loyalty.card", "write", []any{[]any{f.cardA}, map[string]any{"expiration_date": false}}, nil)
		require.Equal(t, "95.00", show())

		if sc.URL == "" {
			return // Redis goes away once, in the last run (PostgreSQL)
		}
		px.Stop()
		require.Equal(t, "95.00", show(), "Redis gone: from the database")
		earn(t, a, f.cardA, 1, "rpc/earn2")
		require.Equal(t, "96.00", show())
	})
}
