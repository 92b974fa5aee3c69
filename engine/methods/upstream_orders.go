package methods

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// POS orders from upstream. With an upstream Odoo, create_from_ui goes to
// Odoo, so the order a confirm_coupon_programs or add_loyalty_history_lines
// names is in Odoo, not here: the registry's record source of pos.order
// (models.Registry.SetRecordSource, set by the server when it has an
// upstream) reads it, and it is stored locally under Odoo's id before the
// method goes on. The source answers the order as Odoo's read does (name,
// pos_reference, partner_id, date_order, amount_total, amount_tax,
// amount_paid, state, session_id, config_id) with its lines, read
// from pos.order.line, under "lines" (a list of dicts).

// UpstreamOrderFields are the pos.order fields the methods need of an
// upstream order, and UpstreamOrderLineFields those of its lines.
var (
	UpstreamOrderFields = []string{"name", "pos_reference", "partner_id", "date_order", "amount_total", "amount_tax",
		"amount_paid", "state", "session_id", "config_id", "lines"}
	UpstreamOrderLineFields = []string{"product_id", "qty", "price_unit", "price_subtotal", "price_subtotal_incl",
		"discount", "is_reward_line", "reward_id", "reward_identifier_code", "coupon_id", "points_cost"}
)

// lockOrUpstream is lockOrder, reading the order from the upstream Odoo
// first when the store does not have it.
func (m *Methods) lockOrUpstream(ctx context.Context, c *models.Call, st store, id int64) (posOrder, bool, error) {
	o, found, err := lockOrder(ctx, st, id)
	if err != nil || found || id <= 0 {
		return o, found, err
	}
	src := c.Registry.RecordSource("pos.order")
	if src == nil {
		return o, false, nil
	}
	vals, found, err := src(ctx, id)
	if err != nil || !found {
		return o, false, err
	}
	if err := m.storeUpstreamOrder(ctx, st, id, vals); err != nil {
		return o, false, err
	}
	m.log.Info("pos.order read from the upstream Odoo", "order", id, "name", toString(vals["name"]))
	return lockOrder(ctx, st, id)
}

// storeUpstreamOrder inserts the upstream order id (Odoo's read of it)
// into pos_order under the same id, with the programs its reward lines
// used; an order stored meanwhile by a concurrent call is kept.
func (m *Methods) storeUpstreamOrder(ctx context.Context, st store, id int64, vals map[string]any) error {
	name := toString(vals["name"])
	if name == "" {
		name = "Order " + itoa(id)
	}
	ref := toString(vals["pos_reference"])
	partner, err := toID("partner_id", vals["partner_id"])
	if err != nil {
		return err
	}
	session, _ := toID("session_id", vals["session_id"])
	config, _ := toID("config_id", vals["config_id"])
	if config != 0 {
		var one int
		err := st.db.QueryRowContext(ctx, `SELECT 1 FROM pos_config WHERE id = ?`, config).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			config = 0 // a point of sale this server does not know: no link
		} else if err != nil {
			return internal("pos.order from upstream", err)
		}
	}
	date, err := toTime("date_order", vals["date_order"])
	if err != nil {
		return err
	}
	if date.IsZero() {
		date = m.now()
	}
	var amounts [3]decimal.Decimal
	for i, k := range []string{"amount_total", "amount_tax", "amount_paid"} {
		if amounts[i], err = toDecimal(k, vals[k]); err != nil {
			return err
		}
	}
	state := toString(vals["state"])
	if state == "" {
		state = "paid"
	}
	lines := orderLines(vals["lines"])
	raw, err := json.Marshal(lines)
	if err != nil {
		return models.TypeErrorf("pos.order from upstream: lines: %v", err)
	}
	var refArg any
	if ref != "" {
		refArg = ref
	}
	if _, err := st.db.ExecContext(ctx, `INSERT INTO pos_order (id, name, pos_reference, session_id, config_id, partner_id,
			date_order, amount_total, amount_tax, amount_paid, state, lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`,
		id, name, refArg, nullID(session), nullID(config), nullID(partner), st.datetime(date), st.dec(amounts[0]),
		st.dec(amounts[1]), st.dec(amounts[2]), state, string(raw)); err != nil {
		return internal("pos.order from upstream", err)
	}
	if err := orderPrograms(ctx, st, id, lines); err != nil {
		return internal("pos.order from upstream: programs", err)
	}
	return nil
}
