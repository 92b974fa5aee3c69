package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// The fixture of the order tests (ids are set explicitly).
const (
	ordAlice, ordBob                       = 1, 2
	ordCatAll, ordCatDrinks, ordCatHot     = 1, 2, 3
	ordCoffee, ordBread, ordDiscount       = 1, 2, 3
	ordBronze, ordSilver                   = 901, 902 // membership products
	ordLoyalty, ordPromo                   = 1, 2     // programs
	ordBronzeProg, ordSilverProg, ordGroup = 3, 4, 5
)

var ordNow = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

type ordFix struct {
	t   *testing.T
	db  *models.DB
	svc *engine.Service
	ctx context.Context
}

func ordDec(db *models.DB, s string) any {
	d := decimal.RequireFromString(s)
	if db.DialectName() == models.DialectSQLite {
		return d.Shift(2).IntPart()
	}
	return d.StringFixed(2)
}

func ordBool(db *models.DB, b bool) any {
	if db.DialectName() == models.DialectSQLite {
		if b {
			return 1
		}
		return 0
	}
	return b
}

func (f *ordFix) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.db.ExecContext(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// newOrdFix seeds two partners and three products in a category tree.
func newOrdFix(t *testing.T, db *models.DB, opts engine.Options) *ordFix {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return ordNow }
	}
	if opts.Products == nil {
		reg := models.NewRegistry(db, dbtest.Logger(t))
		reg.MustRegister(models.Builtin()...)
		opts.Products = engine.RegistryProducts{Registry: reg}
	}
	f := &ordFix{t: t, db: db, svc: engine.New(db, opts, dbtest.Logger(t)), ctx: context.Background()}
	f.exec("INSERT INTO res_partner (id, name) VALUES (?, 'Alice'), (?, 'Bob')", ordAlice, ordBob)
	f.exec("INSERT INTO product_category (id, name, parent_id) VALUES (?, 'All', NULL)", ordCatAll)
	f.exec("INSERT INTO product_category (id, name, parent_id) VALUES (?, 'Drinks', ?)", ordCatDrinks, ordCatAll)
	f.exec("INSERT INTO product_category (id, name, parent_id) VALUES (?, 'Hot', ?)", ordCatHot, ordCatDrinks)
	f.exec("INSERT INTO product_product (id, name, categ_id, list_price) VALUES (?, 'Coffee', ?, ?)", ordCoffee, ordCatHot, ordDec(db, "3"))
	f.exec("INSERT INTO product_product (id, name, categ_id, list_price) VALUES (?, 'Bread', ?, ?)", ordBread, ordCatAll, ordDec(db, "6"))
	f.exec("INSERT INTO product_product (id, name, categ_id, list_price, type) VALUES (?, 'Discount', ?, 0, 'service')", ordDiscount, ordCatAll)
	return f
}

// program inserts a program.
func (f *ordFix) program(id int64, typ, appliesOn string, tier int64, primary bool, extra ...string) {
	f.t.Helper()
	var tierArg any
	if tier != 0 {
		tierArg = tier
	}
	f.exec(`INSERT INTO promotion_programs (id, name, program_type, applies_on, membership_product_id, is_primary_loyalty)
		VALUES (?, ?, ?, ?, ?, ?)`, id, fmt.Sprintf("Program %d", id), typ, appliesOn, tierArg, ordBool(f.db, primary))
	for _, set := range extra {
		f.exec("UPDATE promotion_programs SET "+set+" WHERE id = ?", id)
	}
}

var ordRuleID int64

// rule inserts a rule; set are extra "column = value" assignments.
func (f *ordFix) rule(program int64, mode, amount string, products []int64, set ...string) int64 {
	f.t.Helper()
	var id int64
	err := f.db.QueryRowContext(f.ctx, `INSERT INTO promotion_rules (program_id, reward_point_mode, reward_point_amount)
		VALUES (?, ?, ?) RETURNING id`, program, mode, ordDec(f.db, amount)).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range products {
		f.exec("INSERT INTO promotion_rule_product_rel (rule_id, product_id) VALUES (?, ?)", id, p)
	}
	for _, s := range set {
		f.exec("UPDATE promotion_rules SET "+s+" WHERE id = ?", id)
	}
	return id
}

