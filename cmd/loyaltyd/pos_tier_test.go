package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// TestPOSConfirmEvaluatesTier: a POS order confirmed for a bronze customer
// whose spending reaches the silver threshold moves them to silver, and
// their active lots to the silver program's card (net zero); the order
// counts once, however often the confirmation is sent.
func TestPOSConfirmEvaluatesTier(t *testing.T) {
	dbtest.EachConfig(t, func(t *testing.T, sc models.StoreConfig) {
		a, url := engineApp(t, sc)
		f := seedPOS(t, a) // card A: 100 points for the partner, program A
		_, silver, progSilver := seedTiers(t, a, f.progA, f.partner)

		c := login(t, url, "admin", "admin")
		order := createOrder(t, c, f, "Order 00009-001-0001") // amount_total 80.5 >= 50
		key := fmt.Sprint(f.cardA)
		data := map[string]any{key: map[string]any{"points": 10, "program_id": f.progA, "coupon_id": f.cardA,
			"partner_id": f.partner}}
		for range 3 {
			c.must(t, "pos.order", "confirm_coupon_programs", []any{[]any{order}, data}, nil)
		}

		var tier int64
		require.NoError(t, a.db.QueryRowContext(context.Background(),
			"SELECT membership_product_id FROM res_partner WHERE id = ?", f.partner).Scan(&tier))
		require.Equal(t, silver, tier, "the customer is silver now")
		cards := sudo(t, a, "loyalty.card", "search", []any{[]any{"partner_id", "=", f.partner},
			[]any{"program_id", "=", progSilver}})
		require.Len(t, cards, 1, "one silver card")
		silverCard := cards.([]int64)[0]
		require.Equal(t, "0.00", balance(t, a, f.cardA), "the bronze lots moved")
		require.Equal(t, "110.00", balance(t, a, silverCard), "100 + the order's 10, moved once")

		var spent int
		require.NoError(t, a.db.QueryRowContext(context.Background(),
			"SELECT COUNT(*) FROM loyalty_orders WHERE model = 'pos.order' AND order_id = ?", order).Scan(&spent))
		require.Equal(t, 1, spent, "the order's spending counts once")
	})
}

// seedTiers makes two membership levels (Bronze from 0, Silver from 50
// spent), program progA the Bronze primary program, a Silver primary
// program, and partner a Bronze member.
func seedTiers(t *testing.T, a *app, progA, partner int64) (bronze, silver, progSilver int64) {
	t.Helper()
	bronze = sudoCreate(t, a, "product.product", map[string]any{"name": "Bronze membership"})
	silver = sudoCreate(t, a, "product.product", map[string]any{"name": "Silver membership"})
	sudoCreate(t, a, "membership.level.path", map[string]any{"name": "Bronze", "membership_product_id": bronze,
		"sequence": 1, "min_spending": 0})
	sudoCreate(t, a, "membership.level.path", map[string]any{"name": "Silver", "membership_product_id": silver,
		"sequence": 2, "min_spending": 50})
	sudo(t, a, "loyalty.program", "write", []any{progA}, map[string]any{"membership_product_id": bronze,
		"is_primary_loyalty": true})
	progSilver = sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Loyalty Silver",
		"program_type": "loyalty", "applies_on": "both", "trigger": "auto", "membership_product_id": silver,
		"is_primary_loyalty": true})
	sudo(t, a, "res.partner", "write", []any{partner}, map[string]any{"membership_product_id": bronze})
	return bronze, silver, progSilver
}
