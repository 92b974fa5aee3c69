package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// membershipLevelModel describes membership.level.path (table
// membership_levels): the tiers of the seed system. A tier is a membership
// product; a customer whose spending reaches min_spending moves up to it
// (when allow_upgrade) and below it moves down (when allow_downgrade).
// min_spending is in the company currency, which currency_id reads.
func membershipLevelModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Name", Column: "name", Required: true},
		{Name: "membership_product_id", Type: Many2one, String: "Membership Product", Column: "membership_product_id",
			Relation: "product.product", Required: true, OnDelete: "restrict"},
		{Name: "sequence", Type: Integer, String: "Sequence", Column: "sequence", Default: constant(int64(10))},
		{Name: "min_spending", Type: Monetary, String: "Minimum Spending", Column: "min_spending", Decimal: true,
			Default: constant(int64(0)), Help: "Total spending a customer needs to reach this level."},
		{Name: "currency_id", Type: Many2one, String: "Currency", Relation: "res.currency", Readonly: true,
			ComputeDB: computeCompanyCurrency},
		{Name: "allow_upgrade", Type: Boolean, String: "Allow Upgrade", Column: "allow_upgrade", Default: constant(true)},
		{Name: "allow_downgrade", Type: Boolean, String: "Allow Downgrade", Column: "allow_downgrade",
			Default: constant(true)},
		{Name: "active", Type: Boolean, String: "Active", Column: "active", Default: constant(true)},
	}
	return &Model{
		Name:        "membership.level.path",
		Description: "Membership Level Path",
		Table:       "membership_levels",
		Order:       "sequence, id",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access: map[Op][]string{
			OpRead:   {groupUser},
			OpWrite:  {groupPosManager, groupSystem},
			OpCreate: {groupPosManager, groupSystem},
			OpUnlink: {groupPosManager, groupSystem},
		},
	}
}

// computeCompanyCurrency reads the currency of the company (company 1,
// the only one), the same for every record.
func computeCompanyCurrency(ctx context.Context, db bun.IDB, _ *Env, rows []Row) ([]any, error) {
	out := make([]any, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	var cur sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT currency_id FROM res_company WHERE id = 1`).Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, Internal(fmt.Errorf("company currency: %w", err))
	}
	for i := range out {
		if cur.Valid {
			out[i] = cur.Int64
		}
	}
	return out, nil
}