func (f *ordFix) process(o engine.Order) engine.OrderResult {
	f.t.Helper()
	res, err := f.svc.ProcessOrder(f.ctx, nil, o)
	if err != nil {
		f.t.Fatalf("ProcessOrder %s/%d: %v", o.Model, o.ID, err)
	}
	return res
}

// card returns the partner's card of program (0: none).
func (f *ordFix) card(partner, program int64) int64 {
	f.t.Helper()
	var id int64
	_ = f.db.QueryRowContext(f.ctx, "SELECT id FROM loyalty_cards WHERE partner_id = ? AND program_id = ? ORDER BY id LIMIT 1",
		partner, program).Scan(&id)
	return id
}

func (f *ordFix) points(card int64) decimal.Decimal {
	f.t.Helper()
	st, err := f.svc.Card(f.ctx, f.db, card)
	if err != nil {
		f.t.Fatalf("Card %d: %v", card, err)
	}
	return st.Points
}

func (f *ordFix) check(cards ...int64) {
	f.t.Helper()
	for _, c := range cards {
		if err := engine.CheckInvariants(f.ctx, f.db, c); err != nil {
			f.t.Errorf("invariants: %v", err)
		}
	}
}

// newCard creates a card of program for partner holding points (an earn).
func (f *ordFix) newCard(partner, program int64, points string) int64 {
	f.t.Helper()
	var id int64
	err := f.db.QueryRowContext(f.ctx, `INSERT INTO loyalty_cards (program_id, partner_id, code, points)
		VALUES (?, ?, ?, 0) RETURNING id`, program, partner, models.NewCardCode()).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	err = f.svc.InTx(f.ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := f.svc.Earn(ctx, tx, engine.Movement{Card: id, Points: decimal.RequireFromString(points),
			Key: fmt.Sprintf("seed/%d", id), Origin: "seed"})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func dd(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ordLine(product int64, qty, incl, excl string) engine.OrderLine {
	return engine.OrderLine{Product: product, Qty: dd(qty), PriceIncl: dd(incl), PriceExcl: dd(excl)}
}

func wantPoints(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dd(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// loyalty adds the plain loyalty program: both, amount points per currency
// on any product.
func (f *ordFix) loyalty(amount string) {
	f.program(ordLoyalty, "loyalty", "both", 0, false)
	f.rule(ordLoyalty, "money", amount, nil)
}

func TestProcessOrderEarnsByRules(t *testing.T) {
	ex1 := []engine.OrderLine{ordLine(ordCoffee, "2", "22.00", "20.00"), ordLine(ordBread, "1", "5.55", "5.05")}
	tests := []struct {
		name    string
		setup   func(f *ordFix)
		order   engine.Order
		program int64  // the program whose card Alice should get
		want    string // "": no card at all
	}{
		{name: "money on any product",
			setup: func(f *ordFix) { f.loyalty("1") },
			order: engine.Order{Lines: ex1}, program: ordLoyalty, want: "27.55"},
		{name: "Ex 1 POS: half-up",
			setup: func(f *ordFix) { f.loyalty("0.1") },
			order: engine.Order{Lines: ex1}, program: ordLoyalty, want: "2.76"},
		{name: "Ex 1 sale: down",
			setup: func(f *ordFix) { f.loyalty("0.1") },
			order: engine.Order{Model: "sale.order", Channel: engine.ChannelSale, Lines: ex1}, program: ordLoyalty, want: "2.75"},
		{name: "category child_of plus product_domain",
			setup: func(f *ordFix) {
				f.program(ordLoyalty, "loyalty", "both", 0, false)
				f.rule(ordLoyalty, "unit", "1", nil, fmt.Sprintf("product_category_id = %d", ordCatDrinks))
				f.rule(ordLoyalty, "unit", "10", nil, "product_domain = '[(''list_price'', ''>='', 5)]'")
			},
			order: engine.Order{Lines: ex1}, program: ordLoyalty, want: "12"},
		{name: "Ex 2 incl: 52.80 reaches 50",
			setup: func(f *ordFix) {
				f.program(ordLoyalty, "loyalty", "both", 0, false)
				f.rule(ordLoyalty, "order", "1", nil, "minimum_amount = "+fmt.Sprint(ordDec(f.db, "50")), "minimum_qty = 0")
			},
			order: engine.Order{Lines: []engine.OrderLine{ordLine(ordBread, "1", "52.80", "48.00")}}, program: ordLoyalty, want: "1"},
		{name: "Ex 2 excl: 48 does not reach 50, no card",
			setup: func(f *ordFix) {
				f.program(ordLoyalty, "loyalty", "both", 0, false)
				f.rule(ordLoyalty, "order", "1", nil, "minimum_amount = "+fmt.Sprint(ordDec(f.db, "50")), "minimum_qty = 0",
					"minimum_amount_tax_mode = 'excl'")
			},
			order: engine.Order{Lines: []engine.OrderLine{ordLine(ordBread, "1", "52.80", "48.00")}}, program: ordLoyalty},
		{name: "with_code rule needs its code",
			setup: func(f *ordFix) {
				f.program(ordLoyalty, "loyalty", "both", 0, false)
				f.rule(ordLoyalty, "order", "7", nil, "mode = 'with_code'", "code = 'SPRING'")
			},
			order: engine.Order{Lines: ex1}, program: ordLoyalty},
		{name: "with_code rule with its code",
			setup: func(f *ordFix) {
				f.program(ordLoyalty, "loyalty", "both", 0, false)
				f.rule(ordLoyalty, "order", "7", nil, "mode = 'with_code'", "code = 'SPRING'")
			},
			order: engine.Order{Lines: ex1, Codes: []string{"SPRING"}}, program: ordLoyalty, want: "7"},
		{name: "tier snapshot from the partner: bronze program",
			setup: func(f *ordFix) {
				f.program(ordBronzeProg, "loyalty", "both", ordBronze, true)
				f.rule(ordBronzeProg, "money", "1", nil)
				f.program(ordSilverProg, "loyalty", "both", ordSilver, true)
				f.rule(ordSilverProg, "money", "2", nil)
				f.exec("UPDATE res_partner SET membership_product_id = ? WHERE id = ?", ordBronze, ordAlice)
			},
			order: engine.Order{Lines: ex1}, program: ordBronzeProg, want: "27.55"},
		{name: "tier snapshot on the order wins: silver program",
			setup: func(f *ordFix) {
				f.program(ordBronzeProg, "loyalty", "both", ordBronze, true)
				f.rule(ordBronzeProg, "money", "1", nil)
				f.program(ordSilverProg, "loyalty", "both", ordSilver, true)
				f.rule(ordSilverProg, "money", "2", nil)
				f.exec("UPDATE res_partner SET membership_product_id = ? WHERE id = ?", ordBronze, ordAlice)
			},
			order: engine.Order{Lines: ex1, Tier: ordSilver}, program: ordSilverProg, want: "55.10"},
		{name: "no tier: tier programs do not apply",
			setup: func(f *ordFix) {
				f.program(ordBronzeProg, "loyalty", "both", ordBronze, true)
				f.rule(ordBronzeProg, "money", "1", nil)
			},
			order: engine.Order{Lines: ex1}, program: ordBronzeProg},
		{name: "program ended the day before",
			setup: func(f *ordFix) {
				f.loyalty("1")
				f.exec("UPDATE promotion_programs SET date_to = '2026-03-14' WHERE id = ?", ordLoyalty)
			},
			order: engine.Order{Lines: ex1}, program: ordLoyalty},
		{name: "program ending that day",
			setup: func(f *ordFix) {
				f.loyalty("1")
				f.exec("UPDATE promotion_programs SET date_to = '2026-03-15' WHERE id = ?", ordLoyalty)
			},
			order: engine.Order{Lines: ex1}, program: ordLoyalty, want: "27.55"},
		{name: "archived program",
			setup: func(f *ordFix) {
				f.loyalty("1")
				f.exec("UPDATE promotion_programs SET active = ? WHERE id = ?", ordBool(f.db, false), ordLoyalty)
			},
			order: engine.Order{Lines: ex1}, program: ordLoyalty},
		{name: "refund lines earn nothing",
			setup: func(f *ordFix) { f.loyalty("1") },
			order: engine.Order{Lines: []engine.OrderLine{{Product: ordBread, Qty: dd("-1"), PriceIncl: dd("-5.55"),
				PriceExcl: dd("-5.05"), Refunded: true}}}, program: ordLoyalty},
		{name: "existing card is reused",
			setup: func(f *ordFix) {
				f.loyalty("1")
				f.newCard(ordAlice, ordLoyalty, "100")
			},
			order: engine.Order{Lines: ex1}, program: ordLoyalty, want: "127.55"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *models.DB) {
				t.Parallel()
				f := newOrdFix(t, db, engine.Options{})
				tt.setup(f)
				o := tt.order
				if o.Model == "" {
					o.Model = "pos.order"
				}
				o.ID, o.Name, o.Partner, o.Date = 1, "Shop/0001", ordAlice, ordNow
				res := f.process(o)
				card := f.card(ordAlice, tt.program)
				if tt.want == "" {
					if card != 0 {
						t.Fatalf("a card %d was created (result %+v)", card, res)
					}
					return
				}
				if card == 0 {
					t.Fatalf("no card of program %d (result %+v)", tt.program, res)
				}
				wantPoints(t, "card points", f.points(card), tt.want)
				f.check(card)
			})
		})
	}
}

func TestProcessOrderOnceUnderConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := newOrdFix(t, db, engine.Options{})
		f.loyalty("1")
		card := f.newCard(ordAlice, ordLoyalty, "500")
		o := engine.Order{Model: "pos.order", ID: 42, Name: "Shop/0042", Partner: ordAlice, Date: ordNow,
			Lines:       []engine.OrderLine{ordLine(ordBread, "2", "80.00", "72.73")},
			Redemptions: []engine.Redemption{{Program: ordLoyalty, Points: dd("100")}}}
		const n = 20
		results := make([]engine.OrderResult, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = f.svc.ProcessOrder(f.ctx, nil, o)
			}()
		}
		wg.Wait()
		first := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			if !results[i].Replayed {
				first++
			}
			if len(results[i].Cards) != 1 || !results[i].Cards[0].Balance.Equal(dd("480")) {
				t.Errorf("call %d: cards %+v, want one card at 480", i, results[i].Cards)
			}
		}
		if first != 1 {
			t.Errorf("%d calls booked the order, want 1", first)
		}
		wantPoints(t, "card points", f.points(card), "480")
		var orders, ops int
		if err := db.QueryRowContext(f.ctx, "SELECT COUNT(*) FROM loyalty_orders").Scan(&orders); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(f.ctx, "SELECT COUNT(*) FROM point_operations WHERE idem_key LIKE 'pos.order/42/%'").Scan(&ops); err != nil {
			t.Fatal(err)
		}
		if orders != 1 || ops != 2 {
			t.Errorf("%d order rows and %d operations, want 1 and 2 (earn, redeem)", orders, ops)
		}
		f.check(card)
	})
}

