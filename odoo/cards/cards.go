// Package cards makes the upstream Odoo the id authority of loyalty cards
// and the source of the POS orders the engine does not have.
//
// With an upstream, a new card (a tier change's primary-program card, a
// POS coupon, an RPC create of loyalty.card) is created in Odoo first,
// through the sync account, and inserted locally with Odoo's id as id and
// odoo_card_id (engine.Service.SetCardIDs, models.Registry.SetIDSource).
// A create is not idempotent in Odoo, so the Authority never lets its
// client retry one (give it a client with retries off: odoo.Config
// MaxAttempts 1) and retries itself: after an attempt whose outcome is
// unknown (transport error, 5xx), it first searches the card by its code
// (unique in Odoo) and adopts the card found, so a lost answer never
// leaves two cards. A fault, or Odoo still failing after the attempts, is
// returned as a *models.Error and nothing is created locally.
package cards

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/engine/methods"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
)

// Executor is what the Authority needs of an odoo.Client.
type Executor interface {
	ExecuteKw(ctx context.Context, model, method string, args []any, kwargs map[string]any, out any) error
}

// Options tune the Authority's own retries.
type Options struct {
	Attempts int           // attempts of one create or read, the first included (default 4)
	WaitMin  time.Duration // backoff base (default 100 ms)
	WaitMax  time.Duration // backoff cap (default 2 s)
}

// Authority creates cards in Odoo and reads POS orders from it.
type Authority struct {
	x   Executor
	opt Options
	log *slog.Logger
}

