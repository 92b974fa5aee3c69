package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/odoo-loyalty/loyaltyd/engine"
)

// expirer is what the expiry job needs from the engine.
type expirer interface {
	Expire(ctx context.Context, asOf time.Time) (engine.ExpireStats, error)
}

// runExpiryJob expires lots past their date now and then every interval
// until ctx ends. Expiry is idempotent and locks the cards it touches, so
// several instances running it against one database are safe; a failed run
// is logged and retried at the next tick.
func runExpiryJob(ctx context.Context, x expirer, every time.Duration, now func() time.Time, log *slog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		runExpiryOnce(ctx, x, now(), log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runExpiryOnce runs one expiry pass and logs a failure.
func runExpiryOnce(ctx context.Context, x expirer, asOf time.Time, log *slog.Logger) (engine.ExpireStats, error) {
	st, err := x.Expire(ctx, asOf) // the engine logs what it expired
	if err != nil && ctx.Err() == nil {
		log.Error("expiry job failed", slog.Any("err", err))
	}
	return st, err
}
