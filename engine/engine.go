// Package engine is the points engine: a ledger of lots (point_moves) and a
// journal (point_history) per loyalty card, changed only by the operations
// of Service (earn, redeem, expire, reverse, adjust, transfer), each one
// transaction, serialised per card, idempotent by key.
//
// Rules of the ledger (the invariants I1-I12 of the domain spec):
//   - a card's points = the sum of its active lots' remaining points minus
//     its outstanding debt = the balance of its last journal row;
//   - the journal is a per-card chain: seq 1, 2, 3..., balance[n] =
//     balance[n-1] + amount[n];
//   - a lot's remaining points = the sum of the lot_amount of the journal
//     rows that name it, 0 <= remaining <= initial;
//   - redemptions take the lot expiring first, lifetime lots last, ties by
//     gain date then id, never a lot expired at the transaction time;
//   - repeating an operation's key returns the first result and changes
//     nothing.
package engine

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Kind is what a journal row records.
type Kind string

// The journal row kinds.
const (
	KindEarn          Kind = "earn"           // + a new lot
	KindRedeem        Kind = "redeem"         // - from one lot (one row per lot touched)
	KindDebt          Kind = "debt"           // - shortfall of a redeem allowed to overspend; no lot
	KindSettle        Kind = "settle"         // 0 on the balance: a new lot pays back debt (lot_amount -x)
	KindExpire        Kind = "expire"         // - a lot's remaining points at expiry
	KindReverseEarn   Kind = "reverse_earn"   // - points of a reversed earn
	KindReverseRedeem Kind = "reverse_redeem" // + points given back to the lot a reversed redeem took them from
	KindAdjust        Kind = "adjust"         // +/- manual correction with a reason
	KindTransferOut   Kind = "transfer_out"   // - a lot moved to another card on a tier change
	KindTransferIn    Kind = "transfer_in"    // + the same points arriving on the new card
)

// Movement asks for one change of a card's points.
type Movement struct {
	Card      int64           // loyalty_cards.id
	Points    decimal.Decimal // > 0 for Earn and Redeem; signed, non-zero for Adjust
	Key       string          // idempotency key, required: repeating it replays the first result
	Origin    string          // source document shown in the journal ("Shop/0001")
	Tier      int64           // membership product: of the new lot (Earn) or of the lots to spend (Redeem); 0: the card program's
	At        time.Time       // transaction time; zero: the service clock
	Expiry    *time.Time      // Earn/Adjust: the lot's expiry instead of the program's rule (nil: the rule)
	AllowDebt bool            // Redeem: book a shortfall as debt instead of failing (already-paid offline orders)
	Reason    string          // Adjust: why (required)
}

// Entry is one journal row (point_history).
type Entry struct {
	ID         int64
	Card       int64
	Seq        int64
	Kind       Kind
	Amount     decimal.Decimal // signed change of the card's balance
	Balance    decimal.Decimal // the card's balance after this row
	Lot        int64           // point_moves.id touched, 0 for none (debt)
	LotAmount  decimal.Decimal // signed change of that lot's remaining points
	Origin     string
	Tier       int64 // membership product of the lot (0: none)
	StatusTier int64 // the customer's membership product at that time (0: none)
	At         time.Time
}

// Result is what an operation did (or, replayed, what its first run did).
type Result struct {
	Operation int64           // point_operations.id
	Card      int64           //
	Balance   decimal.Decimal // the card's points after the operation
	Debt      decimal.Decimal // outstanding debt after the operation (>= 0)
	Entries   []Entry         // the journal rows written, in order
	Replayed  bool            // the key had been used: nothing changed
}

// ExpireStats reports one expiry run.
type ExpireStats struct {
	Lots   int             // lots expired
	Cards  int             // cards touched
	Points decimal.Decimal // points expired
}

// CardState is a card's ledger summary.
type CardState struct {
	Card    int64
	Program int64
	Partner int64
	Tier    int64 // the card program's membership product (0: none)
	Points  decimal.Decimal
	Debt    decimal.Decimal
	Seq     int64 // last journal seq
}

