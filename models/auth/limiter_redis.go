package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisKeyPrefix namespaces the limiter's keys in a shared Redis.
const redisKeyPrefix = "loyaltyd:login:"

// failScript counts a failure and, from the maxFailures-th on, (re)starts
// the cooldown, atomically. KEYS: count, lock. ARGV: maxFailures, cooldown
// (ms), failure memory (ms).
var failScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
end
return n
`)

// RedisLimiter is a Limiter shared by every server instance using the same
// Redis. A key's failure count lives in one Redis key and its cooldown in
// another that expires by itself. A Redis error never fails a login: it is
// logged as a warning and the attempt is allowed (a failure goes
// uncounted), so its methods never return an error.
type RedisLimiter struct {
	client   *redis.Client
	max      int
	cooldown time.Duration
	log      *slog.Logger
}

var _ Limiter = (*RedisLimiter)(nil)

// NewRedisLimiter returns a Limiter backed by client. maxFailures <= 0
// disables throttling; cooldown <= 0 means DefaultCooldown; log nil means
// slog.Default(). Build the client with ContextTimeoutEnabled so that the
// Service's per-call deadline also ends the socket wait.
func NewRedisLimiter(client *redis.Client, maxFailures int, cooldown time.Duration, log *slog.Logger) *RedisLimiter {
	if cooldown <= 0 {
		cooldown = DefaultCooldown
	}
	if log == nil {
		log = slog.Default()
	}
	return &RedisLimiter{client: client, max: maxFailures, cooldown: cooldown, log: log}
}

// degrade logs a Redis failure; the caller then carries on as if the key
// had no failures.
func (l *RedisLimiter) degrade(ctx context.Context, op string, err error) {
	l.log.WarnContext(ctx, "login limiter: redis unavailable, attempt allowed",
		slog.String("op", op), slog.Any("err", err))
}

// redisKeys returns the count and lock keys of key. The key is hashed so a
// client-chosen login cannot make Redis keys of any length or shape; the
// hash tag keeps both keys in one cluster slot.
func redisKeys(key string) (count, lock string) {
	sum := sha256.Sum256([]byte(key))
	base := redisKeyPrefix + "{" + hex.EncodeToString(sum[:16]) + "}"
	return base + ":n", base + ":lock"
}

// Allowed reports whether key is outside a cooldown (true when Redis
// fails).
func (l *RedisLimiter) Allowed(ctx context.Context, key string) (bool, error) {
	if l.max <= 0 {
		return true, nil
	}
	_, lock := redisKeys(key)
	n, err := l.client.Exists(ctx, lock).Result()
	if err != nil {
		l.degrade(ctx, "allowed", err)
		return true, nil
	}
	return n == 0, nil
}

// Fail counts a failure for key.
func (l *RedisLimiter) Fail(ctx context.Context, key string) error {
	if l.max <= 0 {
		return nil
	}
	count, lock := redisKeys(key)
	err := failScript.Run(ctx, l.client, []string{count, lock},
		l.max, max(l.cooldown.Milliseconds(), 1), failureMemory.Milliseconds()).Err()
	if err != nil {
		l.degrade(ctx, "fail", err)
	}
	return nil
}

// Reset forgets key's failures and ends its cooldown.
func (l *RedisLimiter) Reset(ctx context.Context, key string) error {
	count, lock := redisKeys(key)
	if err := l.client.Del(ctx, count, lock).Err(); err != nil {
		l.degrade(ctx, "reset", err)
	}
	return nil
}
