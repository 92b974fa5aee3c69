package rules

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// Point modes of a rule (reward_point_mode).
const (
	PerOrder = "order" // reward_point_amount once per order
	PerMoney = "money" // reward_point_amount per currency unit paid
	PerUnit  = "unit"  // reward_point_amount per unit bought
)

// Program types Compute cares about (program_type).
const (
	TypeCoupons  = "coupons"
	TypeGiftCard = "gift_card"
	TypeEWallet  = "ewallet"
	TypeLoyalty  = "loyalty"
)

// Rule is one loyalty.rule (promotion_rules row) of a program.
type Rule struct {
	ID            int64
	Mode          string // "auto" or "with_code"
	Code          string // with_code: the code that activates the rule
	PointMode     string // PerOrder, PerMoney, PerUnit
	PointAmount   decimal.Decimal
	Split         bool            // reward_point_split (future programs, money/unit modes)
	MinQty        decimal.Decimal // minimum_qty (Odoo's default is 1: see NewRule)
	MinAmount     decimal.Decimal // minimum_amount
	TaxExcl       bool            // minimum_amount_tax_mode == "excl"
	Products      []int64         // product_ids
	Category      int64           // product_category_id (and its children)
	Tag           int64           // product_tag_id
	ProductDomain string          // extra domain ANDed with the above; "" or "[]": none
}

// NewRule returns a rule with Odoo's defaults: automatic, one point per
// order, minimum quantity 1, no minimum amount, tax included, any product.
func NewRule() Rule {
	return Rule{Mode: "auto", PointMode: PerOrder, PointAmount: decimal.NewFromInt(1),
		MinQty: decimal.NewFromInt(1), ProductDomain: "[]"}
}

// HasDomain reports whether the rule's product_domain restricts products.
func (r Rule) HasDomain() bool { return !TrivialDomain(r.ProductDomain) }

// TrivialDomain reports whether a product domain selects every product
// ("", "[]", with any spacing).
func TrivialDomain(d string) bool {
	d = strings.Join(strings.Fields(d), "")
	return d == "" || d == "[]" || d == "()"
}

// Program is what Compute needs of one loyalty.program.
type Program struct {
	ID        int64
	Type      string // program_type
	AppliesOn string // "current", "future", "both"
	Rules     []Rule
}

// Line is one order line as Odoo's earning code sees it.
type Line struct {
	Product   int64
	Qty       decimal.Decimal
	PriceIncl decimal.Decimal // price_subtotal_incl / price_total
	PriceExcl decimal.Decimal // price_subtotal
	Refund    bool            // a refund line (refunded_orderline_id): dropped before counting

	// Reward lines (is_reward_line): the reward's program, its type and
	// trigger, and for a free product the product given (0: a discount
	// line, whose Product is the discount product).
	RewardProgram     int64
	RewardProgramType string
	RewardAuto        bool // the reward's program has trigger "auto"
	RewardProduct     int64
}

func (l Line) isReward() bool   { return l.RewardProgram != 0 }
func (l Line) isDiscount() bool { return l.RewardProgram != 0 && l.RewardProduct == 0 }

// Order is the order Compute reads.
type Order struct {
	Channel Channel
	Lines   []Line
	Codes   []string // codes activated on the order (with_code rules)
}

// Category is a product category and its parent (0: a root).
type Category struct {
	ID, Parent int64
}

// Catalog is what product matching needs of the products of an order:
// their category and tags, and the category tree.
type Catalog struct {
	Products   map[int64]Product // by id
	Categories map[int64]int64   // category id -> parent id (0: root)
}

// Product is one product.product as rules match it.
type Product struct {
	ID       int64
	Category int64
	Tags     []int64 // all_product_tag_ids
}

// DomainMatcher decides the product_domain part of a rule: whether the
// product is selected by the domain (a Python or JSON literal such as
// "[('sale_ok', '=', True)]"). The engine answers it from a search run
// before Compute, so this package does no I/O.
type DomainMatcher interface {
	MatchDomain(domain string, product int64) bool
}

// DomainFunc adapts a function to DomainMatcher.
type DomainFunc func(domain string, product int64) bool

// MatchDomain calls f.
func (f DomainFunc) MatchDomain(domain string, product int64) bool { return f(domain, product) }

// maxCategoryDepth bounds the walk up a possibly cyclic category tree.
const maxCategoryDepth = 64

// inCategory reports whether category c is cat or one of its descendants
// (Odoo's child_of).
func (c *Catalog) inCategory(cat, want int64) bool {
	for depth := 0; cat != 0 && depth < maxCategoryDepth; depth++ {
		if cat == want {
			return true
		}
		if c == nil {
			return false
		}
		cat = c.Categories[cat]
	}
	return false
}

