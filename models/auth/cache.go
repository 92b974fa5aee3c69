package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
)

// DefaultCheckCacheTTL is how long a successful Check is remembered.
const DefaultCheckCacheTTL = 60 * time.Second

// maxCacheEntries bounds the check cache; past it, expired entries are
// dropped, and if that is not enough the cache starts over.
const maxCacheEntries = 10_000

// checkCache remembers successful credential checks so a client running
// execute_kw in a loop pays for pbkdf2 once per TTL, not once per call.
//
// Entries are keyed by uid and a salted SHA-256 of the password, so the
// clear password is never kept. Any change that could turn a cached success
// into a failure (password change, key revocation, user deactivation or
// deletion, group change) bumps the generation, which empties the cache; a
// check that started before the bump does not store its result.
type checkCache struct {
	ttl  time.Duration
	salt [16]byte

	mu      sync.Mutex
	gen     uint64
	entries map[checkKey]checkEntry
}

type checkKey struct {
	uid int64
	sum [sha256.Size]byte
}

type checkEntry struct {
	user    *User
	expires time.Time
}

// newCheckCache returns a cache; ttl <= 0 disables it.
func newCheckCache(ttl time.Duration) *checkCache {
	c := &checkCache{ttl: ttl, entries: map[checkKey]checkEntry{}}
	_, _ = rand.Read(c.salt[:]) // never fails (crypto/rand panics instead)
	return c
}

func (c *checkCache) key(uid int64, password string) checkKey {
	h := sha256.New()
	h.Write(c.salt[:])
	h.Write([]byte(password))
	k := checkKey{uid: uid}
	h.Sum(k.sum[:0])
	return k
}

// generation returns the current generation, to pass to put later.
func (c *checkCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns a copy of the user cached for (uid, password), or nil.
func (c *checkCache) get(uid int64, password string, now time.Time) *User {
	if c.ttl <= 0 {
		return nil
	}
	k := c.key(uid, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil
	}
	if !now.Before(e.expires) {
		delete(c.entries, k)
		return nil
	}
	return e.user.clone()
}

// put remembers a successful check made under generation gen; it does
// nothing when the generation changed meanwhile.
func (c *checkCache) put(uid int64, password string, u *User, gen uint64, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	k := c.key(uid, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= maxCacheEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCacheEntries {
			clear(c.entries)
		}
	}
	c.entries[k] = checkEntry{user: u.clone(), expires: now.Add(c.ttl)}
}

// invalidate forgets every cached check.
func (c *checkCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}
