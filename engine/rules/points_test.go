package rules

import (
	"testing"

	"github.com/shopspring/decimal"
)

// Products and categories of the tests.
const (
	pA, pB, pCoffee, pTea, pGift, pDisc, pGiftCard = 1, 2, 3, 4, 5, 6, 7
	catAll, catDrinks, catHot                      = 10, 11, 12
	tagBio                                         = 20
	progP, progOther, progGift                     = 100, 101, 102
)

var catalog = &Catalog{
	Products: map[int64]Product{
		pA:      {ID: pA, Category: catAll},
		pB:      {ID: pB, Category: catAll},
		pCoffee: {ID: pCoffee, Category: catHot},
		pTea:    {ID: pTea, Category: catDrinks, Tags: []int64{tagBio}},
		pGift:   {ID: pGift, Category: catAll},
		pDisc:   {ID: pDisc, Category: catAll},
	},
	Categories: map[int64]int64{catAll: 0, catDrinks: catAll, catHot: catDrinks},
}

func line(product int64, qty, incl, excl string) Line {
	return Line{Product: product, Qty: d(qty), PriceIncl: d(incl), PriceExcl: d(excl)}
}

func rule(mod func(*Rule)) Rule {
	r := NewRule()
	r.ID = 1
	mod(&r)
	return r
}

func money(amount string) func(*Rule) {
	return func(r *Rule) { r.PointMode = PerMoney; r.PointAmount = d(amount) }
}

// sellsOnlyCheap is a product_domain matcher: the domain selects products A and coffee.
var sellsOnlyCheap = DomainFunc(func(domain string, product int64) bool {
	return domain == "[('list_price', '<', 5)]" && (product == pA || product == pCoffee)
})

