package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// newTestApp wires the whole program on a fresh SQLite database in a
// temporary directory, with an admin whose password is "admin".
func newTestApp(t *testing.T, dbName, version string) *app {
	t.Helper()
	a := openTestApp(t, dbName, version, t.TempDir())
	_, created, err := a.auth.EnsureAdmin(context.Background(), "admin")
	require.NoError(t, err)
	require.True(t, created)
	return a
}

// newTestAppIn opens the app on the "loyalty" database in dir, creating
// the admin (password "admin") if there is none yet.
func newTestAppIn(t *testing.T, dir string) *app {
	t.Helper()
	a := openTestApp(t, "loyalty", "17.0", dir)
	_, _, err := a.auth.EnsureAdmin(context.Background(), "admin")
	require.NoError(t, err)
	return a
}

func openTestApp(t *testing.T, dbName, version, dir string) *app {
	t.Helper()
	cfg := &Config{HTTPInterface: "127.0.0.1", DBName: dbName, DataDir: dir, ServerVersion: version,
		MaxBodyBytes: 16 << 20, CallTimeout: 30 * time.Second, ListDB: true, LogLevel: "warn", LogFormat: "text",
		passwordRounds: 1000}
	ctx := context.Background()
	a, err := openApp(ctx, cfg, dbtest.Logger(t))
	require.NoError(t, err)
	t.Cleanup(a.Close)
	return a
}

// seedCaptureDB makes the records the captures of a real Odoo 17 refer to
// (same ids, names and codes), so their requests can be replayed as sent.
func seedCaptureDB(t *testing.T, a *app) {
	t.Helper()
	ctx := context.Background()
	db := a.db
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := db.ExecContext(ctx, q, args...)
		require.NoError(t, err, q)
	}
	exec(`UPDATE res_company SET name = 'My Company (San Francisco)' WHERE id = 1`)
	// Partners 12 and 26 are named in the captures; 43 is the next id.
	for id := int64(4); id <= 42; id++ {
		name := "Partner " + itoa(id)
		switch id {
		case 12:
			name = "Ready Mat"
		case 26:
			name = "Azure Interior, Brandon Freeman"
		}
		exec(`INSERT INTO res_partner (id, name) VALUES (?, ?)`, id, name)
	}
	exec(`DELETE FROM res_partner WHERE id = 42`)
	programs := []struct {
		id                       int64
		name, ptype, trig, apply string
	}{
		{1, "Gift Cards", "gift_card", "auto", "future"},
		{2, "Code for 10% on orders", "promo_code", "with_code", "current"},
		{3, "Buy 3 large cabinets, get one for free", "buy_x_get_y", "auto", "current"},
		{4, "10% Discount Coupons", "coupons", "with_code", "current"},
		{5, "Loyalty Cards", "loyalty", "auto", "both"},
		{6, "eWallet", "ewallet", "auto", "future"},
		{51, "POS Capture Loyalty B zq40pos", "loyalty", "auto", "both"},
	}
	for _, p := range programs {
		exec(`INSERT INTO promotion_programs (id, name, program_type, "trigger", applies_on, sequence) VALUES (?, ?, ?, ?, ?, ?)`,
			p.id, p.name, p.ptype, p.trig, p.apply, p.id)
	}
	codes := []string{"0444-1299-4c24", "0440-d898-4a96", "044b-7a3e-4f43", "0446-a33e-4e2b", "0447-8bb4-4b64",
		"044e-0b38-4ef4", "0441-2adb-43d5", "0449-c695-4e86", "044a-c4b5-40fb", "044c-b6c1-4a4e", "0443-d4b4-4c0d"}
	for i, code := range codes {
		exec(`INSERT INTO loyalty_cards (id, program_id, code, points) VALUES (?, 4, ?, ?)`, i+1, code, hundredths(db, 1))
	}
	exec(`INSERT INTO loyalty_cards (id, program_id, partner_id, code, points) VALUES (12, 5, 12, '0448-loyalty-12', ?)`, hundredths(db, 0))
	// The demo user of the captures: uid 6, no Point of Sale administrator.
	for id := int64(3); id <= 6; id++ {
		login := "user" + itoa(id)
		if id == 6 {
			login = "demo"
		}
		exec(`INSERT INTO res_users (id, login, name, company_id) VALUES (?, ?, ?, 1)`, id, login, "Marc Demo "+itoa(id))
	}
	require.NoError(t, a.auth.SetPassword(ctx, 6, "demo"))
	for _, g := range []string{"base.group_user", "point_of_sale.group_pos_user"} {
		exec(`INSERT INTO res_groups_users_rel (gid, uid) SELECT id, 6 FROM res_groups WHERE xml_id = ?`, g)
	}
}

// captureSteps make the records that the Odoo database got between two
// captures. The POS captures' (44-53) are posCaptureSteps in golden_test.go:
// cards 138-140 and order 5 are made through the engine and the POS methods.
var captureSteps = map[string]func(t *testing.T, a *app){}

// hundredths is a points value as the SQLite column stores it.
func hundredths(db *models.DB, points int64) any {
	if db.DialectName() == "sqlite" {
		return points * 100
	}
	return points
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