func TestProcessOrderRefundRestores(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := newOrdFix(t, db, engine.Options{})
		f.loyalty("1")
		card := f.newCard(ordAlice, ordLoyalty, "500")
		sale := f.process(engine.Order{Model: "pos.order", ID: 1, Name: "Shop/0001", Partner: ordAlice, Date: ordNow,
			Lines:       []engine.OrderLine{ordLine(ordBread, "2", "80.00", "72.73")},
			Redemptions: []engine.Redemption{{Card: card, Points: dd("300")}}})
		if len(sale.Cards) != 1 || !sale.Cards[0].Balance.Equal(dd("280")) {
			t.Fatalf("sale: cards %+v, want balance 280", sale.Cards)
		}
		refund := engine.Order{Model: "pos.order", ID: 2, Name: "Shop/0002 REFUND", Partner: ordAlice,
			Date: ordNow.Add(time.Hour), RefundOf: 1,
			Lines: []engine.OrderLine{{Product: ordBread, Qty: dd("-2"), PriceIncl: dd("-80.00"), PriceExcl: dd("-72.73"),
				Refunded: true}}}
		res := f.process(refund)
		if len(res.Cards) != 1 {
			t.Fatalf("refund: cards %+v, want one", res.Cards)
		}
		c := res.Cards[0]
		wantPoints(t, "balance after refund", c.Balance, "500")
		wantPoints(t, "earned (taken back)", c.Earned, "-80")
		wantPoints(t, "spent (given back)", c.Spent, "-300")
		wantPoints(t, "card points", f.points(card), "500")
		again := f.process(refund)
		if !again.Replayed {
			t.Error("the refund processed twice was not a replay")
		}
		wantPoints(t, "card points after a replayed refund", f.points(card), "500")
		f.check(card)
	})
}

