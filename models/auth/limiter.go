package auth

import (
	"context"
	"sync"
	"time"
)

// Login throttling defaults, Odoo's base.login_cooldown_after and
// base.login_cooldown_duration.
const (
	DefaultMaxFailures = 5
	DefaultCooldown    = 60 * time.Second
)

// failureMemory is how long a key's failure count survives its last
// failure. Odoo keeps counts until a success or a restart; a bound keeps
// the memory (and Redis) use of a brute-force attempt finite.
const failureMemory = 24 * time.Hour

// Limiter throttles login attempts. A key names one (login, remote
// address) pair. After maxFailures failures for a key, attempts are refused
// until cooldown has passed since the last failure; once it has, a single
// new failure starts another cooldown (Odoo keeps counting), and only a
// success resets the count.
//
// Errors from a Limiter are infrastructure failures (a Redis outage): the
// Service logs them and lets the attempt through, so they never fail a login.
type Limiter interface {
	// Allowed reports whether an attempt for key may proceed now.
	Allowed(ctx context.Context, key string) (bool, error)
	// Fail records a failed attempt for key.
	Fail(ctx context.Context, key string) error
	// Reset forgets the failures of key, after a successful login.
	Reset(ctx context.Context, key string) error
}

// MemoryLimiter is a Limiter for one server process.
type MemoryLimiter struct {
	max      int
	cooldown time.Duration
	now      func() time.Time

	mu       sync.Mutex
	failures map[string]failure
	nextGC   time.Time
}

type failure struct {
	count int
	last  time.Time
}

var _ Limiter = (*MemoryLimiter)(nil)

// NewMemoryLimiter returns an in-memory Limiter. maxFailures <= 0 disables
// throttling (as Odoo's login_cooldown_after = 0 does); cooldown <= 0 means
// DefaultCooldown; now nil means time.Now.
func NewMemoryLimiter(maxFailures int, cooldown time.Duration, now func() time.Time) *MemoryLimiter {
	if cooldown <= 0 {
		cooldown = DefaultCooldown
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryLimiter{max: maxFailures, cooldown: cooldown, now: now, failures: map[string]failure{}}
}

// Allowed reports whether key is outside a cooldown. It never fails.
func (l *MemoryLimiter) Allowed(_ context.Context, key string) (bool, error) {
	if l.max <= 0 {
		return true, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.failures[key]
	if !ok || f.count < l.max {
		return true, nil
	}
	return l.now().Sub(f.last) >= l.cooldown, nil
}

// Fail counts a failure for key. It never fails.
func (l *MemoryLimiter) Fail(_ context.Context, key string) error {
	if l.max <= 0 {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.failures[key]
	if now.Sub(f.last) >= failureMemory {
		f.count = 0
	}
	l.failures[key] = failure{count: f.count + 1, last: now}
	l.gc(now)
	return nil
}

// Reset forgets key's failures. It never fails.
func (l *MemoryLimiter) Reset(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
	return nil
}

// gc drops counts older than failureMemory, at most once a minute.
func (l *MemoryLimiter) gc(now time.Time) {
	if now.Before(l.nextGC) {
		return
	}
	l.nextGC = now.Add(time.Minute)
	for k, f := range l.failures {
		if now.Sub(f.last) >= failureMemory {
			delete(l.failures, k)
		}
	}
}
