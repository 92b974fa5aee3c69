package models

// loyaltyRuleModel describes loyalty.rule (table promotion_rules): the
// conditions that earn points. Odoo stores company_id; this table does
// not, so it is read through the program.
func loyaltyRuleModel() *Model {
	fields := []*Field{
		{Name: "active", Type: Boolean, String: "Active", Column: "active", Default: constant(true)},
		{Name: "program_id", Type: Many2one, String: "Program", Column: "program_id", Relation: "loyalty.program",
			Required: true, OnDelete: "cascade"},
		{Name: "program_type", Type: Selection, String: "Program Type", Related: "program_id.program_type",
			Selection: programTypes, Readonly: true},
		{Name: "currency_id", Type: Many2one, String: "Currency", Related: "program_id.currency_id",
			Relation: "res.currency", Readonly: true},
		{Name: "company_id", Type: Many2one, String: "Company", Related: "program_id.company_id",
			Relation: "res.company", Readonly: true},
		{Name: "product_domain", Type: Char, String: "Product Domain", Column: "product_domain", Default: constant("[]")},
		{Name: "product_ids", Type: Many2many, String: "Products", Relation: "product.product",
			RelTable: "promotion_rule_product_rel", RelColumn1: "rule_id", RelColumn2: "product_id"},
		{Name: "product_category_id", Type: Many2one, String: "Categories", Column: "product_category_id",
			Relation: "product.category"},
		{Name: "product_tag_id", Type: Many2one, String: "Product Tag", Column: "product_tag_id", Relation: "product.tag"},
		{Name: "reward_point_amount", Type: Float, String: "Reward", Column: "reward_point_amount", Decimal: true,
			Default: constant(int64(1))},
		{Name: "reward_point_split", Type: Boolean, String: "Split per unit", Column: "reward_point_split",
			Default: constant(false),
			Help:    "Whether to separate reward coupons per matched unit, only applies to 'future' programs and trigger mode per money spent or unit paid.."},
		{Name: "reward_point_name", Type: Char, String: "Portal Point Name", Related: "program_id.portal_point_name",
			Readonly: true, Translate: true},
		{Name: "reward_point_mode", Type: Selection, String: "Reward Point Mode", Column: "reward_point_mode", Required: true,
			Selection: [][2]string{{"order", "per order"}, {"money", "per $ spent"}, {"unit", "per unit paid"}},
			Default:   constant("order")},
		{Name: "minimum_qty", Type: Integer, String: "Minimum Quantity", Column: "minimum_qty", Default: constant(int64(1))},
		{Name: "minimum_amount", Type: Monetary, String: "Minimum Purchase", Column: "minimum_amount", Decimal: true,
			Default: constant(int64(0))},
		{Name: "minimum_amount_tax_mode", Type: Selection, String: "Minimum Amount Tax Mode", Column: "minimum_amount_tax_mode",
			Required: true, Selection: [][2]string{{"incl", "Included"}, {"excl", "Excluded"}}, Default: constant("incl")},
		{Name: "mode", Type: Selection, String: "Application", Column: "mode",
			Selection: [][2]string{{"auto", "Automatic"}, {"with_code", "With a promotion code"}}, Default: constant("auto")},
		{Name: "code", Type: Char, String: "Discount code", Column: "code"},
	}
	return &Model{
		Name:        "loyalty.rule",
		Description: "Loyalty Rule",
		Table:       "promotion_rules",
		Order:       "id",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access:      loyaltyAccess(),
	}
}
