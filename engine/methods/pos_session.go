package methods

import (
	"context"
	"strings"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// posSessionModel is a minimal pos.session (table pos_session) with the
// partner search the POS partner screen makes.
func (m *Methods) posSessionModel() *models.Model {
	return &models.Model{
		Name:        "pos.session",
		Description: "Point of Sale Session",
		Table:       "pos_session",
		Order:       "id desc",
		Fields: []*models.Field{
			{Name: "name", Type: models.Char, String: "Session ID", Column: "name", Required: true, Readonly: true},
			{Name: "config_id", Type: models.Many2one, String: "Point of Sale", Column: "config_id", Relation: "pos.config"},
			{Name: "state", Type: models.Selection, String: "Status", Column: "state",
				Selection: [][2]string{{"opening_control", "Opening Control"}, {"opened", "In Progress"},
					{"closing_control", "Closing Control"}, {"closed", "Closed & Posted"}}},
			{Name: "create_date", Type: models.Datetime, String: "Created on", Column: "create_date", Readonly: true},
			{Name: "write_date", Type: models.Datetime, String: "Last Updated on", Column: "write_date", Readonly: true},
		},
		Access: map[models.Op][]string{
			models.OpRead:   {groupPosUser},
			models.OpWrite:  {groupPosUser},
			models.OpCreate: {groupPosUser},
			models.OpUnlink: {groupPosManager},
		},
		Methods:       map[string]models.MethodFunc{"get_pos_ui_res_partner_by_params": m.partnersByParams},
		ReadOnly:      map[string]bool{"get_pos_ui_res_partner_by_params": true},
		RecordMethods: map[string]bool{"get_pos_ui_res_partner_by_params": true},
	}
}

// posPartnerFields are the partner fields the Odoo 17 POS loads, in order;
// those res.partner does not have read False.
var posPartnerFields = []string{"id", "name", "street", "city", "state_id", "country_id", "vat", "lang", "phone", "zip",
	"mobile", "email", "barcode", "write_date", "property_account_position_id", "property_product_pricelist",
	"parent_name"}

// partnersByParams is pos.session.get_pos_ui_res_partner_by_params(
// [session_id], {domain, limit, offset}) of Odoo 17 with pos_loyalty's
// loyalty_cards {card_id: {points, code, program_id}} (loyalty programs
// only) on every partner. Domain leaves on fields this server's
// res.partner lacks (parent_name, phone_mobile_search...) match nothing.
func (m *Methods) partnersByParams(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "search customers", groupPosUser); err != nil {
		return nil, err
	}
	params, _ := argOr(c, 1, "custom_search_params").(map[string]any)
	partner := c.Registry.Model("res.partner")
	if partner == nil {
		return nil, models.Internal(errorString("res.partner is not registered"))
	}
	var domain any = []any{}
	if d, ok := params["domain"].([]any); ok {
		domain = knownLeaves(partner, d)
	}
	var names []any
	for _, f := range posPartnerFields {
		if partner.Field(f) != nil {
			names = append(names, f)
		}
	}
	kw := map[string]any{"fields": names}
	if v, ok := params["limit"]; ok {
		kw["limit"] = v
	}
	if v, ok := params["offset"]; ok {
		kw["offset"] = v
	}
	call := *c
	call.Model, call.Method, call.Args, call.Kwargs = partner, "search_read", []any{domain}, kw
	res, err := models.GenericMethod("search_read")(ctx, &call)
	if err != nil {
		return nil, err
	}
	rows, _ := res.([]any)
	st := storeOf(c)
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		get := rowGetter(r)
		id, _ := toID("id", get("id"))
		d := models.NewDict(len(posPartnerFields) + 1)
		for _, f := range posPartnerFields {
			v, ok := any(false), false
			if partner.Field(f) != nil {
				v = get(f)
				ok = true
			}
			if !ok || v == nil {
				v = false
			}
			d.Set(f, v)
		}
		cards, err := loyaltyCardsOf(ctx, st, id)
		if err != nil {
			return nil, err
		}
		d.Set("loyalty_cards", cards)
		out = append(out, d)
	}
	return out, nil
}

// knownLeaves replaces the leaves of domain on fields model lacks by a
// leaf that matches nothing.
func knownLeaves(model *models.Model, domain []any) []any {
	out := make([]any, len(domain))
	for i, e := range domain {
		leaf, ok := e.([]any)
		if ok && len(leaf) == 3 {
			if name, ok := leaf[0].(string); ok {
				base, _, _ := strings.Cut(name, ".")
				if model.Field(base) == nil {
					out[i] = []any{"id", "=", int64(0)}
					continue
				}
			}
		}
		out[i] = e
	}
	return out
}

// rowGetter reads a search_read row (a Dict or a map).
func rowGetter(r any) func(string) any {
	switch x := r.(type) {
	case *models.Dict:
		return func(k string) any { v, _ := x.Get(k); return v }
	case map[string]any:
		return func(k string) any { return x[k] }
	}
	return func(string) any { return nil }
}

// loyaltyCardsOf is pos_loyalty's partner loyalty_cards: the partner's
// cards of the POS's (pos_ok) loyalty programs keyed by (int) card id.
func loyaltyCardsOf(ctx context.Context, st store, partner int64) (map[int64]any, error) {
	out := map[int64]any{}
	rows, err := st.db.QueryContext(ctx, `SELECT c.id, c.points, c.code, c.program_id FROM loyalty_cards c
		JOIN promotion_programs p ON p.id = c.program_id WHERE c.partner_id = ? AND p.program_type = 'loyalty' AND p.pos_ok = ?`,
		partner, st.boolean(true))
	if err != nil {
		return nil, internal("loyalty_cards", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, program int64
		var code string
		var raw any
		if err := rows.Scan(&id, &raw, &code, &program); err != nil {
			return nil, internal("loyalty_cards", err)
		}
		pts, err := st.readDec(raw)
		if err != nil {
			return nil, err
		}
		out[id] = dict("points", pts, "code", code, "program_id", program)
	}
	return out, internal("loyalty_cards", rows.Err())
}