func TestProcessOrderTierUpgradeTransfers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := newOrdFix(t, db, engine.Options{TierWindow: 365 * 24 * time.Hour})
		f.program(ordBronzeProg, "loyalty", "both", ordBronze, true)
		f.rule(ordBronzeProg, "money", "1", nil)
		f.program(ordSilverProg, "loyalty", "both", ordSilver, true)
		f.rule(ordSilverProg, "money", "2", nil)
		f.exec(`INSERT INTO membership_levels (name, membership_product_id, sequence, min_spending) VALUES
			('Bronze', ?, 10, ?), ('Silver', ?, 20, ?)`, ordBronze, ordDec(db, "0"), ordSilver, ordDec(db, "1000"))
		// An old order outside the window does not count.
		f.exec(`INSERT INTO loyalty_orders (model, order_id, partner_id, date_order, amount_total, result)
			VALUES ('pos.order', 999, ?, ?, ?, '{}')`, ordAlice, ordTime(db, ordNow.AddDate(-2, 0, 0)), ordDec(db, "5000"))

		first := f.process(engine.Order{Model: "pos.order", ID: 1, Name: "Shop/0001", Partner: ordAlice, Date: ordNow,
			Lines: []engine.OrderLine{ordLine(ordBread, "1", "600.00", "545.45")}})
		if first.Tier == nil || first.Tier.From != 0 || first.Tier.To != ordBronze {
			t.Fatalf("first order: tier change %+v, want none -> bronze", first.Tier)
		}
		bronzeCard := f.card(ordAlice, ordBronzeProg)
		// No tier yet when the first order was taken: no tier program earned.
		wantPoints(t, "bronze card after the first order", f.points(bronzeCard), "0")

		second := f.process(engine.Order{Model: "pos.order", ID: 2, Name: "Shop/0002", Partner: ordAlice, Date: ordNow,
			Lines: []engine.OrderLine{ordLine(ordBread, "1", "300.00", "272.73")}})
		if second.Tier != nil {
			t.Fatalf("second order: tier change %+v, want none (900 < 1000)", second.Tier)
		}
		wantPoints(t, "bronze card", f.points(bronzeCard), "300")

		third := f.process(engine.Order{Model: "pos.order", ID: 3, Name: "Shop/0003", Partner: ordAlice, Date: ordNow,
			Lines: []engine.OrderLine{ordLine(ordBread, "1", "200.00", "181.82")}})
		if third.Tier == nil || third.Tier.From != ordBronze || third.Tier.To != ordSilver {
			t.Fatalf("third order: tier change %+v, want bronze -> silver", third.Tier)
		}
		silverCard := f.card(ordAlice, ordSilverProg)
		if silverCard == 0 {
			t.Fatal("no silver card")
		}
		// 300 + 200 earned on bronze (the order's snapshot), then moved.
		wantPoints(t, "bronze card after the upgrade", f.points(bronzeCard), "0")
		wantPoints(t, "silver card after the upgrade", f.points(silverCard), "500")
		var tier int64
		if err := db.QueryRowContext(f.ctx, "SELECT membership_product_id FROM res_partner WHERE id = ?", ordAlice).Scan(&tier); err != nil {
			t.Fatal(err)
		}
		if tier != ordSilver {
			t.Errorf("partner tier %d, want silver", tier)
		}
		f.check(bronzeCard, silverCard)

		// Next order earns under silver, on the silver card.
		f.process(engine.Order{Model: "pos.order", ID: 4, Name: "Shop/0004", Partner: ordAlice, Date: ordNow,
			Lines: []engine.OrderLine{ordLine(ordBread, "1", "10.00", "9.09")}})
		wantPoints(t, "silver card after a silver order", f.points(silverCard), "520")
		f.check(bronzeCard, silverCard)
	})
}

