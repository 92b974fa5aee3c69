package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine/rules"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// Channel is where an order comes from; it decides the rounding of money
// points (POS: half-up to 0.01; sales: down to 0.01).
type Channel string

// The channels.
const (
	ChannelPOS  Channel = "pos"
	ChannelSale Channel = "sale"
)

// Order is one order handed to ProcessOrder: who bought what, at which
// tier, and which cards it spends.
type Order struct {
	Model       string       // "pos.order" or "sale.order"
	ID          int64        // the order's id in Model (Odoo's id with an upstream); required
	Name        string       // "Shop/0001": the journal's origin
	Partner     int64        // res.partner id; 0: anonymous (earns nothing on nominative programs)
	Date        time.Time    // date_order; zero: now
	Channel     Channel      // default ChannelPOS
	Tier        int64        // membership product snapshot taken when the order was created; 0: the partner's current
	Lines       []OrderLine  //
	Redemptions []Redemption // points spent on this order's rewards
	Codes       []string     // rule codes activated on the order (with_code rules)
	RefundOf    int64        // the refunded order's ID (same Model): this order reverses what that one did
	Paid        bool         // already paid (an offline order synced late): overspending becomes debt, never a refusal
}

// OrderLine is one order line, amounts in the order currency.
type OrderLine struct {
	Product       int64
	Qty           decimal.Decimal
	PriceIncl     decimal.Decimal // line total tax included (price_subtotal_incl)
	PriceExcl     decimal.Decimal // line total tax excluded (price_subtotal)
	RewardProgram int64           // for a reward line: the program of the reward (0: not a reward line)
	RewardProduct int64           // a free product reward line: the product given (0: a discount line; inferred from the program's product rewards when unset)
	Refunded      bool            // a refund line (refunded_orderline_id set)
}

// Redemption spends points of one card (or the customer's card of one
// program) on this order.
type Redemption struct {
	Card    int64 // loyalty_cards.id; 0: the partner's card of Program
	Program int64
	Points  decimal.Decimal // > 0
}

// CardChange is what an order did to one card.
type CardChange struct {
	Card    int64
	Program int64
	Earned  decimal.Decimal
	Spent   decimal.Decimal
	Balance decimal.Decimal // after the order
	Debt    decimal.Decimal
}

// TierChange is a customer's tier move decided after an order.
type TierChange struct {
	Partner  int64
	From, To int64 // membership products
}

// OrderResult is what ProcessOrder did (or, replayed, what its first run did).
type OrderResult struct {
	Cards    []CardChange
	Entries  []Entry
	Tier     *TierChange // nil: no tier change
	Replayed bool
}

// ProcessOrder books an order in one transaction: the points its lines
// earn under the programs of the order's tier (Odoo's rules), the
// redemptions, the refund of RefundOf when set, then the customer's tier
// evaluation (a change transfers the active lots to the new tier's card).
// The same order (Model, ID) processed again returns the first result.
//
// In order:
//
//  1. the order is inserted into loyalty_orders (INSERT ... ON CONFLICT DO
//     NOTHING): a row already there, or a concurrent duplicate that
//     committed first (PostgreSQL makes this one wait on the unique index),
//     means the stored first result is returned with Replayed;
//  2. the customer's res_partner row is then locked (PostgreSQL), which
//     serialises the orders of one customer (card creation, tiers);
//  3. a refund reverses every earn and redeem of the refunded order (keys
//     "<model>/<refund id>/reverse/<original key>"), latest first;
//  4. every applicable program (rules.Applicable against the tier
//     snapshot: o.Tier, else the partner's membership product) computes its
//     points (rules.Compute); a nominative program's points are earned on
//     the partner's card, created when missing (key
//     "<model>/<id>/earn/<card>");
//  5. the redemptions are booked per card (key "<model>/<id>/redeem/<card>",
//     overspending becomes debt when the order is Paid);
//  6. the programs whose rewards the order used (reward lines, cards spent
//     from) are recorded for the usage limits (not for a refund);
//  7. the tier is evaluated on the partner's net spending (rules.EvaluateTier
//     over loyalty_orders, Options.TierWindow back from the order's date, 0:
//     lifetime); a change updates res_partner.membership_product_id and
//     transfers the old tier card's lots to the new tier's primary program
//     card (key "<model>/<id>/tier/<old card>").
//
// Non-nominative programs (promotions, coupons, gift cards) are evaluated
// but book nothing here: their cards come from the POS confirmation.
func (s *Service) ProcessOrder(ctx context.Context, tx bun.IDB, o Order) (OrderResult, error) {
	if tx == nil {
		var res OrderResult
		err := s.InTx(ctx, func(ctx context.Context, tx bun.IDB) error {
			var err error
			res, err = s.ProcessOrder(ctx, tx, o)
			return err
		})
		return res, err
	}
	if o.Channel == "" {
		o.Channel = ChannelPOS
	}
	p, err := s.newOrderRun(ctx, tx, o)
	if err != nil {
		return OrderResult{}, err
	}
	for _, r := range o.Redemptions {
		if r.Points.Sign() <= 0 {
			return OrderResult{}, models.ValidationErrorf("The points of a redemption must be positive.")
		}
	}
	return p.process()
}