// Options configure a Service.
type Options struct {
	Now      func() time.Time // the clock (default time.Now)
	Location *time.Location   // company time zone: expiry is at the end of a local day (default UTC)

	// ProcessOrder's settings (see order.go).
	TierWindow time.Duration  // tier evaluation: spending of the orders dated within this before the order; 0: lifetime
	Products   ProductMatcher // decides rules' product_domain; nil: a rule with a product_domain matches nothing
}

// Service runs the ledger operations on a store.
type Service struct {
	db  *models.DB
	now func() time.Time
	loc *time.Location
	log *slog.Logger

	tierWindow time.Duration  // Options.TierWindow
	products   ProductMatcher // Options.Products
	side       sideState      // hot balance cache and card id authority (balance_cache.go, cards.go)
	outbox     bool           // EnableOutbox: operations write sync events (outbox.go)
}

// New returns a Service over db.
func New(db *models.DB, opts Options, log *slog.Logger) *Service {
	s := &Service{db: db, now: opts.Now, loc: opts.Location, log: log, tierWindow: opts.TierWindow, products: opts.Products}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// InTx runs fn in a write transaction of the store (the single writer on
// SQLite). Model methods already run in one and pass their own tx.
func (s *Service) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error {
	return s.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error { return fn(ctx, tx) })
}

// Earn books a new lot of m.Points on m.Card (expiry from the card
// program's expired_interval unless m.Expiry), settling outstanding debt
// from it first.
func (s *Service) Earn(ctx context.Context, tx bun.IDB, m Movement) (Result, error) {
	p, err := amountOf(m.Points, false)
	if err != nil {
		return Result{}, err
	}
	return first(s.run(ctx, tx, opEarn, m.Key, m.Origin, m.Reason, m.At, []int64{m.Card}, func(o *ledgerOp) error {
		c := o.card(m.Card)
		o.newLot(c, KindEarn, p, m.Tier, o.at, o.expiry(c, m.Expiry))
		return nil
	}))
}

// Redeem spends m.Points from m.Card's active lots of tier m.Tier, first
// expiring first. Without enough points it fails with ErrInsufficientPoints
// unless m.AllowDebt, which books the shortfall as debt. Outstanding debt
// is paid from the lots first (settle rows): points are never spent while
// the card owes.
func (s *Service) Redeem(ctx context.Context, tx bun.IDB, m Movement) (Result, error) {
	p, err := amountOf(m.Points, false)
	if err != nil {
		return Result{}, err
	}
	return first(s.run(ctx, tx, opRedeem, m.Key, m.Origin, m.Reason, m.At, []int64{m.Card}, func(o *ledgerOp) error {
		c := o.card(m.Card)
		if err := o.settleDebt(c); err != nil {
			return err
		}
		short, err := o.spend(c, KindRedeem, p, m.Tier)
		if err != nil || !short.IsPositive() {
			return err
		}
		if !m.AllowDebt {
			return ErrInsufficientPoints
		}
		c.debt = c.debt.Add(short)
		o.journal(c, KindDebt, short.Neg(), nil, decimal.Zero, cmp.Or(m.Tier, c.progTier))
		return nil
	}))
}

// Adjust books a signed manual correction with a reason: positive as a new
// lot, negative as a redemption (failing when it would overspend).
func (s *Service) Adjust(ctx context.Context, tx bun.IDB, m Movement) (Result, error) {
	if strings.TrimSpace(m.Reason) == "" {
		return Result{}, ErrReasonRequired
	}
	p, err := amountOf(m.Points, true)
	if err != nil {
		return Result{}, err
	}
	return first(s.run(ctx, tx, opAdjust, m.Key, m.Origin, m.Reason, m.At, []int64{m.Card}, func(o *ledgerOp) error {
		c := o.card(m.Card)
		if p.IsPositive() {
			o.newLot(c, KindAdjust, p, m.Tier, o.at, o.expiry(c, m.Expiry))
			return nil
		}
		if err := o.settleDebt(c); err != nil {
			return err
		}
		short, err := o.spend(c, KindAdjust, p.Neg(), m.Tier)
		if err == nil && short.IsPositive() {
			err = ErrInsufficientPoints
		}
		return err
	}))
}