func ordTime(db *models.DB, t time.Time) any {
	if db.DialectName() == models.DialectSQLite {
		return t.UTC().Format(models.DatetimeLayout)
	}
	return t.UTC()
}

// Ex 5 of the domain spec: balance 1,250; an 80.00 order with a 50.00
// discount of the same program costing 1,000 points and earning 80 (its own
// discount line does not reduce the earning): 330.
func TestProcessOrderSpecEx5(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := newOrdFix(t, db, engine.Options{})
		f.loyalty("1")
		card := f.newCard(ordAlice, ordLoyalty, "1250")
		res := f.process(engine.Order{Model: "pos.order", ID: 5, Name: "Shop/0005", Partner: ordAlice, Date: ordNow,
			Lines: []engine.OrderLine{
				ordLine(ordBread, "1", "80.00", "72.73"),
				{Product: ordDiscount, Qty: dd("1"), PriceIncl: dd("-50.00"), PriceExcl: dd("-50.00"), RewardProgram: ordLoyalty},
			},
			Redemptions: []engine.Redemption{{Card: card, Points: dd("1000")}}})
		if len(res.Cards) != 1 {
			t.Fatalf("cards %+v, want one", res.Cards)
		}
		c := res.Cards[0]
		wantPoints(t, "earned", c.Earned, "80")
		wantPoints(t, "spent", c.Spent, "1000")
		wantPoints(t, "balance", c.Balance, "330")
		wantPoints(t, "card points", f.points(card), "330")
		f.check(card)
	})
}

