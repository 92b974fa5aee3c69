package methods

import (
	"context"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// engineModel is loyalty.engine, a model without records (Odoo's
// AbstractModel; its table does not exist and no group may use the
// generic ORM methods on it) whose @api.model methods run the engine:
//
//	process_order(order)                 POS users, POS managers, system
//	card_balance(card_id)                POS users, POS managers, system
//	adjust_points(card_id, points, reason)   POS managers, system
//	expire_points(as_of=False)               POS managers, system
//
// process_order's order dict:
//
//	{"model": "pos.order", "id": 5, "name": "Shop/0001", "partner_id": 12,
//	 "date_order": "2026-11-24 17:50:12", "channel": "pos" | "sale",
//	 "membership_product_id": 3,          # tier snapshot; false: the partner's
//	 "lines": [{"product_id": 5, "qty": 1, "price_subtotal_incl": 80.5,
//	            "price_subtotal": 70, "reward_program_id": false, "refunded": false}],
//	 "redemptions": [{"card_id": 138, "points": 100} | {"program_id": 6, "points": 100}],
//	 "codes": ["PROMO"], "refund_of": false, "paid": true}
//
// and its answer:
//
//	{"cards": [{"card_id", "program_id", "earned", "spent", "balance", "debt"}],
//	 "history_ids": [...], "tier_change": false | {"partner_id", "from", "to"},
//	 "replayed": false}
//
// The same order (model, id) processed again answers the first result
// with replayed true.
func (m *Methods) engineModel() *models.Model {
	return &models.Model{
		Name:        "loyalty.engine",
		Description: "Loyalty Points Engine",
		Table:       "loyalty_engine",
		Fields:      []*models.Field{{Name: "name", Type: models.Char, String: "Name"}},
		Access:      map[models.Op][]string{},
		Methods: map[string]models.MethodFunc{
			"process_order": m.processOrder,
			"adjust_points": m.adjustPoints,
			"expire_points": m.expirePoints,
			"card_balance":  m.cardBalance,
		},
		// expire_points runs its own batches of transactions; card_balance
		// only reads.
		ReadOnly: map[string]bool{"expire_points": true, "card_balance": true},
	}
}

func (m *Methods) processOrder(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "process orders", groupPosUser, groupPosManager, groupSystem); err != nil {
		return nil, err
	}
	raw, ok := argOr(c, 0, "order").(map[string]any)
	if !ok {
		return nil, models.TypeErrorf("process_order: order must be a dict")
	}
	o, err := parseOrder(raw)
	if err != nil {
		return nil, err
	}
	res, err := m.svc.ProcessOrder(ctx, c.DB, o)
	if err != nil {
		return nil, err
	}
	cards := make([]any, 0, len(res.Cards))
	for _, cc := range res.Cards {
		cards = append(cards, dict("card_id", cc.Card, "program_id", falseIfZero(cc.Program), "earned", cc.Earned,
			"spent", cc.Spent, "balance", cc.Balance, "debt", cc.Debt))
	}
	var tier any = false
	if res.Tier != nil {
		tier = dict("partner_id", res.Tier.Partner, "from", falseIfZero(res.Tier.From), "to", falseIfZero(res.Tier.To))
	}
	return dict("cards", cards, "history_ids", entryIDs(res.Entries), "tier_change", tier, "replayed", res.Replayed), nil
}