// Matches reports whether product matches rule r (Odoo's
// _get_valid_product_domain): product_ids OR category child_of OR tag,
// every product when none of the three is set, AND the product_domain when
// it is not trivial (decided by m; a nil m matches nothing).
func (c *Catalog) Matches(r Rule, product int64, m DomainMatcher) bool {
	if product == 0 {
		return false
	}
	if len(r.Products) > 0 || r.Category != 0 || r.Tag != 0 {
		ok := slices.Contains(r.Products, product)
		var p Product
		if c != nil {
			p = c.Products[product]
		}
		if !ok && r.Category != 0 {
			ok = c.inCategory(p.Category, r.Category)
		}
		if !ok && r.Tag != 0 {
			ok = slices.Contains(p.Tags, r.Tag)
		}
		if !ok {
			return false
		}
	}
	if r.HasDomain() {
		return m != nil && m.MatchDomain(r.ProductDomain, product)
	}
	return true
}

// anyProduct is POS's rule.any_product: no product, category, tag or
// domain restriction.
func (r Rule) anyProduct() bool {
	return len(r.Products) == 0 && r.Category == 0 && r.Tag == 0 && !r.HasDomain()
}

// Reasons Compute gives when a program earns nothing (Odoo's sale_loyalty
// messages).
const (
	ReasonCode     = "This program requires a code to be applied."
	ReasonAmount   = "A minimum of %s should be purchased to get the reward"
	ReasonQuantity = "You don't have the required product quantities on your sales order."
	ReasonRefund   = "A refund earns no points."
)

// Points is what one program earns on one order.
type Points struct {
	Total  decimal.Decimal   // points added to the program's card (non-split rules)
	Split  []decimal.Decimal // split rules of future programs: one entry per unit, each a new card
	Rules  []int64           // the rules that passed (appliedRules)
	Reason string            // why no rule passed ("" when one did)
}

// IsZero reports whether the order earns nothing under the program.
func (p Points) IsZero() bool { return p.Total.IsZero() && len(p.Split) == 0 }

// Compute returns the points program p gives order o, following Odoo 17's
// POS pointsForPrograms (Channel POS) or sale_loyalty's
// _program_check_compute_points (Channel Sale):
//
//   - with_code rules count only when their code is in o.Codes;
//   - refund lines are dropped first (Odoo 17 POS); an order left without
//     lines (a pure refund) earns nothing, whatever its rules;
//   - minimum_amount is compared with the rule-matching lines' total, tax
//     included (when that total is non-zero and the mode is incl) or
//     excluded, leaving out discount lines of automatic programs and of p;
//   - the quantity counts the non-reward matching lines and must reach
//     minimum_qty (sales also need one matching ordered product);
//   - money points are reward_point_amount x the paid amount of the
//     matching lines (tax included), which leaves out p's own reward lines
//     and gift card / eWallet reward lines (on sales: every reward line of
//     a program of p's type too), so other programs' discounts reduce it;
//     rounded half-up (POS) or down (sale) to 0.01;
//   - rules add up; future programs with reward_point_split give one entry
//     per unit instead;
//   - on the POS, free products of p's own rewards are taken back (the
//     points correction: their units in unit mode, their value in money
//     mode).
func Compute(p Program, o Order, cat *Catalog, m DomainMatcher) Points {
	lines := make([]Line, 0, len(o.Lines))
	for _, l := range o.Lines {
		if !l.Refund {
			lines = append(lines, l)
		}
	}
	res := Points{Total: decimal.Zero}
	if len(lines) == 0 {
		// An empty order, or a pure refund, earns nothing.
		res.Reason = ReasonQuantity
		if len(o.Lines) > 0 {
			res.Reason = ReasonRefund
		}
		return res
	}
	sale := o.Channel == Sale
	codeMatched, amountMatched := false, false
	var minAmount *decimal.Decimal
	for _, r := range p.Rules {
		if r.Mode == "with_code" && !slices.Contains(o.Codes, r.Code) {
			continue
		}
		codeMatched = true
		matches := func(product int64) bool { return cat.Matches(r, product, m) }

		// Threshold on the rule-matching lines.
		incl, excl := decimal.Zero, decimal.Zero
		for _, l := range lines {
			if l.isDiscount() && (l.RewardAuto || l.RewardProgram == p.ID) {
				continue
			}
			if r.anyProduct() || matches(l.Product) {
				incl = incl.Add(l.PriceIncl)
				excl = excl.Add(l.PriceExcl)
			}
		}
		check := excl
		if !r.TaxExcl && !incl.IsZero() {
			check = incl
		}
		if r.MinAmount.GreaterThan(check) {
			if minAmount == nil || r.MinAmount.LessThan(*minAmount) {
				v := r.MinAmount
				minAmount = &v
			}
			continue
		}
		amountMatched = true

		// Quantity and paid amount.
		qty, paid := decimal.Zero, decimal.Zero
		for _, l := range lines {
			product := l.Product
			if !sale && l.RewardProduct != 0 {
				product = l.RewardProduct // POS: a free product matches through the product given
			}
			if !r.anyProduct() && !matches(product) {
				continue
			}
			if l.isReward() && (l.RewardProgram == p.ID || l.RewardProgramType == TypeGiftCard ||
				l.RewardProgramType == TypeEWallet || sale && l.RewardProgramType == p.Type) {
				continue
			}
			paid = paid.Add(l.PriceIncl)
			if !l.isReward() {
				qty = qty.Add(l.Qty)
			}
		}
		if qty.LessThan(r.MinQty) || sale && !anyMatch(lines, r, matches) {
			continue
		}
		res.Rules = append(res.Rules, r.ID)
		if r.PointAmount.IsZero() {
			continue
		}
		if p.AppliesOn == "future" && r.Split && r.PointMode != PerOrder {
			res.Split = append(res.Split, splitPoints(r, lines, qty, sale, matches)...)
			continue
		}
		switch r.PointMode {
		case PerOrder:
			res.Total = res.Total.Add(r.PointAmount)
		case PerMoney:
			res.Total = res.Total.Add(Round(o.Channel, r.PointAmount.Mul(paid)))
		case PerUnit:
			res.Total = res.Total.Add(r.PointAmount.Mul(qty))
		}
	}
	if !sale {
		res.Total = res.Total.Sub(correction(p, lines, cat, m))
	}
	if len(res.Rules) == 0 {
		switch {
		case !codeMatched:
			res.Reason = ReasonCode
		case !amountMatched && minAmount != nil:
			res.Reason = strings.Replace(ReasonAmount, "%s", minAmount.StringFixed(2), 1)
		default:
			res.Reason = ReasonQuantity
		}
	}
	return res
}

