package models

// loyaltyPointHistoryModel describes loyalty.point.history (the seed's
// point_history): the append-only journal of a card's points, one row per
// lot touched, with the signed amount and the card's balance after it.
// membership_product_id is the tier of the lot, status_membership_product_id
// the customer's tier when the transaction happened. Like point_moves the
// table has created_at only.
// pointHistoryKinds are the journal row kinds of the points engine.
var pointHistoryKinds = [][2]string{
	{"earn", "Earned"}, {"redeem", "Redeemed"}, {"debt", "Debt"}, {"settle", "Debt Settled"}, {"expire", "Expired"},
	{"reverse_earn", "Earning Reversed"}, {"reverse_redeem", "Redemption Reversed"}, {"adjust", "Adjusted"},
	{"transfer_out", "Transferred Out"}, {"transfer_in", "Transferred In"},
}

func loyaltyPointHistoryModel() *Model {
	return &Model{
		Name:        "loyalty.point.history",
		Description: "Loyalty Point History",
		Table:       "point_history",
		Order:       "transaction_time desc, id desc",
		Fields: []*Field{
			{Name: "loyalty_card_id", Type: Many2one, String: "Loyalty Card", Column: "loyalty_card_id",
				Relation: "loyalty.card", Required: true, OnDelete: "restrict"},
			{Name: "partner_id", Type: Many2one, String: "Customer", Related: "loyalty_card_id.partner_id",
				Relation: "res.partner", Readonly: true},
			{Name: "point_move_id", Type: Many2one, String: "Point Move", Column: "point_move_id",
				Relation: "loyalty.point.move", OnDelete: "restrict"},
			{Name: "points_amount", Type: Float, String: "Points", Column: "points_amount", Decimal: true,
				Required: true, Default: constant(int64(0)), Help: "Points earned (positive) or spent (negative)."},
			{Name: "points_balance", Type: Float, String: "Balance", Column: "points_balance", Decimal: true,
				Required: true, Default: constant(int64(0)), Help: "Points of the card after this transaction."},
			{Name: "transaction_time", Type: Datetime, String: "Transaction Time", Column: "transaction_time",
				Required: true, Default: nowDefault},
			{Name: "origin", Type: Char, String: "Source Document", Column: "origin", Size: 255},
			{Name: "membership_product_id", Type: Many2one, String: "Membership Product", Column: "membership_product_id",
				Relation: "product.product", OnDelete: "restrict"},
			{Name: "status_membership_product_id", Type: Many2one, String: "Membership Status",
				Column: "status_membership_product_id", Relation: "product.product", OnDelete: "restrict",
				Help: "Membership tier of the customer at the time of the transaction."},
			{Name: "synced_to_odoo", Type: Boolean, String: "Synced to Odoo", Column: "synced_to_odoo",
				Default: constant(false)},
			{Name: "create_date", Type: Datetime, String: "Created on", Column: "created_at", Readonly: true},
			// Written by the points engine.
			{Name: "seq", Type: Integer, String: "Sequence", Column: "seq", Readonly: true,
				Help: "Position in the card's journal (1, 2, 3...)."},
			{Name: "kind", Type: Selection, String: "Kind", Column: "kind", Readonly: true, Selection: pointHistoryKinds},
			{Name: "lot_amount", Type: Float, String: "Lot Change", Column: "lot_amount", Decimal: true, Readonly: true,
				Default: constant(int64(0)), Help: "Change of the lot's remaining points (0 when no lot)."},
			{Name: "operation_id", Type: Integer, String: "Operation", Column: "operation_id", Readonly: true,
				Help: "Ledger operation that wrote the row."},
			{Name: "reason", Type: Text, String: "Reason", Column: "reason", Readonly: true},
		},
		Access: pointAccess(),
	}
}
