package methods

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// errAppendOnly refuses write and unlink on the ledger's rows.
var errAppendOnly = models.UserErrorf("The points ledger is append-only: its rows cannot be changed or deleted. " +
	"Book a correction with loyalty.engine.adjust_points instead.")

// extendLedgerModels makes loyalty.point.move and loyalty.point.history
// book real movements: create goes through the engine (the balance and the
// lot's remaining points are computed, never taken from the caller),
// write and unlink are refused, and loyalty.point.move gets the seed's
// handle_added_points / handle_deducted_points.
func (m *Methods) extendLedgerModels(reg *models.Registry) error {
	move, hist := reg.Model("loyalty.point.move"), reg.Model("loyalty.point.history")
	if move == nil || hist == nil {
		return models.Internal(errLedgerModels)
	}
	for _, md := range []*models.Model{move, hist} {
		if md.Methods == nil {
			md.Methods = map[string]models.MethodFunc{}
		}
		md.Methods["write"] = refuse
		md.Methods["unlink"] = refuse
	}
	move.Methods["create"] = m.moveCreate
	move.Methods["handle_added_points"] = m.handleAddedPoints
	move.Methods["handle_deducted_points"] = m.handleDeductedPoints
	hist.Methods["create"] = m.historyCreate
	return nil
}

var errLedgerModels = errorString("loyalty.point.move and loyalty.point.history must be registered first")

type errorString string

func (e errorString) Error() string { return string(e) }

func refuse(context.Context, *models.Call) (any, error) { return nil, errAppendOnly }

// ledgerCreateAllowed: creating ledger rows over RPC needs the models'
// create right (POS managers) or the system group.
func ledgerCreateAllowed(c *models.Call) error {
	groups := append([]string{groupSystem}, c.Model.Access[models.OpCreate]...)
	return require(c, "create "+c.Model.Description+" records", groups...)
}

// createVals reads create's argument: one dict or a list of them.
func createVals(c *models.Call) ([]map[string]any, bool, error) {
	arg, ok := c.Arg(0, "vals_list")
	if !ok {
		return nil, false, models.TypeErrorf("create() missing 1 required positional argument: 'vals_list'")
	}
	if d, ok := arg.(map[string]any); ok {
		return []map[string]any{d}, true, nil
	}
	list, ok := arg.([]any)
	if !ok {
		return nil, false, models.TypeErrorf("create: expected a dict or a list of dicts")
	}
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		d, ok := e.(map[string]any)
		if !ok {
			return nil, false, models.TypeErrorf("create: expected a dict or a list of dicts")
		}
		out = append(out, d)
	}
	return out, false, nil
}

// ids answers create: one id for one dict, a list for a list.
func ids(out []int64, single bool) any {
	if single && len(out) == 1 {
		return out[0]
	}
	list := make([]any, len(out))
	for i, id := range out {
		list[i] = id
	}
	return list
}

// cardArg reads the card of a ledger row: loyalty_card_id (the field) or
// card_id.
func cardArg(vals map[string]any) (int64, error) {
	v, ok := vals["loyalty_card_id"]
	if !ok {
		v = vals["card_id"]
	}
	id, err := toID("loyalty_card_id", v)
	if err != nil {
		return 0, err
	}
	if id <= 0 {
		return 0, models.ValidationErrorf("The loyalty card is required.")
	}
	return id, nil
}

// bookEach runs a ledger create: for each dict, the card and the points
// of field are read and book books them, answering an id (one id for a
// dict, a list for a list, as create does).
func bookEach(c *models.Call, field string, book func(i int, vals map[string]any, card int64, pts decimal.Decimal) (int64, error)) (any, error) {
	if err := ledgerCreateAllowed(c); err != nil {
		return nil, err
	}
	list, single, err := createVals(c)
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(list))
	for i, vals := range list {
		card, err := cardArg(vals)
		if err != nil {
			return nil, err
		}
		pts, err := toDecimal(field, vals[field])
		if err != nil {
			return nil, err
		}
		id, err := book(i, vals, card, pts)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return ids(out, single), nil
}