// anyMatch reports whether a non-reward line matches r (sale skips a rule
// no ordered product matches, even with minimum_qty 0).
func anyMatch(lines []Line, r Rule, matches func(int64) bool) bool {
	for _, l := range lines {
		if !l.isReward() && (r.anyProduct() || matches(l.Product)) {
			return true
		}
	}
	return false
}

// splitPoints gives one entry per unit: reward_point_amount per unit in
// unit mode; in money mode, per positive non-reward matching line, the
// line's tax-included unit price x reward_point_amount, rounded as the
// channel does, once per unit.
func splitPoints(r Rule, lines []Line, qty decimal.Decimal, sale bool, matches func(int64) bool) []decimal.Decimal {
	var out []decimal.Decimal
	if r.PointMode == PerUnit {
		for i := int64(0); i < qty.IntPart(); i++ {
			out = append(out, r.PointAmount)
		}
		return out
	}
	for _, l := range lines {
		if l.isReward() || l.Qty.Sign() <= 0 || !(r.anyProduct() || matches(l.Product)) {
			continue
		}
		v := r.PointAmount.Mul(l.PriceIncl).DivRound(l.Qty, 16)
		if sale {
			v = RoundDown(v)
		} else {
			v = RoundHalfUp(v)
		}
		if v.Sign() <= 0 {
			continue
		}
		for i := int64(0); i < l.Qty.IntPart(); i++ {
			out = append(out, v)
		}
	}
	return out
}

// correction is the POS's _getPointsCorrection: for every rule of p and
// every free product line of p's rewards whose product the rule matches,
// the free units (unit mode) or the free line's value (money mode, its
// negative price rounded half-up), which the POS takes off the points won.
func correction(p Program, lines []Line, cat *Catalog, m DomainMatcher) decimal.Decimal {
	res := decimal.Zero
	for _, r := range p.Rules {
		for _, l := range lines {
			if l.RewardProgram != p.ID || l.RewardProduct == 0 {
				continue
			}
			if !r.anyProduct() && !cat.Matches(r, l.RewardProduct, m) {
				continue
			}
			switch r.PointMode {
			case PerMoney:
				res = res.Sub(RoundHalfUp(r.PointAmount.Mul(l.PriceIncl)))
			case PerUnit:
				res = res.Add(r.PointAmount.Mul(l.Qty))
			}
		}
	}
	return res
}