// RecordSpending books an order whose points were booked elsewhere (a POS
// confirmation: the browser computed them, the POS methods booked them)
// for the tier evaluation: its amount (the sum of the lines' PriceIncl,
// negative for a refund) joins the customer's spending, then the tier is
// evaluated as after ProcessOrder, a change transferring the active lots.
// The same order (Model, ID) again returns the first result.
func (s *Service) RecordSpending(ctx context.Context, tx bun.IDB, o Order) (OrderResult, error) {
	p, err := s.newOrderRun(ctx, tx, o)
	if err != nil {
		return OrderResult{}, err
	}
	current, replay, err := p.begin()
	if err != nil || replay != nil {
		return orResult(replay, err)
	}
	return p.finish(current)
}

// newOrderRun checks an order's identity and normalises its date.
func (s *Service) newOrderRun(ctx context.Context, tx bun.IDB, o Order) (*orderRun, error) {
	if strings.TrimSpace(o.Model) == "" || o.ID == 0 {
		return nil, models.ValidationErrorf("An order needs a model and an id.")
	}
	if o.Date.IsZero() {
		o.Date = s.now()
	}
	o.Date = o.Date.UTC().Truncate(time.Second)
	return &orderRun{s: s, ctx: ctx, tx: tx, lite: isLite(tx), o: o, cards: map[int64]*CardChange{}}, nil
}

// orResult is a replayed result, or the error.
func orResult(replay *OrderResult, err error) (OrderResult, error) {
	if err != nil {
		return OrderResult{}, err
	}
	return *replay, nil
}

// orderRun is one ProcessOrder call.
type orderRun struct {
	s     *Service
	ctx   context.Context
	tx    bun.IDB
	lite  bool
	o     Order
	row   int64 // loyalty_orders.id
	tier  int64 // the tier snapshot the order earns under
	res   OrderResult
	cards map[int64]*CardChange
	order []int64 // cards in result order
}

func (p *orderRun) key(parts ...string) string {
	return p.o.Model + "/" + strconv.FormatInt(p.o.ID, 10) + "/" + strings.Join(parts, "/")
}

// begin anchors the order (its tier snapshot: o.Tier or the customer's
// tier) and locks the customer; an order already booked returns its first
// result as replay. current is the customer's tier under the lock.
func (p *orderRun) begin() (current int64, replay *OrderResult, err error) {
	if current, err = p.partnerTier(false); err != nil {
		return 0, nil, err
	}
	if p.tier = p.o.Tier; p.tier == 0 {
		p.tier = current
	}
	inserted, err := p.insert()
	if err != nil {
		return 0, nil, err
	}
	if !inserted {
		res, err := p.stored()
		return 0, &res, err
	}
	if current, err = p.partnerTier(true); err != nil {
		return 0, nil, err
	}
	if p.o.Tier == 0 && current != p.tier {
		// Another order of the customer changed their tier meanwhile: the
		// locked value is the snapshot.
		p.tier = current
		if _, err := p.s.exec(p.ctx, p.tx, "UPDATE loyalty_orders SET tier = ? WHERE id = ?", idArg(p.tier), p.row); err != nil {
			return 0, nil, fmt.Errorf("engine: order tier: %w", err)
		}
	}
	return current, nil, nil
}

