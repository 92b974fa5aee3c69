package auth

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)} }

// exerciseLimiter checks the Odoo cooldown rules on any Limiter; wait
// moves time past the cooldown.
func exerciseLimiter(t *testing.T, l Limiter, max int, wait func()) {
	t.Helper()
	ctx := context.Background()
	allowed := func(key string) bool {
		t.Helper()
		ok, err := l.Allowed(ctx, key)
		require.NoError(t, err)
		return ok
	}
	for i := 0; i < max; i++ {
		require.True(t, allowed("a"), "attempt %d", i+1)
		require.NoError(t, l.Fail(ctx, "a"))
	}
	require.False(t, allowed("a"), "cooldown after %d failures", max)
	require.True(t, allowed("b"), "other keys are not affected")

	wait()
	require.True(t, allowed("a"), "cooldown over")
	require.NoError(t, l.Fail(ctx, "a"))
	require.False(t, allowed("a"), "one more failure starts another cooldown")

	require.NoError(t, l.Reset(ctx, "a"))
	require.True(t, allowed("a"), "success resets")
	for i := 0; i < max-1; i++ {
		require.NoError(t, l.Fail(ctx, "a"))
	}
	require.True(t, allowed("a"), "count restarted from zero")
}

func TestMemoryLimiter(t *testing.T) {
	t.Parallel()
	c := newClock()
	l := NewMemoryLimiter(5, time.Minute, c.now)
	exerciseLimiter(t, l, 5, func() { c.advance(time.Minute) })
}

func TestMemoryLimiterCooldownCountsFromLastFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClock()
	l := NewMemoryLimiter(2, time.Minute, c.now)
	require.NoError(t, l.Fail(ctx, "k"))
	c.advance(50 * time.Second)
	require.NoError(t, l.Fail(ctx, "k"))
	c.advance(59 * time.Second)
	ok, _ := l.Allowed(ctx, "k")
	require.False(t, ok)
	c.advance(time.Second)
	ok, _ = l.Allowed(ctx, "k")
	require.True(t, ok)
}

func TestMemoryLimiterForgetsOldFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClock()
	l := NewMemoryLimiter(2, time.Minute, c.now)
	require.NoError(t, l.Fail(ctx, "k"))
	c.advance(failureMemory)
	require.NoError(t, l.Fail(ctx, "k"))
	ok, _ := l.Allowed(ctx, "k")
	require.True(t, ok, "the first failure was forgotten")

	require.NoError(t, l.Fail(ctx, "other"))
	c.advance(failureMemory + time.Minute)
	require.NoError(t, l.Fail(ctx, "k")) // triggers the sweep
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotContains(t, l.failures, "other")
}

func TestMemoryLimiterDisabled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := NewMemoryLimiter(0, time.Minute, nil)
	for i := 0; i < 20; i++ {
		require.NoError(t, l.Fail(ctx, "k"))
	}
	ok, err := l.Allowed(ctx, "k")
	require.NoError(t, err)
	require.True(t, ok)
}
