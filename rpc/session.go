package rpc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Session is a web client's login, referenced by the session_id cookie.
type Session struct {
	ID      string    `json:"-"`
	UID     int64     `json:"uid"`
	DB      string    `json:"db"`
	Login   string    `json:"login"`
	Created time.Time `json:"created"`
}

// SessionStore keeps web sessions. Get returns (nil, nil) for an unknown or
// expired id.
type SessionStore interface {
	Save(ctx context.Context, s *Session) error
	Get(ctx context.Context, id string) (*Session, error)
	Delete(ctx context.Context, id string) error
	TTL() time.Duration
}

// newSessionID returns 40 lowercase hex characters, the shape of an Odoo 17
// session id.
func newSessionID() (string, error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// validSessionID accepts only the shapes Odoo issues, so a cookie never
// reaches a store unchecked: 40 hex characters (ours and Odoo 17's) or 84
// base64url characters (Odoo 18's, seen when the sessions are an upstream
// Odoo's).
func validSessionID(id string) bool {
	switch len(id) {
	case 40:
		_, err := hex.DecodeString(id)
		return err == nil
	case 84:
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
		return true
	}
	return false
}

// MemorySessions is an in-process SessionStore: fine for one instance.
type MemorySessions struct {
	mu   sync.Mutex
	ttl  time.Duration
	m    map[string]memSession
	now  func() time.Time
	sets int
}

type memSession struct {
	s       Session
	expires time.Time
}

// NewMemorySessions returns an in-memory store whose sessions live ttl.
func NewMemorySessions(ttl time.Duration) *MemorySessions {
	return &MemorySessions{ttl: ttl, m: map[string]memSession{}, now: time.Now}
}

// TTL is how long a session lives.
func (m *MemorySessions) TTL() time.Duration { return m.ttl }

// Save stores s.
func (m *MemorySessions) Save(_ context.Context, s *Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.m[s.ID] = memSession{s: *s, expires: now.Add(m.ttl)}
	if m.sets++; m.sets%1024 == 0 { // sweep expired sessions now and then
		for id, e := range m.m {
			if now.After(e.expires) {
				delete(m.m, id)
			}
		}
	}
	return nil
}

// Get returns the session or nil.
func (m *MemorySessions) Get(_ context.Context, id string) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[id]
	if !ok || m.now().After(e.expires) {
		delete(m.m, id)
		return nil, nil
	}
	s := e.s
	return &s, nil
}

// Delete removes the session.
func (m *MemorySessions) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, id)
	return nil
}

// RedisSessions keeps sessions in Redis, shared by every instance.
type RedisSessions struct {
	c      redis.UniversalClient
	ttl    time.Duration
	prefix string
}

// NewRedisSessions returns a Redis-backed store.
func NewRedisSessions(c redis.UniversalClient, ttl time.Duration) *RedisSessions {
	return &RedisSessions{c: c, ttl: ttl, prefix: "loyaltyd:session:"}
}

// TTL is how long a session lives.
func (r *RedisSessions) TTL() time.Duration { return r.ttl }

// Save stores s with the store's TTL.
func (r *RedisSessions) Save(ctx context.Context, s *Session) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := r.c.Set(ctx, r.prefix+s.ID, b, r.ttl).Err(); err != nil {
		return fmt.Errorf("session save: %w", err)
	}
	return nil
}

// Get returns the session or nil.
func (r *RedisSessions) Get(ctx context.Context, id string) (*Session, error) {
	b, err := r.c.Get(ctx, r.prefix+id).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session get: %w", err)
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil
	}
	s.ID = id
	return &s, nil
}

// Delete removes the session.
func (r *RedisSessions) Delete(ctx context.Context, id string) error {
	return r.c.Del(ctx, r.prefix+id).Err()
}