func (p *orderRun) process() (OrderResult, error) {
	o := p.o
	current, replay, err := p.begin()
	if err != nil || replay != nil {
		return orResult(replay, err)
	}
	if o.RefundOf != 0 {
		if err := p.refund(); err != nil {
			return OrderResult{}, err
		}
	}
	if err := p.earn(); err != nil {
		return OrderResult{}, err
	}
	if err := p.redeem(); err != nil {
		return OrderResult{}, err
	}
	if o.RefundOf == 0 {
		if err := p.recordUsage(); err != nil {
			return OrderResult{}, err
		}
	}
	return p.finish(current)
}

// finish evaluates the customer's tier after the order's points are
// booked, then stores the result as the order's first answer.
func (p *orderRun) finish(current int64) (OrderResult, error) {
	if p.o.Partner != 0 {
		if err := p.evaluateTier(current); err != nil {
			return OrderResult{}, err
		}
	}
	for _, id := range p.order {
		p.res.Cards = append(p.res.Cards, *p.cards[id])
	}
	blob, err := json.Marshal(p.res)
	if err != nil {
		return OrderResult{}, fmt.Errorf("engine: order result: %w", err)
	}
	if _, err := p.s.exec(p.ctx, p.tx, "UPDATE loyalty_orders SET result = ? WHERE id = ?", string(blob), p.row); err != nil {
		return OrderResult{}, fmt.Errorf("engine: store order result: %w", err)
	}
	return p.res, nil
}

// partnerTier returns the customer's membership product, locking their
// row on PostgreSQL when lock is set.
func (p *orderRun) partnerTier(lock bool) (int64, error) {
	if p.o.Partner == 0 {
		return 0, nil
	}
	q := "SELECT membership_product_id FROM res_partner WHERE id = ?"
	if lock && !p.lite {
		q += " FOR UPDATE"
	}
	var tier int64
	err := p.s.queryRow(p.ctx, p.tx, q, []any{p.o.Partner}, nullID{&tier})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, models.MissingErrorf("Record does not exist or has been deleted.\n(Record: res.partner(%d,), User: 1)", p.o.Partner)
	}
	if err != nil {
		return 0, fmt.Errorf("engine: order partner: %w", err)
	}
	return tier, nil
}

// insert anchors the order; false: it was there already.
func (p *orderRun) insert() (bool, error) {
	o := p.o
	total := decimal.Zero
	for _, l := range o.Lines {
		total = total.Add(l.PriceIncl)
	}
	if o.RefundOf != 0 && total.Sign() > 0 {
		total = total.Neg() // a refund lowers the spending, whatever sign its lines were given
	}
	inserted := false
	err := p.s.query(p.ctx, p.tx, `INSERT INTO loyalty_orders
		(model, order_id, name, partner_id, date_order, amount_total, tier, refund_of, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, order_id) DO NOTHING RETURNING id`,
		[]any{o.Model, o.ID, o.Name, idArg(o.Partner), timeArg(p.lite, o.Date), decArg(p.lite, total), idArg(p.tier),
			idArg(o.RefundOf), timeArg(p.lite, p.s.now())}, func(r *sql.Rows) error {
			inserted = true
			return r.Scan(&p.row)
		})
	if err != nil {
		return false, fmt.Errorf("engine: insert order: %w", err)
	}
	return inserted, nil
}

