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

// runExpiryOnce runs one expiry pass and logs what it did.
func runExpiryOnce(ctx context.Context, x expirer, asOf time.Time, log *slog.Logger) (engine.ExpireStats, error) {
	start := time.Now()
	st, err := x.Expire(ctx, asOf)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("expiry job failed", slog.Any("err", err))
		}
		return st, err
	}
	if st.Lots > 0 {
		log.Info("points expired", slog.Int("lots", st.Lots), slog.Int("cards", st.Cards),
			slog.String("points", st.Points.StringFixed(2)), slog.Duration("took", time.Since(start)))
	}
	return st, nil
}
