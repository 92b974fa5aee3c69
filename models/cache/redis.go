package cache

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a cache in Redis, shared by every instance using the same
// server and prefix. Each call has its own short timeout (OpTimeout); any
// error is a miss (Get) or nothing (Set, Delete), logged at most once per
// LogEvery, never returned. After a failure the cache stays quiet for
// Cooldown: calls are misses and no-ops without a round trip, so a dead
// Redis costs requests nothing.
//
// There is deliberately no in-process fallback while Redis fails: a value
// kept here could not be invalidated by the other instances (their
// deletes go to Redis), so it could be served stale. A failing Redis
// means every Get goes to the database.
type Redis struct {
	c      *redis.Client
	prefix string
	ttl    time.Duration
	log    *slog.Logger

	// OpTimeout bounds one call (default 250 ms); Cooldown is how long
	// calls are skipped after a failure (default 1 s); LogEvery is the
	// least time between two logged failures (default 30 s). Set them
	// before the first call.
	OpTimeout, Cooldown, LogEvery time.Duration

	mu        sync.Mutex
	failedAt  time.Time // last failure (zero: healthy)
	loggedAt  time.Time // last failure logged
	suppressd int       // failures not logged since loggedAt
}

// NewRedis returns a cache over client, its keys prefixed with prefix,
// entries living defaultTTL unless Set says otherwise (0: DefaultTTL).
func NewRedis(client *redis.Client, prefix string, defaultTTL time.Duration, log *slog.Logger) *Redis {
	if defaultTTL <= 0 {
		defaultTTL = DefaultTTL
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Redis{c: client, prefix: prefix, ttl: defaultTTL, log: log,
		OpTimeout: 250 * time.Millisecond, Cooldown: time.Second, LogEvery: 30 * time.Second}
}

// Get implements Cache.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool) {
	if r.cooling() {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.OpTimeout)
	defer cancel()
	val, err := r.c.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		r.ok()
		return nil, false
	}
	if err != nil {
		r.fail("get", err)
		return nil, false
	}
	r.ok()
	return val, true
}

// Set implements Cache.
func (r *Redis) Set(ctx context.Context, key string, val []byte, ttl time.Duration) {
	if ttl <= 0 {
		ttl = r.ttl
	}
	if r.cooling() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.OpTimeout)
	defer cancel()
	if err := r.c.Set(ctx, r.prefix+key, val, ttl).Err(); err != nil {
		r.fail("set", err)
		return
	}
	r.ok()
}

// Delete implements Cache.
func (r *Redis) Delete(ctx context.Context, keys ...string) {
	if len(keys) == 0 || r.cooling() {
		return
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = r.prefix + k
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.OpTimeout)
	defer cancel()
	if err := r.c.Del(ctx, full...).Err(); err != nil {
		r.fail("delete", err)
		return
	}
	r.ok()
}

// cooling reports whether a failure happened less than Cooldown ago.
func (r *Redis) cooling() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.failedAt.IsZero() && time.Since(r.failedAt) < r.Cooldown
}

func (r *Redis) ok() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.failedAt.IsZero() {
		r.failedAt = time.Time{}
		r.log.Info("cache: redis is answering again")
	}
}

// fail records a failure and logs it unless one was logged within
// LogEvery.
func (r *Redis) fail(op string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	r.failedAt = now
	if !r.loggedAt.IsZero() && now.Sub(r.loggedAt) < r.LogEvery {
		r.suppressd++
		return
	}
	r.log.Warn("cache: redis failed, serving from the database", slog.String("op", op), slog.Any("error", err),
		slog.Int("suppressed", r.suppressd))
	r.loggedAt, r.suppressd = now, 0
}