// stored returns the first result of an order already booked.
func (p *orderRun) stored() (OrderResult, error) {
	var blob sql.NullString
	err := p.s.queryRow(p.ctx, p.tx, "SELECT result FROM loyalty_orders WHERE model = ? AND order_id = ?",
		[]any{p.o.Model, p.o.ID}, &blob)
	if err != nil {
		return OrderResult{}, fmt.Errorf("engine: read order result: %w", err)
	}
	if !blob.Valid {
		return OrderResult{}, fmt.Errorf("engine: order %s/%d has no stored result", p.o.Model, p.o.ID)
	}
	var res OrderResult
	if err := json.Unmarshal([]byte(blob.String), &res); err != nil {
		return OrderResult{}, fmt.Errorf("engine: order %s/%d: stored result: %w", p.o.Model, p.o.ID, err)
	}
	res.Replayed = true
	return res, nil
}

// change returns the card's entry in the result.
func (p *orderRun) change(card, program int64) *CardChange {
	c := p.cards[card]
	if c == nil {
		c = &CardChange{Card: card, Program: program}
		p.cards[card] = c
		p.order = append(p.order, card)
	}
	if c.Program == 0 {
		c.Program = program
	}
	return c
}

// booked folds an operation's result into the order's result.
func (p *orderRun) booked(r Result, program int64) *CardChange {
	c := p.change(r.Card, program)
	c.Balance, c.Debt = r.Balance, r.Debt
	p.res.Entries = append(p.res.Entries, r.Entries...)
	return c
}

