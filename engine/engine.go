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
	"context"
	"errors"
	"log/slog"
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
}

// Service runs the ledger operations on a store.
type Service struct {
	db  *models.DB
	now func() time.Time
	loc *time.Location
	log *slog.Logger
}

// New returns a Service over db.
func New(db *models.DB, opts Options, log *slog.Logger) *Service {
	s := &Service{db: db, now: opts.Now, loc: opts.Location, log: log}
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

// errTODO marks the operations the ledger work fills in.
var errTODO = errors.New("engine: not implemented yet")

// Earn books a new lot of m.Points on m.Card (expiry from the card
// program's expired_interval unless m.Expiry), settling outstanding debt
// from it first.
func (s *Service) Earn(ctx context.Context, tx bun.IDB, m Movement) (Result, error) {
	return Result{}, errTODO
}

// Redeem spends m.Points from m.Card's active lots of tier m.Tier, first
// expiring first. Without enough points it fails with ErrInsufficientPoints
// unless m.AllowDebt, which books the shortfall as debt.
func (s *Service) Redeem(ctx context.Context, tx bun.IDB, m Movement) (Result, error) {
	return Result{}, errTODO
}

// Adjust books a signed manual correction with a reason: positive as a new
// lot, negative as a redemption (failing when it would overspend).
func (s *Service) Adjust(ctx context.Context, tx bun.IDB, m Movement) (Result, error) {
	return Result{}, errTODO
}

// Reverse undoes the operation booked under key original, as a new
// operation under m.Key (m.Origin, m.At): an earn is taken back from its
// lot first, then first-expiring-first, then as debt; a redeem gives the
// points back to the lots it took them from (a lot expired meanwhile gets
// them and expires them again at once, net zero) and reduces debt it
// created.
func (s *Service) Reverse(ctx context.Context, tx bun.IDB, original string, m Movement) (Result, error) {
	return Result{}, errTODO
}

// Transfer moves every active lot of card from to card to (a tier change:
// the new lots keep their expiry and gain date, tagged with tier), under
// key. The customer's total is unchanged.
func (s *Service) Transfer(ctx context.Context, tx bun.IDB, from, to int64, tier int64, key, origin string, at time.Time) (out, in Result, err error) {
	return Result{}, Result{}, errTODO
}

// Expire expires every active lot whose expiry is before asOf, in batches
// of its own transactions; running it again changes nothing.
func (s *Service) Expire(ctx context.Context, asOf time.Time) (ExpireStats, error) {
	return ExpireStats{}, errTODO
}

// Card reads a card's ledger summary.
func (s *Service) Card(ctx context.Context, db bun.IDB, card int64) (CardState, error) {
	return CardState{}, errTODO
}

// Business errors of the engine.
var (
	ErrInsufficientPoints = models.UserErrorf("There are not enough points on the card.")
	ErrUnknownCard        = models.MissingErrorf("Record does not exist or has been deleted.")
	ErrKeyRequired        = models.ValidationErrorf("An idempotency key is required.")
)
