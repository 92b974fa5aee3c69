package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// redisClient connects to the test Redis (skips without one).
func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(dbtest.Redis(t))
	require.NoError(t, err)
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// uniqueKeys wraps a Limiter so keys are unique to this test run on a
// shared Redis.
type uniqueKeys struct {
	Limiter
	prefix string
}

func newUniqueKeys(l Limiter) uniqueKeys {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return uniqueKeys{Limiter: l, prefix: hex.EncodeToString(b) + "|"}
}

func (u uniqueKeys) Allowed(ctx context.Context, k string) (bool, error) {
	return u.Limiter.Allowed(ctx, u.prefix+k)
}
func (u uniqueKeys) Fail(ctx context.Context, k string) error { return u.Limiter.Fail(ctx, u.prefix+k) }
func (u uniqueKeys) Reset(ctx context.Context, k string) error {
	return u.Limiter.Reset(ctx, u.prefix+k)
}

func TestRedisLimiter(t *testing.T) {
	t.Parallel()
	c := redisClient(t)
	const cooldown = 300 * time.Millisecond
	l := newUniqueKeys(NewRedisLimiter(c, 3, cooldown, nil))
	exerciseLimiter(t, l, 3, func() { time.Sleep(cooldown + 50*time.Millisecond) })
}

func TestRedisLimiterSharedAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newUniqueKeys(NewRedisLimiter(redisClient(t), 2, time.Minute, nil))
	b := uniqueKeys{Limiter: NewRedisLimiter(redisClient(t), 2, time.Minute, nil), prefix: a.prefix}
	require.NoError(t, a.Fail(ctx, "k"))
	require.NoError(t, b.Fail(ctx, "k"))
	ok, err := a.Allowed(ctx, "k")
	require.NoError(t, err)
	require.False(t, ok, "two instances' failures add up")
	require.NoError(t, b.Reset(ctx, "k"))
	ok, err = a.Allowed(ctx, "k")
	require.NoError(t, err)
	require.True(t, ok)
}

func TestRedisLimiterKeys(t *testing.T) {
	t.Parallel()
	count, lock := redisKeys("admin|10.0.0.1:5555")
	require.True(t, strings.HasPrefix(count, redisKeyPrefix+"{"))
	require.True(t, strings.HasSuffix(count, "}:n"))
	require.True(t, strings.HasSuffix(lock, "}:lock"))
	require.Equal(t, strings.TrimSuffix(count, ":n"), strings.TrimSuffix(lock, ":lock"))
	other, _ := redisKeys(strings.Repeat("x", 10000))
	require.Len(t, other, len(count))
}

// deadRedis is a client for an address where nothing listens.
func deadRedis(t *testing.T) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1,
		DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestRedisLimiterDownAllowsAndWarns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	logs := new(syncBuffer)
	l := NewRedisLimiter(deadRedis(t), 1, time.Minute, slog.New(slog.NewTextHandler(logs, nil)))
	for i := 0; i < 3; i++ {
		require.NoError(t, l.Fail(ctx, "k"))
	}
	ok, err := l.Allowed(ctx, "k")
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, l.Reset(ctx, "k"))
	for _, op := range []string{"allowed", "fail", "reset"} {
		require.Contains(t, logs.String(), `level=WARN msg="login limiter: redis unavailable, attempt allowed" op=`+op)
	}
}

func TestAuthenticateRedisDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, dbtest.SQLite(t), Options{})
	b.svc.limiter = NewRedisLimiter(deadRedis(t), 5, time.Minute, b.svc.log)
	alice := b.addUser(t, "alice", "alice-pw")

	for i := 0; i < 7; i++ {
		_, err := b.svc.Authenticate(ctx, "alice", "wrong", false, "10.0.0.1")
		require.ErrorIs(t, err, models.ErrAccessDenied, "failures still fail, never throttled")
	}
	uid, err := b.svc.Authenticate(ctx, "alice", "alice-pw", false, "10.0.0.1")
	require.NoError(t, err, "a Redis outage never fails a login")
	require.Equal(t, alice, uid)

	logs := b.logs.String()
	for _, op := range []string{"allowed", "fail", "reset"} {
		require.Contains(t, logs, `level=WARN msg="login limiter: redis unavailable, attempt allowed" op=`+op)
	}
}

func TestAuthenticateRedisHangs(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() }) // accept, never answer
		}
	}()
	c := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })

	ctx := context.Background()
	b := setup(t, dbtest.SQLite(t), Options{Limiter: NewRedisLimiter(c, 5, time.Minute, nil)})
	alice := b.addUser(t, "alice", "alice-pw")
	start := time.Now()
	uid, err := b.svc.Authenticate(ctx, "alice", "alice-pw", false, "10.0.0.1")
	require.NoError(t, err)
	require.Equal(t, alice, uid)
	require.Less(t, time.Since(start), 3*limiterTimeout, "each limiter call is bounded")
	require.Contains(t, b.logs.String(), "login limiter unavailable, attempt allowed")
}
