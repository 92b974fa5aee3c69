package models

import (
	"context"
	"maps"
	"time"
)

// BuiltinAliases maps the extra names under which built-in models are
// reachable (the seed system's short names) to their registered names.
// Register them after Builtin:
//
//	reg.MustRegister(models.Builtin()...)
//	for alias, name := range models.BuiltinAliases() {
//		if err := reg.RegisterAlias(alias, name); err != nil { ... }
//	}
func BuiltinAliases() map[string]string {
	return map[string]string{
		"point.move":    "loyalty.point.move",
		"point.history": "loyalty.point.history",
	}
}

// pointMoveStates are the states of a point lot.
var pointMoveStates = [][2]string{{"active", "Active"}, {"depleted", "Depleted"}, {"expired", "Expired"}}

// pointAccess: internal and POS users read the ledger; only POS managers
// change it by hand (the engine books points as superuser).
func pointAccess() map[Op][]string {
	return map[Op][]string{
		OpRead:   {groupUser, groupPosUser},
		OpWrite:  {groupPosManager},
		OpCreate: {groupPosManager},
		OpUnlink: {groupPosManager},
	}
}

// nowDefault is a datetime default: the current time (UTC, seconds).
func nowDefault(*Env) any { return time.Now().UTC().Truncate(time.Second) }

// loyaltyPointMoveModel describes loyalty.point.move (the seed's
// point_moves): a lot of points earned at gain_date by a card for a
// membership tier, consumed first-expiring-first until depleted or
// expired. An empty expiration_date is a lifetime lot. The table has the
// seed's created_at only: no write date, no user log columns.
func loyaltyPointMoveModel() *Model {
	return &Model{
		Name:        "loyalty.point.move",
		Description: "Loyalty Point Move",
		Table:       "point_moves",
		Order:       "gain_date, id",
		Fields: []*Field{
			{Name: "loyalty_card_id", Type: Many2one, String: "Loyalty Card", Column: "loyalty_card_id",
				Relation: "loyalty.card", Required: true, OnDelete: "restrict"},
			{Name: "partner_id", Type: Many2one, String: "Customer", Related: "loyalty_card_id.partner_id",
				Relation: "res.partner", Readonly: true},
			{Name: "membership_product_id", Type: Many2one, String: "Membership Product", Column: "membership_product_id",
				Relation: "product.product", OnDelete: "restrict",
				Help: "Membership tier whose program earned this lot (empty: a program without tier)."},
			{Name: "gain_date", Type: Datetime, String: "Gain Date", Column: "gain_date", Required: true,
				Default: nowDefault},
			{Name: "expiration_date", Type: Datetime, String: "Expiration Date", Column: "expiration_date",
				Help: "Empty for points that never expire."},
			{Name: "initial_point", Type: Float, String: "Initial Points", Column: "initial_point", Decimal: true,
				Required: true, Default: constant(int64(0))},
			{Name: "remaining_point", Type: Float, String: "Remaining Points", Column: "remaining_point", Decimal: true,
				Required: true, Default: constant(int64(0)), Help: "Defaults to the initial points."},
			{Name: "state", Type: Selection, String: "Status", Column: "state", Required: true,
				Selection: pointMoveStates, Default: constant("active")},
			{Name: "origin", Type: Char, String: "Source Document", Column: "origin", Size: 255},
			{Name: "history_ids", Type: One2many, String: "History", Relation: "loyalty.point.history",
				RelationField: "point_move_id"},
			{Name: "synced_to_odoo", Type: Boolean, String: "Synced to Odoo", Column: "synced_to_odoo",
				Default: constant(false)},
			{Name: "create_date", Type: Datetime, String: "Created on", Column: "created_at", Readonly: true},
			// Written by the points engine.
			{Name: "program_id", Type: Many2one, String: "Program", Column: "program_id", Relation: "loyalty.program",
				Readonly: true, Help: "Program of the card the lot was booked on."},
			{Name: "operation_id", Type: Integer, String: "Operation", Column: "operation_id", Readonly: true,
				Help: "Ledger operation that created the lot."},
		},
		Access:  pointAccess(),
		Methods: map[string]MethodFunc{"create": pointMoveCreate},
	}
}

// pointMoveCreate is create with remaining_point defaulting to
// initial_point: a new lot is whole.
func pointMoveCreate(ctx context.Context, c *Call) (any, error) {
	fill := func(v any) any {
		vals, ok := v.(map[string]any)
		if !ok {
			return v
		}
		if _, set := vals["remaining_point"]; set {
			return v
		}
		if _, set := c.Env.Context["default_remaining_point"]; set {
			return v
		}
		init, ok := vals["initial_point"]
		if !ok {
			if init, ok = c.Env.Context["default_initial_point"]; !ok {
				return v
			}
		}
		vals = maps.Clone(vals)
		vals["remaining_point"] = init
		return vals
	}
	call := *c
	if len(c.Args) > 0 {
		call.Args = append([]any{fillAll(c.Args[0], fill)}, c.Args[1:]...)
	} else if v, ok := c.Kwargs["vals_list"]; ok {
		call.Kwargs = maps.Clone(c.Kwargs)
		call.Kwargs["vals_list"] = fillAll(v, fill)
	}
	return GenericMethod("create")(ctx, &call)
}

// fillAll applies fill to a create argument: one dict or a list of them.
func fillAll(v any, fill func(any) any) any {
	list, ok := v.([]any)
	if !ok {
		return fill(v)
	}
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = fill(e)
	}
	return out
}