// moveCreate is loyalty.point.move.create: each dict books an earn of
// initial_point on loyalty_card_id (membership_product_id, expiration_date
// and origin optional; gain_date as the transaction time) and answers the
// new lot's id.
func (m *Methods) moveCreate(ctx context.Context, c *models.Call) (any, error) {
	return bookEach(c, "initial_point", func(i int, vals map[string]any, card int64, pts decimal.Decimal) (int64, error) {
		if !pts.IsPositive() {
			return 0, models.ValidationErrorf("The initial points of a lot must be positive.")
		}
		mv, err := movement(c, vals, card, pts, "loyalty.point.move", i)
		if err != nil {
			return 0, err
		}
		if exp := vals["expiration_date"]; exp != nil && exp != false {
			t, err := toTime("expiration_date", exp)
			if err != nil {
				return 0, err
			}
			mv.Expiry = &t
		}
		res, err := m.svc.Earn(ctx, c.DB, mv)
		if err != nil {
			return 0, err
		}
		lot := int64(0)
		for _, e := range res.Entries {
			if e.Kind == engine.KindEarn && e.Lot != 0 {
				lot = e.Lot
			}
		}
		return lot, nil
	})
}

// historyCreate is loyalty.point.history.create: points_amount > 0 books an
// earn, < 0 a redemption (refused beyond the balance); points_balance,
// point_move_id and the like are computed, not taken. Answers the id of
// the last journal row written.
func (m *Methods) historyCreate(ctx context.Context, c *models.Call) (any, error) {
	return bookEach(c, "points_amount", func(i int, vals map[string]any, card int64, pts decimal.Decimal) (int64, error) {
		if pts.IsZero() {
			return 0, models.ValidationErrorf("The points of a history row cannot be zero.")
		}
		mv, err := movement(c, vals, card, pts.Abs(), "loyalty.point.history", i)
		if err != nil {
			return 0, err
		}
		var res engine.Result
		if pts.IsPositive() {
			res, err = m.svc.Earn(ctx, c.DB, mv)
		} else {
			res, err = m.svc.Redeem(ctx, c.DB, mv)
		}
		if err != nil {
			return 0, err
		}
		if len(res.Entries) == 0 {
			return 0, models.Internal(errorString("history create: the engine wrote no row"))
		}
		return res.Entries[len(res.Entries)-1].ID, nil
	})
}

// movement builds the engine movement of a create dict: the origin, the
// tier, the transaction time (gain_date / transaction_time) and the key
// (the context's idempotency_key with the dict's index, or a fresh one).
func movement(c *models.Call, vals map[string]any, card int64, pts decimal.Decimal, model string, i int) (engine.Movement, error) {
	tier, err := toID("membership_product_id", vals["membership_product_id"])
	if err != nil {
		return engine.Movement{}, err
	}
	at := vals["gain_date"]
	if at == nil || at == false {
		at = vals["transaction_time"]
	}
	t, err := toTime("transaction_time", at)
	if err != nil {
		return engine.Movement{}, err
	}
	return engine.Movement{Card: card, Points: pts, Tier: tier, At: t, Origin: toString(vals["origin"]),
		Key: callKey(c, model+"/create/"+itoa(int64(i)))}, nil
}

// handleAddedPoints is the seed's loyalty.point.move.handle_added_points(
// card_id, points, origin=False, membership_product_id=False): an earn;
// answers the journal rows' ids.
func (m *Methods) handleAddedPoints(ctx context.Context, c *models.Call) (any, error) {
	return m.handlePoints(ctx, c, true)
}

// handleDeductedPoints is handle_deducted_points(card_id, points,
// origin=False): a redemption, first expiring first, refused beyond the
// balance; answers the journal rows' ids.
func (m *Methods) handleDeductedPoints(ctx context.Context, c *models.Call) (any, error) {
	return m.handlePoints(ctx, c, false)
}

func (m *Methods) handlePoints(ctx context.Context, c *models.Call, add bool) (any, error) {
	if err := ledgerCreateAllowed(c); err != nil {
		return nil, err
	}
	card, err := toID("card_id", argOr(c, 0, "card_id"))
	if err != nil {
		return nil, err
	}
	if card <= 0 {
		return nil, models.ValidationErrorf("The loyalty card is required.")
	}
	pts, err := toDecimal("points", argOr(c, 1, "points"))
	if err != nil {
		return nil, err
	}
	if !pts.IsPositive() {
		return nil, models.ValidationErrorf("The points must be positive.")
	}
	mv := engine.Movement{Card: card, Points: pts, Origin: toString(argOr(c, 2, "origin")), At: time.Time{}}
	var res engine.Result
	if add {
		if mv.Tier, err = toID("membership_product_id", argOr(c, 3, "membership_product_id")); err != nil {
			return nil, err
		}
		mv.Key = callKey(c, "loyalty.point.move/added")
		res, err = m.svc.Earn(ctx, c.DB, mv)
	} else {
		mv.Key = callKey(c, "loyalty.point.move/deducted")
		res, err = m.svc.Redeem(ctx, c.DB, mv)
	}
	if err != nil {
		return nil, err
	}
	return entryIDs(res.Entries), nil
}

func entryIDs(es []engine.Entry) []any {
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}