func TestCompute(t *testing.T) {
	ex1 := []Line{line(pA, "2", "22.00", "20.00"), line(pB, "1", "5.55", "5.05")}
	coffees := func(n string) Line { return line(pCoffee, n, "0", "0") }
	freeCoffee := Line{Product: pCoffee, Qty: d("1"), PriceIncl: d("-3.00"), PriceExcl: d("-3.00"),
		RewardProgram: progP, RewardProgramType: TypeLoyalty, RewardProduct: pCoffee}
	tests := []struct {
		name    string
		prog    Program
		order   Order
		total   string
		split   []string
		reason  string
		matcher DomainMatcher
	}{
		{name: "Ex 1 POS: 0.1 x 27.55 half-up",
			prog:  Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("0.1"))}},
			order: Order{Channel: POS, Lines: ex1}, total: "2.76"},
		{name: "Ex 1 sale: 0.1 x 27.55 down",
			prog:  Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("0.1"))}},
			order: Order{Channel: Sale, Lines: ex1}, total: "2.75"},
		{name: "Ex 2 incl: 52.80 >= 50",
			prog: Program{ID: progP, Type: "promotion", AppliesOn: "current", Rules: []Rule{rule(func(r *Rule) {
				r.MinAmount = d("50")
				r.MinQty = decimal.Zero
			})}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "52.80", "48.00")}}, total: "1"},
		{name: "Ex 2 excl: 48 < 50",
			prog: Program{ID: progP, Type: "promotion", AppliesOn: "current", Rules: []Rule{rule(func(r *Rule) {
				r.MinAmount = d("50")
				r.MinQty = decimal.Zero
				r.TaxExcl = true
			})}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "52.80", "48.00")}}, total: "0",
			reason: "A minimum of 50.00 should be purchased to get the reward"},
		{name: "minimum on the rule-matching lines only",
			prog: Program{ID: progP, Rules: []Rule{rule(func(r *Rule) {
				r.MinAmount = d("50")
				r.Products = []int64{pB}
			})}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "100", "100"), line(pB, "1", "10", "10")}}, total: "0",
			reason: "A minimum of 50.00 should be purchased to get the reward"},
		{name: "incl mode falls back to excl when the incl total is zero",
			prog:  Program{ID: progP, Rules: []Rule{rule(func(r *Rule) { r.MinAmount = d("5") })}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "0", "6")}}, total: "1"},
		{name: "Ex 3 sale: 2 coffees give 2 points",
			prog: Program{ID: progP, Type: "buy_x_get_y", AppliesOn: "current", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.MinQty = d("2")
				r.Products = []int64{pCoffee}
			})}},
			order: Order{Channel: Sale, Lines: []Line{coffees("2")}}, total: "2"},
		{name: "Ex 3 sale: the free third coffee earns nothing",
			prog: Program{ID: progP, Type: "buy_x_get_y", AppliesOn: "current", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.MinQty = d("2")
				r.Products = []int64{pCoffee}
			})}},
			order: Order{Channel: Sale, Lines: []Line{coffees("2"), {Product: pCoffee, Qty: d("1"), RewardProgram: progP,
				RewardProgramType: "buy_x_get_y", RewardProduct: pCoffee}}}, total: "2"},
		{name: "Ex 3 POS: one coffee is under minimum_qty",
			prog: Program{ID: progP, Type: "buy_x_get_y", AppliesOn: "current", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.MinQty = d("2")
				r.Products = []int64{pCoffee}
			})}},
			order: Order{Channel: POS, Lines: []Line{coffees("1")}}, total: "0", reason: ReasonQuantity},
		{name: "Ex 3 POS: 3 coffees give 3 points",
			prog: Program{ID: progP, Type: "buy_x_get_y", AppliesOn: "current", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.MinQty = d("2")
				r.Products = []int64{pCoffee}
			})}},
			order: Order{Channel: POS, Lines: []Line{coffees("3")}}, total: "3"},
		{name: "Ex 6 POS: free coffee of the same program is corrected, won 2",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.Products = []int64{pCoffee}
			})}},
			order: Order{Channel: POS, Lines: []Line{line(pCoffee, "3", "9.00", "9.00"), freeCoffee}}, total: "2"},
		{name: "Ex 6 money mode: the free line's value is taken back",
			prog:  Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("1"))}},
			order: Order{Channel: POS, Lines: []Line{line(pCoffee, "3", "9.00", "9.00"), freeCoffee}}, total: "6"},
		{name: "Ex 5: own discount line does not reduce earning",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("1"))}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "80.00", "72.73"),
				{Product: pDisc, Qty: d("1"), PriceIncl: d("-50.00"), PriceExcl: d("-50.00"), RewardProgram: progP,
					RewardProgramType: TypeLoyalty}}}, total: "80"},
		{name: "another automatic promotion's discount reduces an any-product money rule",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("1"))}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "80.00", "72.73"),
				{Product: pDisc, Qty: d("1"), PriceIncl: d("-8.00"), PriceExcl: d("-8.00"), RewardProgram: progOther,
					RewardProgramType: "promotion", RewardAuto: true}}}, total: "72"},
		{name: "sale: a discount of the same program type does not reduce it",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("1"))}},
			order: Order{Channel: Sale, Lines: []Line{line(pA, "1", "80.00", "72.73"),
				{Product: pDisc, Qty: d("1"), PriceIncl: d("-8.00"), PriceExcl: d("-8.00"), RewardProgram: progOther,
					RewardProgramType: TypeLoyalty}}}, total: "80"},
		{name: "gift card and eWallet payment lines are skipped",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("1"))}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "80.00", "80.00"),
				{Product: pDisc, Qty: d("1"), PriceIncl: d("-30.00"), PriceExcl: d("-30.00"), RewardProgram: progGift,
					RewardProgramType: TypeGiftCard},
				{Product: pDisc, Qty: d("1"), PriceIncl: d("-20.00"), PriceExcl: d("-20.00"), RewardProgram: progGift + 1,
					RewardProgramType: TypeEWallet}}}, total: "80"},
		{name: "category child_of",
			prog:  Program{ID: progP, Rules: []Rule{rule(func(r *Rule) { r.PointMode = PerUnit; r.Category = catDrinks })}},
			order: Order{Channel: POS, Lines: []Line{line(pCoffee, "2", "6", "6"), line(pTea, "1", "2", "2"), line(pA, "5", "5", "5")}},
			total: "3"},
		{name: "products OR category OR tag",
			prog: Program{ID: progP, Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.Products = []int64{pA}
				r.Tag = tagBio
			})}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "2", "6", "6"), line(pTea, "1", "2", "2"), line(pB, "5", "5", "5")}},
			total: "3"},
		{name: "product_domain ANDed with the product filter",
			prog: Program{ID: progP, Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.Category = catAll
				r.ProductDomain = "[('list_price', '<', 5)]"
			})}},
			matcher: sellsOnlyCheap,
			order:   Order{Channel: POS, Lines: []Line{line(pA, "2", "6", "6"), line(pB, "1", "2", "2"), line(pCoffee, "4", "5", "5")}},
			total:   "6"},
		{name: "product_domain alone",
			prog: Program{ID: progP, Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.ProductDomain = "[('list_price', '<', 5)]"
			})}},
			matcher: sellsOnlyCheap,
			order:   Order{Channel: POS, Lines: []Line{line(pA, "2", "6", "6"), line(pB, "1", "2", "2")}},
			total:   "2"},
		{name: "minimum_qty defaults to 1: no matching unit, no points",
			prog:  Program{ID: progP, Rules: []Rule{rule(func(r *Rule) { r.Products = []int64{pGift} })}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "10", "10")}}, total: "0", reason: ReasonQuantity},
		{name: "several rules add up",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{
				rule(money("1")),
				rule(func(r *Rule) { r.ID = 2; r.PointAmount = d("5") }),
				rule(func(r *Rule) { r.ID = 3; r.PointMode = PerUnit; r.PointAmount = d("2"); r.Products = []int64{pB} }),
			}},
			order: Order{Channel: POS, Lines: ex1}, total: "34.55"},
		{name: "with_code rule without its code",
			prog:  Program{ID: progP, Rules: []Rule{rule(func(r *Rule) { r.Mode = "with_code"; r.Code = "PROMO" })}},
			order: Order{Channel: POS, Lines: ex1}, total: "0", reason: ReasonCode},
		{name: "with_code rule with its code",
			prog:  Program{ID: progP, Rules: []Rule{rule(func(r *Rule) { r.Mode = "with_code"; r.Code = "PROMO" })}},
			order: Order{Channel: POS, Lines: ex1, Codes: []string{"PROMO"}}, total: "1"},
		{name: "refund lines are dropped",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("1"))}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "80", "80"),
				{Product: pB, Qty: d("-1"), PriceIncl: d("-30"), PriceExcl: d("-30"), Refund: true}}}, total: "80"},
		{name: "a pure refund earns nothing",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("1")),
				rule(func(r *Rule) { r.ID = 2; r.MinQty = decimal.Zero })}},
			order: Order{Channel: POS, Lines: []Line{{Product: pB, Qty: d("-1"), PriceIncl: d("-30"), PriceExcl: d("-30"), Refund: true}}},
			total: "0", reason: ReasonRefund},
		{name: "negative lines without refund flag fail the thresholds (Odoo 18)",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(money("1")),
				rule(func(r *Rule) { r.ID = 2; r.MinQty = decimal.Zero })}},
			order: Order{Channel: POS, Lines: []Line{line(pB, "-1", "-30", "-30")}}, total: "0",
			reason: "A minimum of 0.00 should be purchased to get the reward"},
		{name: "split per unit in unit mode (future program)",
			prog: Program{ID: progP, Type: "next_order_coupons", AppliesOn: "future", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.Split = true
				r.Products = []int64{pCoffee}
			})}},
			order: Order{Channel: POS, Lines: []Line{line(pCoffee, "3", "9", "9")}}, total: "0", split: []string{"1", "1", "1"}},
		{name: "Ex 4 split gift cards: one entry per unit, tax included",
			prog: Program{ID: progGift, Type: TypeGiftCard, AppliesOn: "future", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerMoney
				r.Split = true
				r.MinQty = decimal.Zero
				r.Products = []int64{pGift}
			})}},
			order: Order{Channel: POS, Lines: []Line{line(pGift, "2", "110.00", "100.00"), line(pA, "1", "30", "30")}},
			total: "0", split: []string{"55", "55"}},
		{name: "split money on sales rounds down",
			prog: Program{ID: progGift, Type: TypeGiftCard, AppliesOn: "future", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerMoney
				r.PointAmount = d("0.1")
				r.Split = true
				r.Products = []int64{pGift}
			})}},
			order: Order{Channel: Sale, Lines: []Line{line(pGift, "2", "55.10", "55.10")}},
			total: "0", split: []string{"2.75", "2.75"}},
		{name: "split is ignored on a both program",
			prog: Program{ID: progP, Type: TypeLoyalty, AppliesOn: "both", Rules: []Rule{rule(func(r *Rule) {
				r.PointMode = PerUnit
				r.Split = true
			})}},
			order: Order{Channel: POS, Lines: []Line{line(pCoffee, "3", "9", "9")}}, total: "3"},
		{name: "sale: a rule no ordered product matches gives nothing even with minimum_qty 0",
			prog:  Program{ID: progP, Rules: []Rule{rule(func(r *Rule) { r.MinQty = decimal.Zero; r.Products = []int64{pGift} })}},
			order: Order{Channel: Sale, Lines: []Line{line(pA, "1", "10", "10")}}, total: "0", reason: ReasonQuantity},
		{name: "POS: a rule with minimum_qty 0 gives its points without a matching product",
			prog:  Program{ID: progP, Rules: []Rule{rule(func(r *Rule) { r.MinQty = decimal.Zero; r.Products = []int64{pGift} })}},
			order: Order{Channel: POS, Lines: []Line{line(pA, "1", "10", "10")}}, total: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compute(tt.prog, tt.order, catalog, tt.matcher)
			if !got.Total.Equal(d(tt.total)) {
				t.Errorf("total = %s, want %s", got.Total, tt.total)
			}
			if len(got.Split) != len(tt.split) {
				t.Fatalf("split = %v, want %v", got.Split, tt.split)
			}
			for i := range tt.split {
				if !got.Split[i].Equal(d(tt.split[i])) {
					t.Errorf("split[%d] = %s, want %s", i, got.Split[i], tt.split[i])
				}
			}
			if got.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", got.Reason, tt.reason)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		name    string
		rule    Rule
		product int64
		m       DomainMatcher
		want    bool
	}{
		{"no filter: every product", NewRule(), pB, nil, true},
		{"product 0 never", NewRule(), 0, nil, false},
		{"listed product", Rule{Products: []int64{pA}}, pA, nil, true},
		{"unlisted product", Rule{Products: []int64{pA}}, pB, nil, false},
		{"category itself", Rule{Category: catHot}, pCoffee, nil, true},
		{"grand-parent category", Rule{Category: catAll}, pCoffee, nil, true},
		{"sibling category", Rule{Category: catHot}, pTea, nil, false},
		{"tag", Rule{Tag: tagBio}, pTea, nil, true},
		{"unknown product with a category rule", Rule{Category: catAll}, 999, nil, false},
		{"domain without matcher matches nothing", Rule{ProductDomain: "[('x','=',1)]"}, pA, nil, false},
		{"trivial domain with spaces", Rule{ProductDomain: " [ ] "}, pA, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := catalog.Matches(tt.rule, tt.product, tt.m); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
	cyclic := &Catalog{Products: map[int64]Product{1: {ID: 1, Category: 5}}, Categories: map[int64]int64{5: 6, 6: 5}}
	if cyclic.Matches(Rule{Category: 7}, 1, nil) {
		t.Error("a cyclic category tree matched")
	}
}
