package models

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// resPartnerModel describes res.partner ("Contact"), the customers cards
// belong to, with the membership extension. Partners are reference data
// kept in sync with Odoo; locally only the settings group may change them.
func resPartnerModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Name", Column: "name"},
		{Name: "email", Type: Char, String: "Email", Column: "email"},
		{Name: "phone", Type: Char, String: "Phone", Column: "phone"},
		{Name: "ref", Type: Char, String: "Reference", Column: "ref"},
		{Name: "barcode", Type: Char, String: "Barcode", Column: "barcode",
			Help: "Use a barcode to identify this contact."},
		{Name: "company_id", Type: Many2one, String: "Company", Column: "company_id", Relation: "res.company"},
		{Name: "active", Type: Boolean, String: "Active", Column: "active", Default: constant(true)},
		{Name: "membership_product_id", Type: Many2one, String: "Membership Product", Column: "membership_product_id",
			Relation: "product.product"},
		{Name: "loyalty_card_count", Type: Integer, String: "Active loyalty cards", Groups: groupUser,
			ComputeDB: computeLoyaltyCardCount},
	}
	return &Model{
		Name:        "res.partner",
		Description: "Contact",
		Table:       "res_partner",
		Order:       "name, id desc",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access: map[Op][]string{
			OpRead:   {groupUser},
			OpWrite:  {groupSystem},
			OpCreate: {groupSystem},
			OpUnlink: {groupSystem},
		},
	}
}

// computeLoyaltyCardCount is Odoo 17's count of a partner's usable cards:
// positive points, an active program, not expired.
func computeLoyaltyCardCount(ctx context.Context, db bun.IDB, _ *Env, rows []Row) ([]any, error) {
	ids, ph := rowIDs(rows, "id")
	out := make([]any, len(rows))
	if len(ids) == 0 {
		return out, nil
	}
	today := time.Now().UTC().Format(time.DateOnly)
	q := fmt.Sprintf(`SELECT c.partner_id, count(*) FROM loyalty_cards c JOIN promotion_programs p ON p.id = c.program_id
		WHERE c.partner_id IN (%s) AND c.points > 0 AND p.active = TRUE
		AND (c.expiration_date IS NULL OR c.expiration_date >= ?) GROUP BY c.partner_id`, ph)
	counts, err := countBy(ctx, db, q, append(ids, today)...)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		id, _ := r["id"].(int64)
		out[i] = counts[id]
	}
	return out, nil
}