// refund reverses the refunded order's earns and redeems, latest first.
func (p *orderRun) refund() error {
	prefix := p.o.Model + "/" + strconv.FormatInt(p.o.RefundOf, 10) + "/"
	type op struct {
		key     string
		program int64
	}
	var ops []op
	err := p.s.query(p.ctx, p.tx, `SELECT o.idem_key, c.program_id FROM point_operations o
		JOIN loyalty_cards c ON c.id = o.loyalty_card_id
		WHERE o.idem_key LIKE ? AND o.reversed_by_id IS NULL ORDER BY o.id DESC`, []any{likePrefix(prefix)},
		func(rows *sql.Rows) error {
			var x op
			if err := rows.Scan(&x.key, nullID{&x.program}); err != nil {
				return err
			}
			rest := strings.TrimPrefix(x.key, prefix)
			if strings.HasPrefix(x.key, prefix) && (strings.HasPrefix(rest, "earn/") || strings.HasPrefix(rest, "redeem/")) {
				ops = append(ops, x)
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("engine: refunded operations: %w", err)
	}
	for _, x := range ops {
		r, err := p.s.Reverse(p.ctx, p.tx, x.key, Movement{Key: p.key("reverse", x.key), Origin: p.o.Name, At: p.o.Date})
		if err != nil {
			return err
		}
		c := p.booked(r, x.program)
		sum := decimal.Zero
		for _, e := range r.Entries {
			sum = sum.Add(e.Amount)
		}
		if strings.HasPrefix(strings.TrimPrefix(x.key, prefix), "earn/") {
			c.Earned = c.Earned.Add(sum)
		} else {
			c.Spent = c.Spent.Sub(sum)
		}
	}
	return nil
}

// likePrefix is a LIKE pattern matching the strings that start with s.
func likePrefix(s string) string {
	r := strings.NewReplacer("%", "_", "\\", "_")
	return r.Replace(s) + "%"
}

// earn computes and books the points of the applicable programs.
func (p *orderRun) earn() error {
	cat, err := p.loadCatalog()
	if err != nil {
		return err
	}
	if len(cat.programs) == 0 {
		return nil
	}
	var limited, limitedCust []int64
	for _, id := range cat.ids {
		if t := cat.programs[id].terms; t.Active && t.LimitUsage {
			limited = append(limited, id)
		}
		if t := cat.programs[id].terms; t.Active && t.LimitPerCustomer && p.o.Partner != 0 {
			limitedCust = append(limitedCust, id)
		}
	}
	usage, err := p.usage(limited, 0)
	if err != nil {
		return err
	}
	custUsage, err := p.usage(limitedCust, p.o.Partner)
	if err != nil {
		return err
	}
	order := rules.Order{Channel: rules.Channel(p.o.Channel), Codes: p.o.Codes}
	for _, l := range p.o.Lines {
		rl := rules.Line{Product: l.Product, Qty: l.Qty, PriceIncl: l.PriceIncl, PriceExcl: l.PriceExcl, Refund: l.Refunded,
			RewardProgram: l.RewardProgram, RewardProduct: l.RewardProduct}
		if rp := cat.programs[l.RewardProgram]; rp != nil {
			rl.RewardProgramType, rl.RewardAuto = rp.Type, rp.trigger == "auto"
			if rl.RewardProduct == 0 && rp.freeProducts[l.Product] {
				rl.RewardProduct = l.Product
			}
		}
		order.Lines = append(order.Lines, rl)
	}
	var applicable []*orderProgram
	for _, id := range cat.ids {
		prog := cat.programs[id]
		ok, _ := rules.Applicable(prog.terms, rules.Context{Channel: rules.Channel(p.o.Channel), Date: p.o.Date,
			Location: p.s.loc, Partner: p.o.Partner, Tier: p.tier, Usage: usage[id], CustomerUsage: custUsage[id]})
		if ok && prog.terms.Nominative && p.o.Partner != 0 {
			applicable = append(applicable, prog)
		}
	}
	matcher, err := p.domains(applicable, order)
	if err != nil {
		return err
	}
	for _, prog := range applicable {
		pts := rules.Compute(prog.Program, order, cat.catalog, matcher)
		if pts.Total.Sign() <= 0 {
			continue
		}
		card, err := p.partnerCard(prog.ID, prog.company, true)
		if err != nil {
			return err
		}
		r, err := p.s.Earn(p.ctx, p.tx, Movement{Card: card, Points: pts.Total, Key: p.key("earn", strconv.FormatInt(card, 10)),
			Origin: p.o.Name, At: p.o.Date})
		if err != nil {
			return err
		}
		c := p.booked(r, prog.ID)
		c.Earned = c.Earned.Add(pts.Total)
	}
	return nil
}

// domains asks the ProductMatcher about every product_domain of the
// programs, for the order's products.
func (p *orderRun) domains(progs []*orderProgram, order rules.Order) (rules.DomainMatcher, error) {
	var products []int64
	for _, l := range order.Lines {
		for _, id := range []int64{l.Product, l.RewardProduct} {
			if id != 0 && !slices.Contains(products, id) {
				products = append(products, id)
			}
		}
	}
	answers := map[string]map[int64]bool{}
	for _, prog := range progs {
		for _, r := range prog.Rules {
			if !r.HasDomain() || answers[r.ProductDomain] != nil || p.s.products == nil {
				continue
			}
			m, err := p.s.products.Match(p.ctx, p.tx, r.ProductDomain, products)
			if err != nil {
				return nil, err
			}
			if m == nil {
				m = map[int64]bool{}
			}
			answers[r.ProductDomain] = m
		}
	}
	return rules.DomainFunc(func(domain string, product int64) bool { return answers[domain][product] }), nil
}

// redeem books the redemptions, one operation per card.
func (p *orderRun) redeem() error {
	type spend struct {
		card, program int64
		points        decimal.Decimal
	}
	var spends []*spend
	byCard := map[int64]*spend{}
	for _, r := range p.o.Redemptions {
		card := r.Card
		if card == 0 {
			if p.o.Partner == 0 {
				return models.ValidationErrorf("A redemption needs a card or a customer.")
			}
			var err error
			if card, err = p.partnerCard(r.Program, 0, false); err != nil {
				return err
			}
			if card == 0 {
				return models.MissingErrorf("The customer has no card of the loyalty program %d.", r.Program)
			}
		}
		if sp := byCard[card]; sp != nil {
			sp.points = sp.points.Add(r.Points)
			continue
		}
		sp := &spend{card: card, program: r.Program, points: r.Points}
		byCard[card] = sp
		spends = append(spends, sp)
	}
	for _, sp := range spends {
		if err := p.s.queryRow(p.ctx, p.tx, "SELECT program_id FROM loyalty_cards WHERE id = ?", []any{sp.card},
			nullID{&sp.program}); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrUnknownCard
			}
			return fmt.Errorf("engine: redemption card: %w", err)
		}
		r, err := p.s.Redeem(p.ctx, p.tx, Movement{Card: sp.card, Points: sp.points,
			Key: p.key("redeem", strconv.FormatInt(sp.card, 10)), Origin: p.o.Name, At: p.o.Date, AllowDebt: p.o.Paid})
		if err != nil {
			return err
		}
		c := p.booked(r, sp.program)
		c.Spent = c.Spent.Add(sp.points)
	}
	return nil
}

