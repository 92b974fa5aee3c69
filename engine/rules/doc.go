// Package rules is Odoo's loyalty arithmetic without I/O: the rounding of
// money points per channel, the points a program's rules give an order,
// whether a program applies to an order, and the customer's tier after an
// order. The engine loads programs, products and history from the store
// and books what these functions decide.
//
// # Rounding
//
// Points are decimals with two places, never rounded to integers. Money
// points are rounded half-up to 0.01 on the POS (RoundHalfUp, Odoo's
// roundPrecision) and down to 0.01 on sales (RoundDown, float_round DOWN),
// both after Odoo's one-epsilon nudge away from zero, so a double's
// representation error just below a boundary does not change the result.
// Order and unit modes give exact multiples of reward_point_amount.
//
// # Points (Compute)
//
// Odoo 17's POS pointsForPrograms and sale_loyalty's
// _program_check_compute_points; see Compute for the steps. The
// product_domain of a rule is decided by a DomainMatcher the caller
// supplies, so the package stays pure.
//
// # Applicability (Applicable)
//
// Active, available on the channel, the tier (a program with a membership
// product applies only to orders whose tier snapshot is that product),
// date_from/date_to inclusive by local day, limit_usage/max_usage and
// limit_per_customer/max_usage_per_customer, a customer for nominative
// programs.
//
// # Tiers (EvaluateTier)
//
// The level path is ordered from lowest to highest by sequence, then
// min_spending, then membership product. Given the customer's current tier
// and their net spending over the window (orders minus refunds):
//
//  1. A customer with no tier, or with a tier not on the path, starts at
//     the lowest level (and keeps it unless step 3 moves them).
//  2. The target is the highest level whose min_spending <= spending (the
//     lowest level when none is reached).
//  3. Target above the current level: the customer moves to the target
//     only if the target allows upgrades (allow_upgrade); otherwise they
//     stay. Target below: the customer moves down to the target only if
//     their current level allows downgrades (allow_downgrade); otherwise
//     they stay. Moves jump straight to the target, skipping levels.
package rules