// New returns an Authority calling Odoo through x, which must not retry
// calls itself (see the package doc).
func New(x Executor, opt Options, log *slog.Logger) *Authority {
	if opt.Attempts < 1 {
		opt.Attempts = 4
	}
	if opt.WaitMin <= 0 {
		opt.WaitMin = 100 * time.Millisecond
	}
	if opt.WaitMax < opt.WaitMin {
		opt.WaitMax = max(2*time.Second, opt.WaitMin)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Authority{x: x, opt: opt, log: log}
}

var _ engine.CardIDs = (*Authority)(nil)

// NewCard creates the card in Odoo and answers its id (engine.CardIDs).
func (a *Authority) NewCard(ctx context.Context, spec engine.CardSpec) (int64, error) {
	if spec.Code == "" {
		return 0, models.ValidationErrorf("A new card needs a code.")
	}
	if spec.Program == 0 {
		return 0, models.ValidationErrorf("A new card needs a program.")
	}
	vals := map[string]any{"program_id": spec.Program, "code": spec.Code, "points": spec.Points.InexactFloat64()}
	if spec.Partner != 0 {
		vals["partner_id"] = spec.Partner
	}
	if !spec.Expiration.IsZero() {
		vals["expiration_date"] = spec.Expiration.Format(models.DateLayout)
	}
	if spec.SourcePosOrder != 0 {
		vals["source_pos_order_id"] = spec.SourcePosOrder
	}
	var last error
	for attempt := 1; attempt <= a.opt.Attempts; attempt++ {
		if attempt > 1 {
			if err := a.wait(ctx, attempt); err != nil {
				return 0, unavailable("create the card", err)
			}
			// The previous attempt may have created it and lost the answer.
			id, found, err := a.findCard(ctx, spec.Code)
			if err != nil {
				if odoo.IsPermanent(err) {
					return 0, faultOf(err)
				}
				last = err
				continue
			}
			if found {
				a.log.Info("card found in Odoo after a lost answer", slog.String("code", spec.Code), slog.Int64("id", id))
				return id, nil
			}
		}
		var id int64
		err := a.x.ExecuteKw(ctx, "loyalty.card", "create", []any{vals}, nil, &id)
		if err == nil {
			return id, nil
		}
		if odoo.IsPermanent(err) {
			if attempt > 1 {
				// A create that went through meanwhile makes this one a
				// duplicate code: adopt it.
				if id, found, ferr := a.findCard(ctx, spec.Code); ferr == nil && found {
					return id, nil
				}
			}
			return 0, faultOf(err)
		}
		last = err
		a.log.Warn("card create in Odoo failed, retrying", slog.String("code", spec.Code), slog.Int("attempt", attempt),
			slog.Any("error", err))
	}
	return 0, unavailable("create the card", last)
}

// findCard searches a card by its code.
func (a *Authority) findCard(ctx context.Context, code string) (int64, bool, error) {
	var ids []int64
	err := a.x.ExecuteKw(ctx, "loyalty.card", "search", []any{[]any{[]any{"code", "=", code}}},
		map[string]any{"limit": 1, "context": map[string]any{"active_test": false}}, &ids)
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}

// CardIDSource is the models.IDSource of loyalty.card: the values of an
// RPC create (or copy) become the card in Odoo.
func (a *Authority) CardIDSource(ctx context.Context, vals map[string]any) (int64, error) {
	spec := engine.CardSpec{Program: idOf(vals["program_id"]), Partner: idOf(vals["partner_id"]),
		Company: idOf(vals["company_id"]), SourcePosOrder: idOf(vals["source_pos_order_id"])}
	spec.Code, _ = vals["code"].(string)
	if t, ok := vals["expiration_date"].(time.Time); ok {
		spec.Expiration = t
	}
	if p, ok := vals["points"].(decimal.Decimal); ok {
		spec.Points = p
	}
	return a.NewCard(ctx, spec)
}

// ReadOrder reads a pos.order and its lines from Odoo (a
// models.RecordSource for the POS methods; see engine/methods'
// upstream_orders.go for the shape).
func (a *Authority) ReadOrder(ctx context.Context, id int64) (map[string]any, bool, error) {
	var rows []map[string]any
	if err := a.read(ctx, "pos.order", []any{id}, methods.UpstreamOrderFields, &rows); err != nil {
		return nil, false, err
	}
	if len(rows) == 0 {
		return nil, false, nil
	}
	order := rows[0]
	lineIDs, _ := order["lines"].([]any)
	lines := []any{}
	if len(lineIDs) > 0 {
		var lrows []map[string]any
		if err := a.read(ctx, "pos.order.line", lineIDs, methods.UpstreamOrderLineFields, &lrows); err != nil {
			return nil, false, err
		}
		for _, l := range lrows {
			lines = append(lines, l)
		}
	}
	order["lines"] = lines
	return order, true, nil
}

// read is model.read(ids, fields) with the Authority's retries.
func (a *Authority) read(ctx context.Context, model string, ids []any, fields []string, out *[]map[string]any) error {
	fs := make([]any, len(fields))
	for i, f := range fields {
		fs[i] = f
	}
	var last error
	for attempt := 1; attempt <= a.opt.Attempts; attempt++ {
		if attempt > 1 {
			if err := a.wait(ctx, attempt); err != nil {
				return unavailable("read "+model, err)
			}
		}
		err := a.x.ExecuteKw(ctx, model, "read", []any{ids}, map[string]any{"fields": fs}, out)
		if err == nil {
			return nil
		}
		if odoo.IsPermanent(err) {
			if models.KindOf(err) == models.KindMissing {
				*out = nil
				return nil
			}
			return faultOf(err)
		}
		last = err
	}
	return unavailable("read "+model, last)
}

// wait sleeps the full-jitter backoff before attempt.
func (a *Authority) wait(ctx context.Context, attempt int) error {
	ceil := a.opt.WaitMin << min(attempt-2, 20)
	if ceil > a.opt.WaitMax || ceil <= 0 {
		ceil = a.opt.WaitMax
	}
	d := time.Duration(rand.Int64N(int64(ceil) + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// faultOf is Odoo's fault as the caller's: its kind and message.
func faultOf(err error) error {
	var me *models.Error
	if errors.As(err, &me) {
		if me.Kind == models.KindAccessDenied {
			return models.UserErrorf("The upstream Odoo refused the sync account's credentials.")
		}
		return models.Errorf(me.Kind, "Odoo refused: %s", models.MessageOf(err))
	}
	return unavailable("call Odoo", err)
}

// unavailable is the fault of an Odoo that did not answer.
func unavailable(what string, err error) error {
	msg := "no answer"
	if err != nil {
		msg = err.Error()
	}
	return models.UserErrorf("The upstream Odoo is not available, could not %s (%s). Nothing was saved; please try again.",
		what, msg)
}

func idOf(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	}
	return 0
}