// recordUsage records the programs whose rewards the order used: those
// of its reward lines and of the cards it spent from.
func (p *orderRun) recordUsage() error {
	var progs []int64
	add := func(id int64) {
		if id != 0 && !slices.Contains(progs, id) {
			progs = append(progs, id)
		}
	}
	for _, l := range p.o.Lines {
		add(l.RewardProgram)
	}
	for _, id := range p.order {
		if c := p.cards[id]; c.Spent.Sign() > 0 {
			add(c.Program)
		}
	}
	for _, prog := range progs {
		if _, err := p.s.exec(p.ctx, p.tx, `INSERT INTO loyalty_order_programs (order_id, program_id, partner_id)
			VALUES (?, ?, ?) ON CONFLICT (order_id, program_id) DO NOTHING`, p.row, prog, idArg(p.o.Partner)); err != nil {
			return fmt.Errorf("engine: order usage: %w", err)
		}
	}
	return nil
}

// usage counts the orders that used each of programs (those of partner,
// when not 0).
func (p *orderRun) usage(programs []int64, partner int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(programs) == 0 {
		return out, nil
	}
	q := "SELECT program_id, COUNT(*) FROM loyalty_order_programs WHERE " + idsIn(p.lite, "program_id")
	args := []any{idsArg(p.lite, programs)}
	if partner != 0 {
		q += " AND partner_id = ?"
		args = append(args, partner)
	}
	err := p.s.query(p.ctx, p.tx, q+" GROUP BY program_id", args, func(rows *sql.Rows) error {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: program usage: %w", err)
	}
	return out, nil
}

// partnerCard returns the partner's active card of program (the oldest),
// creating it when create is set (0 when it has none and create is not).
func (p *orderRun) partnerCard(program, company int64, create bool) (int64, error) {
	var id int64
	err := p.s.queryRow(p.ctx, p.tx, `SELECT id FROM loyalty_cards
		WHERE program_id = ? AND partner_id = ? AND active ORDER BY id LIMIT 1`, []any{program, p.o.Partner}, &id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		if err != nil {
			return 0, fmt.Errorf("engine: partner card: %w", err)
		}
		return id, nil
	}
	if !create {
		return 0, nil
	}
	if company == 0 {
		company = 1
	}
	if id, ok, err := p.s.NewUpstreamCard(p.ctx, p.tx, CardSpec{Program: program, Partner: p.o.Partner, Company: company}); ok {
		return id, err // Odoo is the id authority (cards.go)
	}
	now := timeArg(p.lite, p.s.now())
	for range 5 {
		found := false
		err := p.s.query(p.ctx, p.tx, `INSERT INTO loyalty_cards
			(program_id, partner_id, code, points, company_id, created_at, updated_at)
			VALUES (?, ?, ?, 0, ?, ?, ?) ON CONFLICT (code) DO NOTHING RETURNING id`,
			[]any{program, p.o.Partner, models.NewCardCode(), company, now, now}, func(r *sql.Rows) error {
				found = true
				return r.Scan(&id)
			})
		if err != nil {
			return 0, fmt.Errorf("engine: create card: %w", err)
		}
		if found {
			return id, nil
		}
	}
	return 0, fmt.Errorf("engine: create card: no free code")
}

// evaluateTier moves the customer to the tier their spending reaches.
func (p *orderRun) evaluateTier(current int64) error {
	levels, err := p.loadLevels()
	if err != nil || len(levels) == 0 {
		return err
	}
	q := "SELECT COALESCE(SUM(amount_total), 0) FROM loyalty_orders WHERE partner_id = ?"
	args := []any{p.o.Partner}
	if p.s.tierWindow > 0 {
		q += " AND date_order > ?"
		args = append(args, timeArg(p.lite, p.o.Date.Add(-p.s.tierWindow)))
	}
	spending := decimal.Zero
	if err := p.s.queryRow(p.ctx, p.tx, q, args, decCol{p.lite, &spending}); err != nil {
		return fmt.Errorf("engine: spending: %w", err)
	}
	target := rules.EvaluateTier(levels, current, spending)
	if target == current {
		return nil
	}
	if _, err := p.s.exec(p.ctx, p.tx, "UPDATE res_partner SET membership_product_id = ?, write_date = ? WHERE id = ?",
		idArg(target), timeArg(p.lite, p.s.now()), p.o.Partner); err != nil {
		return fmt.Errorf("engine: partner tier: %w", err)
	}
	if err := p.s.queueTier(p.ctx, p.tx, p.o.Partner, target); err != nil {
		return err
	}
	p.res.Tier = &TierChange{Partner: p.o.Partner, From: current, To: target}
	newProg, newCompany, err := p.primaryProgram(target)
	if err != nil || newProg == 0 {
		return err
	}
	newCard, err := p.partnerCard(newProg, newCompany, true)
	if err != nil {
		return err
	}
	oldProg, oldCard := int64(0), int64(0)
	if current != 0 {
		if oldProg, _, err = p.primaryProgram(current); err != nil {
			return err
		}
		if oldProg != 0 && oldProg != newProg {
			if oldCard, err = p.partnerCard(oldProg, 0, false); err != nil {
				return err
			}
		}
	}
	if oldCard == 0 {
		// Nothing to move: the result shows the new tier's card as it is.
		st, err := p.s.Card(p.ctx, p.tx, newCard)
		if err != nil {
			return err
		}
		c := p.change(newCard, newProg)
		c.Balance, c.Debt = st.Points, st.Debt
		return nil
	}
	out, in, err := p.s.Transfer(p.ctx, p.tx, oldCard, newCard, target, p.key("tier", strconv.FormatInt(oldCard, 10)),
		p.o.Name, p.o.Date)
	if err != nil {
		return err
	}
	p.booked(out, oldProg)
	p.booked(in, newProg)
	return nil
}

// primaryProgram is the primary loyalty program of a tier (0: none).
func (p *orderRun) primaryProgram(tier int64) (id, company int64, err error) {
	err = p.s.queryRow(p.ctx, p.tx, `SELECT id, company_id FROM promotion_programs
		WHERE membership_product_id = ? AND is_primary_loyalty AND active ORDER BY sequence, id LIMIT 1`, []any{tier},
		&id, nullID{&company})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("engine: primary program: %w", err)
	}
	return id, company, nil
}

// loadLevels reads the membership level path.
func (p *orderRun) loadLevels() ([]rules.Level, error) {
	var out []rules.Level
	err := p.s.query(p.ctx, p.tx, `SELECT membership_product_id, sequence, min_spending, allow_upgrade, allow_downgrade
		FROM membership_levels WHERE active`, nil, func(rows *sql.Rows) error {
		var l rules.Level
		var seq sql.NullInt64
		var up, down sql.NullBool
		if err := rows.Scan(&l.Product, &seq, decCol{p.lite, &l.MinSpending}, &up, &down); err != nil {
			return err
		}
		l.Sequence, l.AllowUpgrade, l.AllowDowngrade = seq.Int64, !up.Valid || up.Bool, !down.Valid || down.Bool
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: membership levels: %w", err)
	}
	return out, nil
}
