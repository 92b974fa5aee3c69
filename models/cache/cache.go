// Package cache keeps small values (reference records, balances, upstream
// credential checks) in Redis when the server has one, in process memory
// otherwise. A cache never fails a request: a Redis error is a miss (Get)
// or nothing (Set, Delete), logged, and the caller goes to the database.
package cache

import (
	"context"
	"time"
)

// Cache is a byte cache with per-entry time to live.
type Cache interface {
	// Get returns the value stored under key; ok is false on a miss,
	// an expired entry or any error of the backend.
	Get(ctx context.Context, key string) (val []byte, ok bool)
	// Set stores val under key for ttl (0: the cache's default).
	Set(ctx context.Context, key string, val []byte, ttl time.Duration)
	// Delete removes keys; a missing key is not an error.
	Delete(ctx context.Context, keys ...string)
}
