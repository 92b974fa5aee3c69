package models

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// programTypes are loyalty.program's program_type values (Odoo 17).
var programTypes = [][2]string{
	{"coupons", "Coupons"},
	{"gift_card", "Gift Card"},
	{"loyalty", "Loyalty Cards"},
	{"promotion", "Promotions"},
	{"ewallet", "eWallet"},
	{"promo_code", "Discount Code"},
	{"buy_x_get_y", "Buy X Get Y"},
	{"next_order_coupons", "Next Order Coupons"},
}

// programItemNames name a program's cards in coupon_count_display.
var programItemNames = map[string]string{
	"coupons":            "Coupons",
	"promotion":          "Promos",
	"gift_card":          "Gift Cards",
	"loyalty":            "Loyalty Cards",
	"ewallet":            "eWallets",
	"promo_code":         "Discounts",
	"buy_x_get_y":        "Promos",
	"next_order_coupons": "Coupons",
}

// loyaltyAccess: everyone reads, POS managers change (Odoo 17's loyalty
// and pos_loyalty access rules as the captures show them).
func loyaltyAccess() map[Op][]string {
	return map[Op][]string{
		OpRead:   {groupUser, groupPosUser},
		OpWrite:  {groupPosManager},
		OpCreate: {groupPosManager},
		OpUnlink: {groupPosManager},
	}
}

// loyaltyProgramModel describes loyalty.program (table promotion_programs)
// with the membership extensions of the seed system.
func loyaltyProgramModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Program Name", Column: "name", Required: true, Translate: true},
		{Name: "active", Type: Boolean, String: "Active", Column: "active", Default: constant(true)},
		{Name: "sequence", Type: Integer, String: "Sequence", Column: "sequence", Default: constant(int64(10))},
		{Name: "company_id", Type: Many2one, String: "Company", Column: "company_id", Relation: "res.company",
			Default: constant(int64(1))},
		{Name: "currency_id", Type: Many2one, String: "Currency", Column: "currency_id", Relation: "res.currency",
			Required: true, Default: constant(int64(1))},
		{Name: "currency_symbol", Type: Char, String: "Symbol", Related: "currency_id.symbol", Readonly: true},
		{Name: "total_order_count", Type: Integer, String: "Total Order Count", Compute: computeConst(int64(0))},
		{Name: "rule_ids", Type: One2many, String: "Conditional rules", Relation: "loyalty.rule", RelationField: "program_id"},
		{Name: "reward_ids", Type: One2many, String: "Rewards", Relation: "loyalty.reward", RelationField: "program_id"},
		{Name: "coupon_ids", Type: One2many, String: "Coupon", Relation: "loyalty.card", RelationField: "program_id"},
		{Name: "coupon_count", Type: Integer, String: "Coupon Count", ComputeDB: computeCouponCount},
		{Name: "coupon_count_display", Type: Char, String: "Items", Depends: []string{"coupon_count", "program_type"},
			ComputeDB: computeCouponCountDisplay},
		{Name: "program_type", Type: Selection, String: "Program Type", Column: "program_type", Required: true,
			Selection: programTypes, Default: constant("promotion")},
		{Name: "date_from", Type: Date, String: "Start Date", Column: "date_from",
			Help: "The start date is included in the validity period of this program"},
		{Name: "date_to", Type: Date, String: "End date", Column: "date_to",
			Help: "The end date is included in the validity period of this program"},
		{Name: "limit_usage", Type: Boolean, String: "Limit Usage", Column: "limit_usage", Default: constant(false)},
		{Name: "max_usage", Type: Integer, String: "Max Usage", Column: "max_usage", Default: constant(int64(0))},
		{Name: "applies_on", Type: Selection, String: "Applies On", Column: "applies_on", Required: true,
			Selection: [][2]string{{"current", "Current order"}, {"future", "Future orders"}, {"both", "Current & Future orders"}},
			Default:   constant("current")},
		{Name: "trigger", Type: Selection, String: "Trigger", Column: "trigger",
			Selection: [][2]string{{"auto", "Automatic"}, {"with_code", "Use a code"}}, Default: constant("auto"),
			Help: "Automatic: Customers will be eligible for a reward automatically in their cart.\nUse a code: Customers will be eligible for a reward if they enter a code."},
		{Name: "portal_visible", Type: Boolean, String: "Portal Visible", Column: "portal_visible", Default: constant(false),
			Help: "Show in web portal, PoS customer ticket, eCommerce checkout, the number of points available and used by reward."},
		{Name: "portal_point_name", Type: Char, String: "Portal Point Name", Column: "portal_point_name",
			Translate: true, Default: constant("Points")},
		{Name: "is_nominative", Type: Boolean, String: "Is Nominative", Depends: []string{"applies_on", "program_type"},
			Compute: computeIsNominative},
		{Name: "is_payment_program", Type: Boolean, String: "Is Payment Program", Depends: []string{"program_type"},
			Compute: computeIsPaymentProgram},
		{Name: "pos_ok", Type: Boolean, String: "Point of Sale", Column: "pos_ok", Default: constant(true)},
		{Name: "sale_ok", Type: Boolean, String: "Sales", Column: "sale_ok", Default: constant(true)},
		// Membership extensions (not in Odoo's loyalty module).
		{Name: "membership_product_id", Type: Many2one, String: "Membership Product", Column: "membership_product_id",
			Relation: "product.product"},
		{Name: "is_primary_loyalty", Type: Boolean, String: "Primary Loyalty Program", Column: "is_primary_loyalty",
			Default: constant(false)},
		{Name: "expired_interval", Type: Integer, String: "Expiration Interval", Column: "expired_interval",
			Default: constant(int64(0))},
		{Name: "expired_interval_type", Type: Selection, String: "Expiration Interval Unit", Column: "expired_interval_type",
			Selection: [][2]string{{"days", "Days"}, {"weeks", "Weeks"}, {"months", "Months"}, {"years", "Years"}},
			Default:   constant("months")},
		{Name: "limit_per_customer", Type: Boolean, String: "Limit per Customer", Column: "limit_per_customer",
			Default: constant(false)},
		{Name: "max_usage_per_customer", Type: Integer, String: "Max Usage per Customer", Column: "max_usage_per_customer",
			Default: constant(int64(0))},
	}
	return &Model{
		Name:        "loyalty.program",
		Description: "Loyalty Program",
		Table:       "promotion_programs",
		Order:       "sequence, id",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access:      loyaltyAccess(),
	}
}

