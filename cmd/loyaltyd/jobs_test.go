package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

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

// TestExpireCommand books a lot that expired yesterday, then runs
// "loyaltyd expire" on the same data directory: the lot expires once, and
// a second run finds nothing.
func TestExpireCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := newTestAppIn(t, dir)
	prog := sudoCreate(t, a, "loyalty.program", map[string]any{"name": "Loyalty", "program_type": "loyalty",
		"applies_on": "both", "trigger": "auto"})
	card := sudoCreate(t, a, "loyalty.card", map[string]any{"program_id": prog, "code": "EXPIRE-CLI"})
	past := time.Now().Add(-48 * time.Hour)
	require.NoError(t, a.engine.InTx(t.Context(), func(ctx context.Context, tx bun.IDB) error {
		_, err := a.engine.Earn(ctx, tx, engine.Movement{Card: card, Points: decimal.RequireFromString("12.50"),
			Key: "cli/expire", Origin: "test", At: past.Add(-time.Hour), Expiry: &past})
		return err
	}))
	earn(t, a, card, 3, "cli/lifetime")
	a.Close()

	for i, want := range []string{"expired 1 lots (12.50 points) on 1 cards", "expired 0 lots (0.00 points) on 0 cards"} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"expire", "--data-dir", dir, "--log-level", "warn"}, nil, &stdout, &stderr,
			func(string) string { return "" })
		require.Equal(t, 0, code, "run %d: %s", i, stderr.String())
		require.Contains(t, stdout.String(), want, "run %d", i)
	}
	b := newTestAppIn(t, dir)
	require.Equal(t, "3.00", balance(t, b, card))
}
