package auth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckCache(t *testing.T) {
	t.Parallel()
	c := newClock()
	cache := newCheckCache(time.Minute)
	u := &User{ID: 7, Login: "bob", Groups: map[string]bool{GroupUser: true}}

	require.Nil(t, cache.get(7, "pw", c.now()))
	cache.put(7, "pw", u, cache.generation(), c.now())
	got := cache.get(7, "pw", c.now())
	require.Equal(t, u, got)
	got.Groups[GroupSystem] = true
	require.False(t, cache.get(7, "pw", c.now()).Groups[GroupSystem], "callers get copies")

	require.Nil(t, cache.get(7, "other", c.now()), "keyed by password")
	require.Nil(t, cache.get(8, "pw", c.now()), "keyed by uid")

	c.advance(time.Minute)
	require.Nil(t, cache.get(7, "pw", c.now()), "expired")

	gen := cache.generation()
	cache.put(7, "pw", u, gen, c.now())
	cache.invalidate()
	require.Nil(t, cache.get(7, "pw", c.now()), "invalidated")
	cache.put(7, "pw", u, gen, c.now())
	require.Nil(t, cache.get(7, "pw", c.now()), "a check started before the invalidation is not stored")
}

func TestCheckCacheDisabled(t *testing.T) {
	t.Parallel()
	cache := newCheckCache(-1)
	cache.put(1, "pw", &User{ID: 1}, cache.generation(), time.Now())
	require.Nil(t, cache.get(1, "pw", time.Now()))
}

func TestCheckCacheBounded(t *testing.T) {
	t.Parallel()
	now := time.Now()
	cache := newCheckCache(time.Minute)
	for i := range maxCacheEntries + 10 {
		cache.put(int64(i), "pw", &User{ID: int64(i)}, cache.generation(), now)
	}
	require.LessOrEqual(t, len(cache.entries), maxCacheEntries)
}

func TestExpandGroups(t *testing.T) {
	t.Parallel()
	require.Equal(t, map[string]bool{GroupSystem: true, GroupUser: true}, ExpandGroups(GroupSystem))
	require.Equal(t, map[string]bool{GroupPOSManager: true, GroupPOSUser: true, GroupUser: true},
		ExpandGroups(GroupPOSManager))
	require.Equal(t, map[string]bool{"x.y": true}, ExpandGroups("x.y"))
	require.Empty(t, ExpandGroups())
}