// couponCounts counts the cards of the programs in rows.
func couponCounts(ctx context.Context, db bun.IDB, rows []Row) (map[int64]int64, error) {
	ids, ph := rowIDs(rows, "id")
	if len(ids) == 0 {
		return map[int64]int64{}, nil
	}
	return countBy(ctx, db, fmt.Sprintf(`SELECT program_id, count(*) FROM loyalty_cards WHERE program_id IN (%s) GROUP BY program_id`, ph), ids...)
}

func computeCouponCount(ctx context.Context, db bun.IDB, _ *Env, rows []Row) ([]any, error) {
	counts, err := couponCounts(ctx, db, rows)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		id, _ := r["id"].(int64)
		out[i] = counts[id]
	}
	return out, nil
}

func computeCouponCountDisplay(ctx context.Context, db bun.IDB, _ *Env, rows []Row) ([]any, error) {
	counts, err := couponCounts(ctx, db, rows)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		id, _ := r["id"].(int64)
		t, _ := r["program_type"].(string)
		out[i] = fmt.Sprintf("%d %s", counts[id], programItemNames[t])
	}
	return out, nil
}

func computeIsNominative(_ *Env, rows []Row) ([]any, error) {
	out := make([]any, len(rows))
	for i, r := range rows {
		on, _ := r["applies_on"].(string)
		t, _ := r["program_type"].(string)
		out[i] = on == "both" || (t == "ewallet" && on == "future")
	}
	return out, nil
}

func computeIsPaymentProgram(_ *Env, rows []Row) ([]any, error) {
	out := make([]any, len(rows))
	for i, r := range rows {
		t, _ := r["program_type"].(string)
		out[i] = t == "gift_card" || t == "ewallet"
	}
	return out, nil
}