// Reverse undoes the operation booked under key original, as a new
// operation under m.Key (m.Origin, m.At): an earn is taken back from its
// lot first, then first-expiring-first, then as debt; a redeem gives the
// points back to the lots it took them from (a lot expired meanwhile gets
// them and expires them again at once, net zero) and reduces debt it
// created (debt already paid back by later earnings comes back as a new
// lot). An adjust is reversed as an earn or a redeem by its sign. m.Card,
// when set, must be the original's card.
func (s *Service) Reverse(ctx context.Context, tx bun.IDB, original string, m Movement) (Result, error) {
	orig, err := loadOp(ctx, tx, original)
	if err != nil {
		return Result{}, err
	}
	if orig == nil {
		return Result{}, models.UserErrorf("There is no operation %q to reverse.", original)
	}
	if m.Card != 0 && m.Card != orig.card {
		return Result{}, models.ValidationErrorf("The operation %q is not on card %d.", original, m.Card)
	}
	return first(s.run(ctx, tx, opReverse, m.Key, m.Origin, m.Reason, m.At, []int64{orig.card}, func(o *ledgerOp) error {
		return o.reverseOp(original)
	}))
}

// Transfer moves every active lot of card from to card to (a tier change:
// the new lots keep their expiry and gain date, tagged with tier, 0: the
// program's of to), under key. The customer's total is unchanged: from's
// debt is first paid from its own lots, what is left of it moves to to
// (a settle row on from, a debt row on to), and to's debt is then paid
// from its lots.
func (s *Service) Transfer(ctx context.Context, tx bun.IDB, from, to int64, tier int64, key, origin string, at time.Time) (out, in Result, err error) {
	if from == to {
		return Result{}, Result{}, models.ValidationErrorf("Points cannot be transferred to the same card.")
	}
	res, err := s.run(ctx, tx, opTransfer, key, origin, "", at, []int64{from, to}, func(o *ledgerOp) error {
		return o.transfer(o.card(from), o.card(to), tier)
	})
	if err != nil {
		return Result{}, Result{}, err
	}
	if len(res) != 2 {
		return Result{}, Result{}, fmt.Errorf("engine: transfer %q: %d results", key, len(res))
	}
	return res[0], res[1], nil
}

// Card reads a card's ledger summary.
func (s *Service) Card(ctx context.Context, db bun.IDB, card int64) (CardState, error) {
	lite := isLite(db)
	st := CardState{Card: card}
	err := db.QueryRowContext(ctx, `SELECT c.program_id, c.partner_id, p.membership_product_id, c.points, c.debt, c.history_seq
		FROM loyalty_cards c LEFT JOIN promotion_programs p ON p.id = c.program_id WHERE c.id = ?`, card).Scan(
		nullID{&st.Program}, nullID{&st.Partner}, nullID{&st.Tier}, decCol{lite, &st.Points}, decCol{lite, &st.Debt}, &st.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return CardState{}, ErrUnknownCard
	}
	if err != nil {
		return CardState{}, fmt.Errorf("engine: card %d: %w", card, err)
	}
	return st, nil
}

// amountOf checks an operation's points: rounded to 2 places (half away
// from zero), positive, or non-zero when signed.
func amountOf(p decimal.Decimal, signed bool) (decimal.Decimal, error) {
	p = p.Round(2)
	if signed && p.IsZero() {
		return p, models.ValidationErrorf("The points of an adjustment must not be zero.")
	}
	if !signed && !p.IsPositive() {
		return p, ErrBadPoints
	}
	if p.Abs().GreaterThanOrEqual(decimal.New(1, 16)) {
		return p, models.ValidationErrorf("The points are out of range.")
	}
	return p, nil
}

// first is the single result of an operation on one card.
func first(res []Result, err error) (Result, error) {
	if err != nil {
		return Result{}, err
	}
	if len(res) == 0 {
		return Result{}, errors.New("engine: no result")
	}
	return res[0], nil
}

// Business errors of the engine.
var (
	ErrInsufficientPoints = models.UserErrorf("There are not enough points on the card.")
	ErrUnknownCard        = models.MissingErrorf("Record does not exist or has been deleted.")
	ErrKeyRequired        = models.ValidationErrorf("An idempotency key is required.")
	ErrReasonRequired     = models.ValidationErrorf("A reason is required to adjust points.")
	ErrBadPoints          = models.ValidationErrorf("The points must be a positive amount.")
)
