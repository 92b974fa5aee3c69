package cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// step is one action of a table test and what Get must answer after it.
type step struct {
	op   string // set, get, del, wait
	key  string
	val  string
	ttl  time.Duration
	want string // get: expected value; "" = a miss
}

func runSteps(t *testing.T, c Cache, advance func(time.Duration), steps []step) {
	t.Helper()
	ctx := context.Background()
	for i, s := range steps {
		switch s.op {
		case "set":
			c.Set(ctx, s.key, []byte(s.val), s.ttl)
		case "del":
			c.Delete(ctx, s.key)
		case "wait":
			advance(s.ttl)
		case "get":
			v, ok := c.Get(ctx, s.key)
			if s.want == "" {
				require.False(t, ok, "step %d: get %s: want a miss, got %q", i, s.key, v)
			} else {
				require.True(t, ok, "step %d: get %s: want %q, got a miss", i, s.key, s.want)
				require.Equal(t, s.want, string(v), "step %d", i)
			}
		}
	}
}

var cacheCases = []struct {
	name  string
	steps []step
}{
	{"miss", []step{{op: "get", key: "a"}}},
	{"hit", []step{{op: "set", key: "a", val: "1"}, {op: "get", key: "a", want: "1"}}},
	{"overwrite", []step{{op: "set", key: "a", val: "1"}, {op: "set", key: "a", val: "2"}, {op: "get", key: "a", want: "2"}}},
	{"delete", []step{{op: "set", key: "a", val: "1"}, {op: "del", key: "a"}, {op: "get", key: "a"}}},
	{"delete missing", []step{{op: "del", key: "nothing"}, {op: "get", key: "nothing"}}},
	{"ttl", []step{{op: "set", key: "a", val: "1", ttl: 2 * time.Second}, {op: "get", key: "a", want: "1"},
		{op: "wait", ttl: 3 * time.Second}, {op: "get", key: "a"}}},
	{"default ttl", []step{{op: "set", key: "a", val: "1"}, {op: "wait", ttl: 2 * time.Second}, {op: "get", key: "a", want: "1"},
		{op: "wait", ttl: 10 * time.Second}, {op: "get", key: "a"}}},
	{"keys apart", []step{{op: "set", key: "a", val: "1"}, {op: "set", key: "b", val: "2"}, {op: "del", key: "a"},
		{op: "get", key: "b", want: "2"}, {op: "get", key: "a"}}},
}

func TestMemory(t *testing.T) {
	for _, tc := range cacheCases {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
			m := newMemory(10, 5*time.Second, clk.now)
			runSteps(t, m, clk.add, tc.steps)
		})
	}
}

func TestMemoryBounded(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(3, time.Minute)
	for i := range 3 {
		m.Set(ctx, fmt.Sprint(i), []byte{byte(i)}, 0)
	}
	_, _ = m.Get(ctx, "0") // 0 is now the most recently used: 1 goes first
	m.Set(ctx, "3", []byte{3}, 0)
	require.Equal(t, 3, m.Len())
	_, ok := m.Get(ctx, "1")
	require.False(t, ok, "the least recently used entry is evicted")
	for _, k := range []string{"0", "2", "3"} {
		_, ok := m.Get(ctx, k)
		require.True(t, ok, k)
	}
	for i := range 1000 {
		m.Set(ctx, fmt.Sprint("k", i), []byte("x"), 0)
	}
	require.Equal(t, 3, m.Len())
}

func TestMemoryCopies(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(10, time.Minute)
	v := []byte("abc")
	m.Set(ctx, "a", v, 0)
	v[0] = 'X'
	got, _ := m.Get(ctx, "a")
	require.Equal(t, "abc", string(got))
	got[0] = 'Y'
	again, _ := m.Get(ctx, "a")
	require.Equal(t, "abc", string(again))
}

func TestMemoryConcurrent(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(50, time.Minute)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := fmt.Sprint((g*7 + i) % 100)
				switch i % 3 {
				case 0:
					m.Set(ctx, k, []byte(k), 0)
				case 1:
					if v, ok := m.Get(ctx, k); ok && string(v) != k {
						t.Errorf("key %s holds %q", k, v)
					}
				default:
					m.Delete(ctx, k)
				}
			}
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, m.Len(), 50)
}

