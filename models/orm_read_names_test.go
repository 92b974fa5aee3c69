package models_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// TestReadNames checks the reader's shortcuts against Odoo's results:
// many2one names read with the records (joins), dangling references,
// empty names, unserved comodels, related fields from the rows read,
// computes that need every column, missing and repeated ids, and the
// same answers when a query hook makes the reader go through bun.
func TestReadNames(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		b := ormSetup(t, db)
		b.fixture()
		ctx := context.Background()
		for _, q := range []string{
			// 6: a partner that does not exist and a POS order (not served).
			`INSERT INTO loyalty_cards (program_id, partner_id, code, points, source_pos_order_id) VALUES (1, 9999, 'DANGLING', 0, 7)`,
			// 4: a partner without a name; 7: a card of it.
			`INSERT INTO res_partner (name) VALUES ('')`,
			`INSERT INTO loyalty_cards (program_id, partner_id, code, points) VALUES (2, 4, 'EMPTYNAME', 0)`,
			// 8: a card of an archived partner.
			`INSERT INTO loyalty_cards (program_id, partner_id, code, points) VALUES (2, 3, 'ARCHIVED', 0)`,
			`UPDATE res_partner SET membership_product_id = 1 WHERE id = 2`,
			`UPDATE res_partner SET membership_product_id = 99 WHERE id = 1`,
		} {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
		all := K("context", S("active_test", false), "order", "id")
		checks := func() {
			got := b.must("loyalty.card", "search_read", L(L(L("id", ">", int64(2))), L("partner_id", "source_pos_order_id", "program_id")), all)
			require.Equal(t, `[{"id":3,"partner_id":[1,"Ready Mat"],"source_pos_order_id":false,"program_id":[1,"Loyalty Program"]},`+
				`{"id":4,"partner_id":[2,"Azure Interior"],"source_pos_order_id":false,"program_id":[3,"Gift Cards"]},`+
				`{"id":5,"partner_id":[2,"Azure Interior"],"source_pos_order_id":false,"program_id":[1,"Loyalty Program"]},`+
				`{"id":6,"partner_id":[9999,"res.partner,9999"],"source_pos_order_id":[7,"Order 7"],"program_id":[1,"Loyalty Program"]},`+
				`{"id":7,"partner_id":[4,false],"source_pos_order_id":false,"program_id":[2,"10% Discount Coupons"]},`+
				`{"id":8,"partner_id":[3,"Deco Addict"],"source_pos_order_id":false,"program_id":[2,"10% Discount Coupons"]}]`,
				ormJSON(t, got))
			// active_test applies to the search only.
			got = b.must("res.partner", "search_read", L(L(L("id", "in", I(2, 3))), L("name")), nil)
			require.Equal(t, `[{"id":2,"name":"Azure Interior"}]`, ormJSON(t, got))
			// load=None: ids only; offset and limit on a many2one order
			// (NULL names first descending, as PostgreSQL sorts).
			got = b.must("loyalty.card", "search_read", L(L(), L("partner_id", "code")),
				K("load", nil, "offset", int64(1), "limit", int64(2), "order", "partner_id desc, id"))
			require.Equal(t, `[{"id":2,"partner_id":false,"code":"0440-d898-4a96"},{"id":6,"partner_id":9999,"code":"DANGLING"}]`, ormJSON(t, got))
			// read: missing ids skipped, repeated ones repeated, "id" first.
			got = b.must("loyalty.card", "read", L(I(7, 999, 6, 7), L("code", "partner_id", "id")), nil)
			require.Equal(t, `[{"id":7,"code":"EMPTYNAME","partner_id":[4,false]},{"id":6,"code":"DANGLING","partner_id":[9999,"res.partner,9999"]},`+
				`{"id":7,"code":"EMPTYNAME","partner_id":[4,false]}]`, ormJSON(t, got))
			// Related fields through the program, computes reading any column.
			got = b.must("loyalty.card", "read", L(I(4, 3), L("currency_id", "point_name", "points_display", "display_name")), nil)
			require.Equal(t, `[{"id":4,"currency_id":[1,"USD"],"point_name":"$","points_display":"$`+"\u00a0"+`50.00","display_name":"Gift Cards: GIFT-50"},`+
				`{"id":3,"currency_id":[1,"USD"],"point_name":"Points","points_display":"100 Points","display_name":"Loyalty Program: POS40-LOYALTY-READYMAT"}]`,
				ormJSON(t, got))
			// A comodel with a display name of its own.
			got = b.must("res.partner", "read", L(I(1, 2, 3), L("membership_product_id")), nil)
			require.Equal(t, `[{"id":1,"membership_product_id":[99,"product.product,99"]},{"id":2,"membership_product_id":[1,"[D1] Desk"]},`+
				`{"id":3,"membership_product_id":false}]`, ormJSON(t, got))
			// A long list of ids (unprepared) and a long read (chunked).
			many := make([]int64, 3000)
			for i := range many {
				many[i] = int64(3000 - i)
			}
			got = b.must("loyalty.card", "search_read", L(L(L("id", "in", I(many...))), L("code")), K("limit", int64(2)))
			require.Equal(t, `[{"id":1,"code":"0444-1299-4c24"},{"id":2,"code":"0440-d898-4a96"}]`, ormJSON(t, got))
			got = b.must("loyalty.card", "read", L(I(many...), L("code")), nil)
			require.Len(t, got, 8)
			// Names inside a write transaction (name_create answers with one).
			got = b.must("res.partner", "name_create", L("Lumber Inc"), nil)
			require.Equal(t, "Lumber Inc", got.([]any)[1])
		}
		checks()
		db.AddQueryHook(&queryCounter{})
		checks()
	})
}
