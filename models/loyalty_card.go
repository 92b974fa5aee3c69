package models

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// loyaltyCardModel describes loyalty.card (the seed's loyalty_cards): a
// coupon, gift card or loyalty card holding points. Fields, labels and
// their order are those of Odoo 17's fields_get (capture 12b) minus the
// mail.thread fields; create_uid/write_uid read False (not recorded). source_pos_order_id points at pos.order, which is not served: it
// reads as [id, "Order <id>"].
func loyaltyCardModel() *Model {
	return &Model{
		Name:        "loyalty.card",
		Description: "Loyalty Coupon",
		Table:       "loyalty_cards",
		Order:       "id",
		RecName:     "code",
		Fields: []*Field{
			{Name: "program_id", Type: Many2one, String: "Program", Column: "program_id", Relation: "loyalty.program",
				OnDelete: "restrict"},
			{Name: "program_type", Type: Selection, String: "Program Type", Related: "program_id.program_type",
				Selection: programTypes, Readonly: true},
			{Name: "company_id", Type: Many2one, String: "Company", Column: "company_id", Relation: "res.company",
				Related: "program_id.company_id", Readonly: true},
			{Name: "currency_id", Type: Many2one, String: "Currency", Related: "program_id.currency_id",
				Relation: "res.currency", Readonly: true},
			{Name: "partner_id", Type: Many2one, String: "Partner", Column: "partner_id", Relation: "res.partner"},
			{Name: "points", Type: Float, String: "Points", Column: "points", Decimal: true},
			{Name: "point_name", Type: Char, String: "Portal Point Name", Related: "program_id.portal_point_name",
				Readonly: true, Translate: true},
			{Name: "points_display", Type: Char, String: "Points Display", Depends: []string{"points", "point_name"},
				ComputeDB: computePointsDisplay},
			{Name: "code", Type: Char, String: "Code", Column: "code", Required: true, Default: newCardCode},
			{Name: "expiration_date", Type: Date, String: "Expiration Date", Column: "expiration_date"},
			{Name: "use_count", Type: Integer, String: "Use Count", Compute: computeConst(int64(0))},
			{Name: "id", Type: Integer, String: "ID", Column: "id", Readonly: true},
			{Name: "display_name", Type: Char, String: "Display Name", Readonly: true,
				Depends: []string{"program_id", "code", "code"}, ComputeDB: computeCardDisplayName},
			userLogField("create_uid", "Created by"),
			{Name: "create_date", Type: Datetime, String: "Created on", Column: "created_at", Readonly: true},
			userLogField("write_uid", "Last Updated by"),
			{Name: "write_date", Type: Datetime, String: "Last Updated on", Column: "updated_at", Readonly: true},
			{Name: "source_pos_order_id", Type: Many2one, String: "PoS Order Reference", Column: "source_pos_order_id",
				Relation: "pos.order", Help: "PoS order where this coupon was generated."},
		},
		Access: map[Op][]string{
			OpRead:   {groupUser, groupPosUser},
			OpWrite:  {groupUser, groupPosUser},
			OpCreate: {groupUser, groupPosUser},
		},
	}
}

// NewCardCode is Odoo 17's loyalty.card _generate_code: "044" and a
// slice of a random UUID 4, e.g. "0444-1299-4c24". Cards made by the
// engine and the POS methods use it too.
func NewCardCode() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	u := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	return "044" + u[7:len(u)-18]
}

// newCardCode is the code field's default.
func newCardCode(*Env) any { return NewCardCode() }

// programInfo is what the card computes need of its program.
type programInfo struct {
	name, pointName, symbol, position string
	places                            int64
	found                             bool
}

func loadPrograms(ctx context.Context, db bun.IDB, rows []Row) (map[int64]programInfo, error) {
	ids, ph := rowIDs(rows, "program_id")
	out := map[int64]programInfo{}
	if len(ids) == 0 {
		return out, nil
	}
	q := `SELECT p.id, p.name, p.portal_point_name, c.symbol, c.position, c.decimal_places
		FROM promotion_programs p LEFT JOIN res_currency c ON c.id = p.currency_id WHERE p.id IN (` + ph + `)`
	res, err := db.QueryContext(ctx, q, ids...)
	if err != nil {
		return nil, Internal(fmt.Errorf("card programs: %w", err))
	}
	defer res.Close()
	for res.Next() {
		var id int64
		var name, pn, sym, pos sql.NullString
		var places sql.NullInt64
		if err := res.Scan(&id, &name, &pn, &sym, &pos, &places); err != nil {
			return nil, Internal(fmt.Errorf("card programs: %w", err))
		}
		if !places.Valid {
			places.Int64 = 2
		}
		out[id] = programInfo{name: name.String, pointName: pn.String, symbol: sym.String, position: pos.String,
			places: places.Int64, found: true}
	}
	return out, res.Err()
}

// computeCardDisplayName is Odoo 17's "<program name>: <code>".
func computeCardDisplayName(ctx context.Context, db bun.IDB, _ *Env, rows []Row) ([]any, error) {
	progs, err := loadPrograms(ctx, db, rows)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		name, code := "False", "False"
		if pid, ok := r["program_id"].(int64); ok && progs[pid].found && progs[pid].name != "" {
			name = progs[pid].name
		}
		if c, ok := r["code"].(string); ok && c != "" {
			code = c
		}
		out[i] = name + ": " + code
	}
	return out, nil
}

// computePointsDisplay is Odoo 17's _format_points: a money amount when
// the point name is the currency symbol, else the points (integer when
// whole, two decimals otherwise) and the point name.
func computePointsDisplay(ctx context.Context, db bun.IDB, _ *Env, rows []Row) ([]any, error) {
	progs, err := loadPrograms(ctx, db, rows)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		pts, _ := r["points"].(decimal.Decimal)
		var p programInfo
		if pid, ok := r["program_id"].(int64); ok {
			p = progs[pid]
		}
		switch {
		case p.found && p.pointName != "" && p.pointName == p.symbol:
			out[i] = formatAmount(pts, p.symbol, p.position, int32(p.places))
		case pts.Equal(pts.Truncate(0)):
			out[i] = fmt.Sprintf("%s %s", pts.Truncate(0).String(), p.pointName)
		default:
			out[i] = fmt.Sprintf("%s %s", pts.StringFixed(2), p.pointName)
		}
	}
	return out, nil
}

// formatAmount is Odoo's format_amount in en_US: grouped thousands, the
// currency's decimals, the symbol before or after with a no-break space.
func formatAmount(amount decimal.Decimal, symbol, position string, places int32) string {
	s := amount.Abs().StringFixed(places)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	num := b.String()
	if frac != "" {
		num += "." + frac
	}
	if amount.IsNegative() {
		num = "-\ufeff" + num
	}
	if position == "before" {
		return symbol + "\u00a0" + num
	}
	return num + "\u00a0" + symbol
}
