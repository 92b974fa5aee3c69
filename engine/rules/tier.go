package rules

import (
	"sort"

	"github.com/shopspring/decimal"
)

// Level is one step of the membership level path (membership_levels).
type Level struct {
	Product        int64 // membership_product_id: the tier
	Sequence       int64
	MinSpending    decimal.Decimal
	AllowUpgrade   bool // customers may be moved up to this level
	AllowDowngrade bool // customers at this level may be moved down
}

// SortLevels orders a level path from the lowest level to the highest:
// by sequence, then min_spending, then membership product.
func SortLevels(levels []Level) []Level {
	out := append([]Level(nil), levels...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Sequence != b.Sequence {
			return a.Sequence < b.Sequence
		}
		if c := a.MinSpending.Cmp(b.MinSpending); c != 0 {
			return c < 0
		}
		return a.Product < b.Product
	})
	return out
}

// EvaluateTier decides a customer's tier after an order (see the package
// documentation for the rule): levels is the path (any order), current the
// customer's membership product (0: none), spending the net spending over
// the evaluation window. It returns the tier the customer should have; it
// equals current when nothing changes. Without levels it returns current.
func EvaluateTier(levels []Level, current int64, spending decimal.Decimal) int64 {
	if len(levels) == 0 {
		return current
	}
	path := SortLevels(levels)
	cur := -1
	for i, l := range path {
		if l.Product == current {
			cur = i
			break
		}
	}
	if cur < 0 {
		cur = 0 // no tier, or one off the path: start at the lowest level
	}
	target := 0
	for i, l := range path {
		if l.MinSpending.LessThanOrEqual(spending) {
			target = i
		}
	}
	switch {
	case target > cur && path[target].AllowUpgrade:
		return path[target].Product
	case target < cur && path[cur].AllowDowngrade:
		return path[target].Product
	}
	return path[cur].Product
}
