package methods

import (
	"context"
	"database/sql"
	"errors"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// posConfigModel is a minimal pos.config (table pos_config): the shops
// whose POS sends use_coupon_code. Every pos_ok program is available to
// every config.
func (m *Methods) posConfigModel() *models.Model {
	return &models.Model{
		Name:        "pos.config",
		Description: "Point of Sale Configuration",
		Table:       "pos_config",
		Fields: []*models.Field{
			{Name: "name", Type: models.Char, String: "Point of Sale", Column: "name", Required: true},
			{Name: "active", Type: models.Boolean, String: "Active", Column: "active",
				Default: func(*models.Env) any { return true }},
			{Name: "company_id", Type: models.Many2one, String: "Company", Column: "company_id", Relation: "res.company",
				Default: func(*models.Env) any { return int64(1) }},
			{Name: "create_date", Type: models.Datetime, String: "Created on", Column: "create_date", Readonly: true},
			{Name: "write_date", Type: models.Datetime, String: "Last Updated on", Column: "write_date", Readonly: true},
		},
		Access: map[models.Op][]string{
			models.OpRead:   {groupUser, groupPosUser},
			models.OpWrite:  {groupPosManager},
			models.OpCreate: {groupPosManager},
			models.OpUnlink: {groupPosManager},
		},
		Methods:       map[string]models.MethodFunc{"use_coupon_code": m.useCouponCode},
		ReadOnly:      map[string]bool{"use_coupon_code": true},
		RecordMethods: map[string]bool{"use_coupon_code": true},
	}
}

// coupon is a card found by code with what the checks need of its program.
type coupon struct {
	id, program, partner int64
	points               decimal.Decimal
	expiration           string // "YYYY-MM-DD" or ""
	hasSource            bool
	progActive           bool
	progType             string
	dateFrom, dateTo     string
	limitUsage           bool
	maxUsage             int64
}

// useCouponCode is pos.config.use_coupon_code([config_id], code,
// date_order, partner_id|false, pricelist_id|false) of Odoo 17: the card
// with that code among the POS's programs, reserved to nobody, to this
// customer or a gift card; its validity; a success payload or
// {successful: false, payload: {error_message}}.
func (m *Methods) useCouponCode(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "use coupons", groupUser, groupPosUser); err != nil {
		return nil, err
	}
	ids, err := toIDs("ids", argOr(c, 0, "ids"))
	if err != nil {
		return nil, err
	}
	if len(ids) != 1 {
		return nil, models.ValueErrorf("Expected singleton: pos.config(%s)", joinIDs(ids))
	}
	st := storeOf(c)
	var one int
	err = st.db.QueryRowContext(ctx, `SELECT 1 FROM pos_config WHERE id = ?`, ids[0]).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, models.MissingErrorf("Record does not exist or has been deleted.\n(Record: pos.config(%d,), User: %d)", ids[0], c.Env.UID)
	}
	if err != nil {
		return nil, internal("use_coupon_code", err)
	}
	code := toString(argOr(c, 1, "code"))
	creation := toString(argOr(c, 2, "creation_date"))
	partner, err := toID("partner_id", argOr(c, 3, "partner_id"))
	if err != nil {
		return nil, err
	}
	fail := func(msg string) any {
		return dict("successful", false, "payload", dict("error_message", msg))
	}
	cp, found, err := findCoupon(ctx, st, code, partner)
	if err != nil {
		return nil, err
	}
	if !found || !cp.progActive {
		return fail("This coupon is invalid (" + code + ")."), nil
	}
	check := creation
	if len(check) > 10 {
		check = check[:10]
	}
	today := m.today(c)
	usages, err := programUsages(ctx, st, cp.program)
	if err != nil {
		return nil, err
	}
	switch {
	case cp.expiration != "" && cp.expiration < check,
		cp.dateTo != "" && cp.dateTo < today,
		cp.limitUsage && usages >= cp.maxUsage:
		return fail("This coupon is expired (" + code + ")."), nil
	case cp.dateFrom != "" && cp.dateFrom > today:
		return fail("This coupon is not yet valid (" + code + ")."), nil
	}
	claimable, err := hasClaimableReward(ctx, st, cp.program, cp.points)
	if err != nil {
		return nil, err
	}
	if !claimable {
		return fail("No reward can be claimed with this coupon."), nil
	}
	if cp.progType == "promo_code" {
		return fail("This programs requires a code to be applied."), nil
	}
	return dict("successful", true, "payload", dict(
		"program_id", cp.program,
		"coupon_id", cp.id,
		"coupon_partner_id", falseIfZero(cp.partner),
		"points", cp.points,
		"has_source_order", cp.hasSource,
	)), nil
}