func TestProcessOrderRedemptionDebtAndRefusal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := newOrdFix(t, db, engine.Options{})
		f.loyalty("1")
		card := f.newCard(ordAlice, ordLoyalty, "100")
		o := engine.Order{Model: "pos.order", ID: 7, Name: "Shop/0007", Partner: ordAlice, Date: ordNow,
			Lines:       []engine.OrderLine{ordLine(ordBread, "1", "10.00", "9.09")},
			Redemptions: []engine.Redemption{{Program: ordLoyalty, Points: dd("150")}}}
		_, err := f.svc.ProcessOrder(f.ctx, nil, o)
		if err == nil {
			t.Fatal("an unpaid order overspending the card was booked")
		}
		wantPoints(t, "card points after the refusal", f.points(card), "100")
		var orders int
		if err := db.QueryRowContext(f.ctx, "SELECT COUNT(*) FROM loyalty_orders").Scan(&orders); err != nil {
			t.Fatal(err)
		}
		if orders != 0 {
			t.Errorf("%d order rows after a refused order, want 0", orders)
		}
		// Already paid (an offline order synced late): the shortfall is debt.
		o.Paid = true
		res := f.process(o)
		if len(res.Cards) != 1 {
			t.Fatalf("cards %+v, want one", res.Cards)
		}
		wantPoints(t, "balance", res.Cards[0].Balance, "-40")
		wantPoints(t, "debt", res.Cards[0].Debt, "40")
		f.check(card)
	})
}

func TestProcessOrderAnonymous(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := newOrdFix(t, db, engine.Options{})
		f.loyalty("1")
		res := f.process(engine.Order{Model: "pos.order", ID: 8, Name: "Shop/0008", Date: ordNow,
			Lines: []engine.OrderLine{ordLine(ordBread, "1", "10.00", "9.09")}})
		if len(res.Cards) != 0 || res.Tier != nil {
			t.Errorf("anonymous order: %+v, want nothing booked", res)
		}
		var cards int
		if err := db.QueryRowContext(f.ctx, "SELECT COUNT(*) FROM loyalty_cards").Scan(&cards); err != nil {
			t.Fatal(err)
		}
		if cards != 0 {
			t.Errorf("%d cards, want 0", cards)
		}
		if _, err := f.svc.ProcessOrder(f.ctx, nil, engine.Order{Model: "pos.order", Partner: 12345, ID: 9}); err == nil {
			t.Error("an order of an unknown partner was booked")
		}
		if _, err := f.svc.ProcessOrder(f.ctx, nil, engine.Order{Model: "pos.order"}); err == nil {
			t.Error("an order without id was booked")
		}
	})
}