// parseOrder reads process_order's dict into an engine.Order.
func parseOrder(d map[string]any) (engine.Order, error) {
	var o engine.Order
	var err error
	o.Model = toString(d["model"])
	if o.Model == "" {
		o.Model = "pos.order"
	}
	if o.ID, err = toID("id", d["id"]); err != nil {
		return o, err
	}
	if o.ID == 0 {
		return o, models.ValidationErrorf("process_order: the order id is required.")
	}
	o.Name = toString(d["name"])
	if o.Partner, err = toID("partner_id", d["partner_id"]); err != nil {
		return o, err
	}
	if o.Date, err = toTime("date_order", d["date_order"]); err != nil {
		return o, err
	}
	switch ch := toString(d["channel"]); ch {
	case "", "pos":
		o.Channel = engine.ChannelPOS
	case "sale":
		o.Channel = engine.ChannelSale
	default:
		return o, models.ValueErrorf("process_order: unknown channel %q", ch)
	}
	if o.Tier, err = toID("membership_product_id", d["membership_product_id"]); err != nil {
		return o, err
	}
	lines, _ := d["lines"].([]any)
	for _, l := range lines {
		ld, ok := l.(map[string]any)
		if !ok {
			return o, models.TypeErrorf("process_order: a line must be a dict")
		}
		var ol engine.OrderLine
		if ol.Product, err = toID("product_id", ld["product_id"]); err != nil {
			return o, err
		}
		if ol.Qty, err = toDecimal("qty", ld["qty"]); err != nil {
			return o, err
		}
		if ol.PriceIncl, err = toDecimal("price_subtotal_incl", ld["price_subtotal_incl"]); err != nil {
			return o, err
		}
		if ol.PriceExcl, err = toDecimal("price_subtotal", ld["price_subtotal"]); err != nil {
			return o, err
		}
		if ol.RewardProgram, err = toID("reward_program_id", ld["reward_program_id"]); err != nil {
			return o, err
		}
		ol.Refunded = truthy(ld["refunded"])
		o.Lines = append(o.Lines, ol)
	}
	reds, _ := d["redemptions"].([]any)
	for _, r := range reds {
		rd, ok := r.(map[string]any)
		if !ok {
			return o, models.TypeErrorf("process_order: a redemption must be a dict")
		}
		var red engine.Redemption
		if red.Card, err = toID("card_id", rd["card_id"]); err != nil {
			return o, err
		}
		if red.Program, err = toID("program_id", rd["program_id"]); err != nil {
			return o, err
		}
		if red.Points, err = toDecimal("points", rd["points"]); err != nil {
			return o, err
		}
		if red.Card == 0 && red.Program == 0 {
			return o, models.ValidationErrorf("process_order: a redemption needs a card_id or a program_id.")
		}
		if !red.Points.IsPositive() {
			return o, models.ValidationErrorf("process_order: redeemed points must be positive.")
		}
		o.Redemptions = append(o.Redemptions, red)
	}
	codes, _ := d["codes"].([]any)
	for _, cd := range codes {
		if s := toString(cd); s != "" {
			o.Codes = append(o.Codes, s)
		}
	}
	if o.RefundOf, err = toID("refund_of", d["refund_of"]); err != nil {
		return o, err
	}
	o.Paid = truthy(d["paid"])
	return o, nil
}

// adjustPoints is adjust_points(card_id, points, reason): a signed manual
// correction (the context's idempotency_key makes it safe to re-send).
func (m *Methods) adjustPoints(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "adjust points", groupPosManager, groupSystem); err != nil {
		return nil, err
	}
	card, err := toID("card_id", argOr(c, 0, "card_id"))
	if err != nil {
		return nil, err
	}
	pts, err := toDecimal("points", argOr(c, 1, "points"))
	if err != nil {
		return nil, err
	}
	reason := toString(argOr(c, 2, "reason"))
	if reason == "" {
		return nil, models.ValidationErrorf("A reason is required to adjust points.")
	}
	if pts.IsZero() {
		return nil, models.ValidationErrorf("The adjustment cannot be zero.")
	}
	res, err := m.svc.Adjust(ctx, c.DB, engine.Movement{Card: card, Points: pts, Reason: reason, Origin: reason,
		Key: callKey(c, "loyalty.engine/adjust")})
	if err != nil {
		return nil, err
	}
	return dict("card_id", card, "balance", res.Balance, "debt", res.Debt, "history_ids", entryIDs(res.Entries),
		"replayed", res.Replayed), nil
}

// expirePoints is expire_points(as_of=False): expires the lots past their
// date at as_of (default now).
func (m *Methods) expirePoints(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "expire points", groupPosManager, groupSystem); err != nil {
		return nil, err
	}
	asOf, err := toTime("as_of", argOr(c, 0, "as_of"))
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = m.now()
	}
	st, err := m.svc.Expire(ctx, asOf)
	if err != nil {
		return nil, err
	}
	return dict("lots", int64(st.Lots), "cards", int64(st.Cards), "points", st.Points), nil
}

// cardBalance is card_balance(card_id): the card's ledger summary.
func (m *Methods) cardBalance(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "read card balances", groupPosUser, groupPosManager, groupSystem); err != nil {
		return nil, err
	}
	card, err := toID("card_id", argOr(c, 0, "card_id"))
	if err != nil {
		return nil, err
	}
	cs, err := m.svc.CardBalance(ctx, c.DB, card) // for display: may come from the balance cache
	if err != nil {
		return nil, err
	}
	return dict("card_id", cs.Card, "program_id", falseIfZero(cs.Program), "partner_id", falseIfZero(cs.Partner),
		"membership_product_id", falseIfZero(cs.Tier), "points", cs.Points, "debt", cs.Debt), nil
}
