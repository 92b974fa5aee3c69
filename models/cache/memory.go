package cache

import (
	"container/list"
	"context"
	"slices"
	"sync"
	"time"
)

// Memory is an in-process cache: at most maxEntries values, the least
// recently used evicted first, each expiring after its time to live. Every
// operation is O(1) under one mutex; it is safe for concurrent use. Values
// are copied in and out, so callers may reuse their slices.
type Memory struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	items map[string]*list.Element
	lru   *list.List // front: most recently used
}

type memEntry struct {
	key string
	val []byte
	exp time.Time
}

// DefaultTTL is the time to live of entries set with ttl 0 when the cache
// was made with defaultTTL 0.
const DefaultTTL = time.Minute

// NewMemory returns an in-process cache of at most maxEntries values
// (minimum 1), entries living defaultTTL unless Set says otherwise
// (0: DefaultTTL).
func NewMemory(maxEntries int, defaultTTL time.Duration) *Memory {
	return newMemory(maxEntries, defaultTTL, time.Now)
}

func newMemory(maxEntries int, defaultTTL time.Duration, now func() time.Time) *Memory {
	if maxEntries < 1 {
		maxEntries = 1
	}
	if defaultTTL <= 0 {
		defaultTTL = DefaultTTL
	}
	return &Memory{max: maxEntries, ttl: defaultTTL, now: now, items: map[string]*list.Element{}, lru: list.New()}
}

// Get implements Cache.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*memEntry)
	if !m.now().Before(e.exp) {
		m.remove(el)
		return nil, false
	}
	m.lru.MoveToFront(el)
	return slices.Clone(e.val), true
}

// Set implements Cache.
func (m *Memory) Set(_ context.Context, key string, val []byte, ttl time.Duration) {
	if ttl <= 0 {
		ttl = m.ttl
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	exp := m.now().Add(ttl)
	if el, ok := m.items[key]; ok {
		e := el.Value.(*memEntry)
		e.val, e.exp = slices.Clone(val), exp
		m.lru.MoveToFront(el)
		return
	}
	m.items[key] = m.lru.PushFront(&memEntry{key: key, val: slices.Clone(val), exp: exp})
	for m.lru.Len() > m.max {
		m.remove(m.lru.Back())
	}
}

// Delete implements Cache.
func (m *Memory) Delete(_ context.Context, keys ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		if el, ok := m.items[k]; ok {
			m.remove(el)
		}
	}
}

// Len is the number of entries held, expired ones not yet dropped
// included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

func (m *Memory) remove(el *list.Element) {
	m.lru.Remove(el)
	delete(m.items, el.Value.(*memEntry).key)
}