// A refund that takes the customer back under a threshold downgrades them
// and moves the lots back; the customer's total is what the two orders
// left.
func TestProcessOrderRefundDowngrades(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := newOrdFix(t, db, engine.Options{})
		f.program(ordBronzeProg, "loyalty", "both", ordBronze, true)
		f.rule(ordBronzeProg, "money", "1", nil)
		f.program(ordSilverProg, "loyalty", "both", ordSilver, true)
		f.rule(ordSilverProg, "money", "1", nil)
		f.exec(`INSERT INTO membership_levels (name, membership_product_id, sequence, min_spending) VALUES
			('Bronze', ?, 10, ?), ('Silver', ?, 20, ?)`, ordBronze, ordDec(db, "0"), ordSilver, ordDec(db, "1000"))
		f.exec("UPDATE res_partner SET membership_product_id = ? WHERE id = ?", ordBronze, ordAlice)
		f.process(engine.Order{Model: "pos.order", ID: 1, Name: "Shop/0001", Partner: ordAlice, Date: ordNow,
			Lines: []engine.OrderLine{ordLine(ordBread, "1", "700.00", "636.36")}})
		up := f.process(engine.Order{Model: "pos.order", ID: 2, Name: "Shop/0002", Partner: ordAlice, Date: ordNow,
			Lines: []engine.OrderLine{ordLine(ordBread, "1", "400.00", "363.64")}})
		if up.Tier == nil || up.Tier.To != ordSilver {
			t.Fatalf("tier change %+v, want bronze -> silver", up.Tier)
		}
		bronzeCard, silverCard := f.card(ordAlice, ordBronzeProg), f.card(ordAlice, ordSilverProg)
		wantPoints(t, "silver card", f.points(silverCard), "1100")
		down := f.process(engine.Order{Model: "pos.order", ID: 3, Name: "Shop/0003", Partner: ordAlice, Date: ordNow,
			RefundOf: 2, Lines: []engine.OrderLine{{Product: ordBread, Qty: dd("-1"), PriceIncl: dd("-400.00"),
				PriceExcl: dd("-363.64"), Refunded: true}}})
		if down.Tier == nil || down.Tier.From != ordSilver || down.Tier.To != ordBronze {
			t.Fatalf("refund: tier change %+v, want silver -> bronze", down.Tier)
		}
		total := f.points(bronzeCard).Add(f.points(silverCard))
		wantPoints(t, "customer's points after the refund", total, "700")
		wantPoints(t, "silver card after the downgrade", f.points(silverCard), "0")
		f.check(bronzeCard, silverCard)
	})
}

// Usage limits count the orders that used a program's rewards (Odoo's
// total_order_count), overall and per customer.
func TestProcessOrderUsageLimits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		f := newOrdFix(t, db, engine.Options{})
		f.loyalty("1")
		f.exec("UPDATE promotion_programs SET limit_per_customer = ?, max_usage_per_customer = 1 WHERE id = ?",
			ordBool(db, true), ordLoyalty)
		alice := f.newCard(ordAlice, ordLoyalty, "500")
		order := func(id, partner int64, redeem bool) {
			o := engine.Order{Model: "pos.order", ID: id, Name: fmt.Sprintf("Shop/%04d", id), Partner: partner, Date: ordNow,
				Lines: []engine.OrderLine{ordLine(ordBread, "1", "10.00", "9.09")}}
			if redeem {
				o.Redemptions = []engine.Redemption{{Program: ordLoyalty, Points: dd("100")}}
			}
			f.process(o)
		}
		order(1, ordAlice, false) // earns, uses no reward
		wantPoints(t, "Alice after an order without reward", f.points(alice), "510")
		order(2, ordAlice, true) // earns and uses a reward: her one use
		wantPoints(t, "Alice after her first use", f.points(alice), "420")
		order(3, ordAlice, false) // the program no longer applies to her
		wantPoints(t, "Alice over her limit", f.points(alice), "420")
		order(4, ordBob, false) // Bob has his own count
		wantPoints(t, "Bob", f.points(f.card(ordBob, ordLoyalty)), "10")
		f.exec("UPDATE promotion_programs SET limit_usage = ?, max_usage = 1 WHERE id = ?", ordBool(db, true), ordLoyalty)
		order(5, ordBob, false) // one order used the program overall: the limit is reached
		wantPoints(t, "Bob over the program's limit", f.points(f.card(ordBob, ordLoyalty)), "10")
		f.check(alice, f.card(ordBob, ordLoyalty))
	})
}
