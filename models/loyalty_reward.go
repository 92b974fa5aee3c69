package models

// loyaltyRewardModel describes loyalty.reward (table promotion_rewards):
// what points buy. Its display name is its description.
func loyaltyRewardModel() *Model {
	fields := []*Field{
		{Name: "active", Type: Boolean, String: "Active", Column: "active", Default: constant(true)},
		{Name: "program_id", Type: Many2one, String: "Program", Column: "program_id", Relation: "loyalty.program",
			Required: true, OnDelete: "cascade"},
		{Name: "program_type", Type: Selection, String: "Program Type", Related: "program_id.program_type",
			Selection: programTypes, Readonly: true},
		{Name: "company_id", Type: Many2one, String: "Company", Related: "program_id.company_id",
			Relation: "res.company", Readonly: true},
		{Name: "currency_id", Type: Many2one, String: "Currency", Related: "program_id.currency_id",
			Relation: "res.currency", Readonly: true},
		{Name: "description", Type: Char, String: "Description", Column: "description", Translate: true},
		{Name: "reward_type", Type: Selection, String: "Reward Type", Column: "reward_type", Required: true,
			Selection: [][2]string{{"product", "Free Product"}, {"discount", "Discount"}}, Default: constant("discount")},
		{Name: "discount", Type: Float, String: "Discount", Column: "discount", Decimal: true, Default: constant(int64(10))},
		{Name: "discount_mode", Type: Selection, String: "Discount Mode", Column: "discount_mode", Required: true,
			Selection: [][2]string{{"percent", "%"}, {"per_order", "$"}, {"per_point", "$ per point"}},
			Default:   constant("percent")},
		{Name: "discount_applicability", Type: Selection, String: "Discount Applicability", Column: "discount_applicability",
			Selection: [][2]string{{"order", "Order"}, {"cheapest", "Cheapest Product"}, {"specific", "Specific Products"}},
			Default:   constant("order")},
		{Name: "discount_product_domain", Type: Char, String: "Discount Product Domain", Column: "discount_product_domain",
			Default: constant("[]")},
		{Name: "discount_max_amount", Type: Monetary, String: "Max Discount", Column: "discount_max_amount", Decimal: true,
			Default: constant(int64(0)),
			Help:    "This is the max amount this reward may discount, leave to 0 for no limit."},
		{Name: "discount_line_product_id", Type: Many2one, String: "Discount Line Product", Column: "discount_line_product_id",
			Relation: "product.product", OnDelete: "restrict",
			Help: "Product used in the sales order to apply the discount."},
		{Name: "is_global_discount", Type: Boolean, String: "Is Global Discount",
			Depends: []string{"reward_type", "discount_mode", "discount_applicability"}, Compute: computeIsGlobalDiscount},
		{Name: "reward_product_id", Type: Many2one, String: "Product", Column: "reward_product_id", Relation: "product.product"},
		{Name: "reward_product_qty", Type: Integer, String: "Reward Product Qty", Column: "reward_product_qty",
			Default: constant(int64(1))},
		{Name: "required_points", Type: Float, String: "Points needed", Column: "required_points", Decimal: true,
			Default: constant(int64(1))},
		{Name: "point_name", Type: Char, String: "Portal Point Name", Related: "program_id.portal_point_name",
			Readonly: true, Translate: true},
		{Name: "clear_wallet", Type: Boolean, String: "Clear Wallet", Column: "clear_wallet", Default: constant(false)},
	}
	return &Model{
		Name:        "loyalty.reward",
		Description: "Loyalty Reward",
		Table:       "promotion_rewards",
		Order:       "required_points asc, id",
		RecName:     "description",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access:      loyaltyAccess(),
	}
}

// computeIsGlobalDiscount is Odoo 17's: a percentage discount on the
// whole order.
func computeIsGlobalDiscount(_ *Env, rows []Row) ([]any, error) {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r["reward_type"] == "discount" && r["discount_applicability"] == "order" && r["discount_mode"] == "percent"
	}
	return out, nil
}
