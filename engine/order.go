package engine

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
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
func (s *Service) ProcessOrder(ctx context.Context, tx bun.IDB, o Order) (OrderResult, error) {
	return OrderResult{}, errTODO
}