// findCoupon is use_coupon_code's search: code, a pos_ok program, a card
// of nobody, of partner, or a gift card; the partner's own card first,
// then the most points.
func findCoupon(ctx context.Context, st store, code string, partner int64) (coupon, bool, error) {
	var cp coupon
	var cardPartner, source, maxUsage sql.NullInt64
	var points, expiration, dateFrom, dateTo, progActive, limitUsage any
	err := st.db.QueryRowContext(ctx, `SELECT c.id, c.program_id, c.partner_id, c.points, c.expiration_date,
			c.source_pos_order_id, p.active, p.program_type, p.date_from, p.date_to, p.limit_usage, p.max_usage
		FROM loyalty_cards c JOIN promotion_programs p ON p.id = c.program_id
		WHERE c.code = ? AND p.pos_ok = ? AND (c.active IS NULL OR c.active = ?)
			AND (c.partner_id IS NULL OR c.partner_id = ? OR p.program_type = 'gift_card')
		ORDER BY CASE WHEN c.partner_id IS NULL THEN 1 ELSE 0 END, c.partner_id, c.points DESC, c.id
		LIMIT 1`, code, st.boolean(true), st.boolean(true), partner).Scan(
		&cp.id, &cp.program, &cardPartner, &points, &expiration, &source, &progActive, &cp.progType,
		&dateFrom, &dateTo, &limitUsage, &maxUsage)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, internal("use_coupon_code: card", err)
	}
	cp.partner, cp.hasSource, cp.maxUsage = cardPartner.Int64, source.Valid, maxUsage.Int64
	if cp.points, err = st.readDec(points); err != nil {
		return cp, false, err
	}
	if cp.expiration, err = st.readDate(expiration); err != nil {
		return cp, false, err
	}
	if cp.dateFrom, err = st.readDate(dateFrom); err != nil {
		return cp, false, err
	}
	if cp.dateTo, err = st.readDate(dateTo); err != nil {
		return cp, false, err
	}
	a, _ := models.FromColumn(st.dialect, boolField, progActive)
	l, _ := models.FromColumn(st.dialect, boolField, limitUsage)
	cp.progActive, _ = a.(bool)
	cp.limitUsage, _ = l.(bool)
	return cp, true, nil
}

// hasClaimableReward reports whether one of the program's active rewards
// costs at most points.
func hasClaimableReward(ctx context.Context, st store, program int64, points decimal.Decimal) (bool, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT required_points FROM promotion_rewards WHERE program_id = ? AND (active IS NULL OR active = ?)`,
		program, st.boolean(true))
	if err != nil {
		return false, internal("use_coupon_code: rewards", err)
	}
	defer rows.Close()
	ok := false
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return false, internal("use_coupon_code: rewards", err)
		}
		req, err := st.readDec(raw)
		if err != nil {
			return false, err
		}
		if req.LessThanOrEqual(points) {
			ok = true
		}
	}
	return ok, internal("use_coupon_code: rewards", rows.Err())
}

// programUsages is Odoo's total_order_count: the orders that used a
// reward of the program.
func programUsages(ctx context.Context, st store, program int64) (int64, error) {
	var n int64
	err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM pos_order_programs WHERE program_id = ?`, program).Scan(&n)
	return n, internal("program usages", err)
}

func joinIDs(ids []int64) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ", "
		}
		s += itoa(id)
	}
	if len(ids) == 1 {
		s += ","
	}
	return s
}
