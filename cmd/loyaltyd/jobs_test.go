package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
)

// fakeExpirer records the as-of times it is called with.
type fakeExpirer struct {
	mu    sync.Mutex
	calls []time.Time
	err   error
}

func (f *fakeExpirer) Expire(_ context.Context, asOf time.Time) (engine.ExpireStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, asOf)
	return engine.ExpireStats{Lots: 1, Cards: 1, Points: decimal.NewFromInt(5)}, f.err
}

func (f *fakeExpirer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func TestExpiryJob(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		every time.Duration
		err   error
		want  int // runs after 3.5 intervals
	}{
		{name: "runs at start and on every tick", every: time.Hour, want: 4},
		{name: "keeps running after a failure", every: time.Hour, err: errors.New("db down"), want: 4},
		{name: "off", every: 0, want: 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				x := &fakeExpirer{err: tt.err}
				done := make(chan struct{})
				go func() {
					defer close(done)
					runExpiryJob(ctx, x, tt.every, time.Now, slog.New(slog.DiscardHandler))
				}()
				time.Sleep(3*time.Hour + 30*time.Minute)
				synctest.Wait()
				require.Equal(t, tt.want, x.count())
				cancel()
				<-done
			})
		})
	}
}