func randomPrefix(t *testing.T) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "cachetest:" + t.Name() + ":" + hex.EncodeToString(b[:]) + ":"
}

func redisClient(t *testing.T, url string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(url)
	require.NoError(t, err)
	opt.MaxRetries = 0
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestRedis(t *testing.T) {
	url := dbtest.Redis(t)
	for _, tc := range cacheCases {
		t.Run(tc.name, func(t *testing.T) {
			c := redisClient(t, url)
			// Redis keeps time itself: the waits of the table are turned
			// into TTLs of whole seconds and real waits would be slow, so
			// a TTL case checks the key's TTL instead of waiting it out.
			r := NewRedis(c, randomPrefix(t), 5*time.Second, dbtest.Logger(t))
			var waited time.Duration
			advance := func(d time.Duration) {
				waited += d
				// Expire whatever would have expired: each key's
				// remaining TTL is shortened by d.
				keys, err := c.Keys(context.Background(), r.prefix+"*").Result()
				require.NoError(t, err)
				for _, k := range keys {
					ttl, err := c.PTTL(context.Background(), k).Result()
					require.NoError(t, err)
					if ttl <= d {
						require.NoError(t, c.Del(context.Background(), k).Err())
					} else {
						require.NoError(t, c.PExpire(context.Background(), k, ttl-d).Err())
					}
				}
			}
			runSteps(t, r, advance, tc.steps)
		})
	}
}

func TestRedisTTLIsSet(t *testing.T) {
	c := redisClient(t, dbtest.Redis(t))
	r := NewRedis(c, randomPrefix(t), 5*time.Second, dbtest.Logger(t))
	ctx := context.Background()
	r.Set(ctx, "default", []byte("x"), 0)
	r.Set(ctx, "given", []byte("x"), time.Minute)
	for key, want := range map[string]time.Duration{"default": 5 * time.Second, "given": time.Minute} {
		ttl, err := c.PTTL(ctx, r.prefix+key).Result()
		require.NoError(t, err)
		require.Positive(t, ttl, key)
		require.LessOrEqual(t, ttl, want, key)
	}
}

// logBuffer counts the warnings a cache logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}
func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Count(l.buf.Bytes(), []byte(s))
}

func TestRedisGoneAway(t *testing.T) {
	url := dbtest.Redis(t)
	opt, err := redis.ParseURL(url)
	require.NoError(t, err)
	px := dbtest.NewTCPProxy(t, opt.Addr)
	opt.Addr = px.Addr()
	opt.MaxRetries = 0
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	logs := &logBuffer{}
	r := NewRedis(c, randomPrefix(t), time.Minute, slogTo(logs))
	r.Cooldown = 0 // every call tries Redis, for the test
	ctx := context.Background()

	r.Set(ctx, "k", []byte("v"), 0)
	v, ok := r.Get(ctx, "k")
	require.True(t, ok)
	require.Equal(t, "v", string(v))

	px.Stop()
	for range 3 {
		_, ok := r.Get(ctx, "k")
		require.False(t, ok, "a Redis that went away is a miss")
		r.Set(ctx, "k", []byte("w"), 0)
		r.Delete(ctx, "k")
	}
	require.Equal(t, 1, logs.count("redis failed"), "failures are logged once per LogEvery")

	closed := redisClient(t, url)
	require.NoError(t, closed.Close())
	r2 := NewRedis(closed, randomPrefix(t), time.Minute, dbtest.Logger(t))
	r2.Set(ctx, "k", []byte("v"), 0)
	_, ok = r2.Get(ctx, "k")
	require.False(t, ok, "a closed client is a miss")
	require.True(t, r2.cooling(), "after a failure the cache skips Redis for a while")
}

func TestRedisSharedByInstances(t *testing.T) {
	url := dbtest.Redis(t)
	prefix := randomPrefix(t)
	a := NewRedis(redisClient(t, url), prefix, time.Minute, dbtest.Logger(t))
	b := NewRedis(redisClient(t, url), prefix, time.Minute, dbtest.Logger(t))
	ctx := context.Background()
	a.Set(ctx, "k", []byte("1"), 0)
	v, ok := b.Get(ctx, "k")
	require.True(t, ok)
	require.Equal(t, "1", string(v))
	b.Delete(ctx, "k")
	_, ok = a.Get(ctx, "k")
	require.False(t, ok, "a delete on one instance is seen by the other")
}
