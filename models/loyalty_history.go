package models

// loyaltyHistoryModel describes loyalty.history (Odoo 18, table
// loyalty_history): the audit log of a card's points, one row per event
// ("Onsite Order 12", "Gift for customer") with the points issued and
// used, and the order that caused it as a model name and an id. Odoo's
// order_id is a many2one_reference; this server has no such field type and
// serves it as an integer (the same value on the wire). company_id is
// stored from the card.
func loyaltyHistoryModel() *Model {
	fields := []*Field{
		{Name: "card_id", Type: Many2one, String: "Card", Column: "card_id", Relation: "loyalty.card",
			Required: true, OnDelete: "cascade"},
		{Name: "company_id", Type: Many2one, String: "Company", Column: "company_id", Relation: "res.company",
			Related: "card_id.company_id", Readonly: true},
		{Name: "description", Type: Text, String: "Description", Column: "description", Required: true},
		{Name: "issued", Type: Float, String: "Issued", Column: "issued", Decimal: true, Default: constant(int64(0))},
		{Name: "used", Type: Float, String: "Used", Column: "used", Decimal: true, Default: constant(int64(0))},
		{Name: "order_model", Type: Char, String: "Order Model", Column: "order_model", Readonly: true},
		{Name: "order_id", Type: Integer, String: "Order", Column: "order_id", Readonly: true},
	}
	return &Model{
		Name:        "loyalty.history",
		Description: "History for Loyalty cards and Ewallets",
		Table:       "loyalty_history",
		Order:       "id desc",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access: map[Op][]string{
			OpRead:   {groupUser, groupPosUser},
			OpCreate: {groupUser, groupPosUser},
			OpWrite:  {groupPosManager},
			OpUnlink: {groupPosManager},
		},
	}
}

// LoyaltyCardHistoryField is Odoo 18's loyalty.card history_ids, the
// card's loyalty.history rows. Builtin leaves it out of loyalty.card,
// whose field list is Odoo 17's (fields_get and read without fields must
// not show it to 17 clients); a server speaking 18 appends it to the card
// descriptor before registering:
//
//	card.Fields = append(card.Fields, models.LoyaltyCardHistoryField())
func LoyaltyCardHistoryField() *Field {
	return &Field{Name: "history_ids", Type: One2many, String: "History", Relation: "loyalty.history",
		RelationField: "card_id"}
}
