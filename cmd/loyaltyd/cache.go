package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/cache"
)

// Cache sizes and lifetimes.
const (
	memoryCacheEntries = 100_000
	cacheTTL           = 5 * time.Minute
	// Hot balances: with Redis every instance sees every invalidation, so
	// an entry may live long; in process, another instance's writes reach
	// this one only when the entry expires, so it lives 2 s.
	redisBalanceTTL  = time.Minute
	memoryBalanceTTL = 2 * time.Second
)

// openCache makes a.cache: Redis when --redis-url is set (shared by the
// instances of one database), in-process otherwise.
func (a *app) openCache(ctx context.Context) error {
	if a.redis != nil {
		prefix, err := cachePrefix(ctx, a.db, a.cfg.DBName)
		if err != nil {
			return err
		}
		a.cache = cache.NewRedis(a.redis, prefix, cacheTTL, a.log)
		return nil
	}
	a.cache = cache.NewMemory(memoryCacheEntries, cacheTTL)
	return nil
}

// cachePrefix names the store in Redis keys, so that a Redis shared by
// several databases, or one that outlives a database (dropped, restored),
// never serves one database's values to another: on PostgreSQL the
// database's name and the object id of its loyalty_cards table (the same
// for every instance, new when the database is made again); on SQLite,
// which one process serves, a token of this process.
func cachePrefix(ctx context.Context, db *models.DB, dbName string) (string, error) {
	if db.DialectName() == models.DialectPG {
		var name string
		var oid int64
		if err := db.QueryRowContext(ctx, `SELECT current_database(), CAST(CAST(CAST('loyalty_cards' AS regclass) AS oid) AS BIGINT)`).
			Scan(&name, &oid); err != nil {
			return "", fmt.Errorf("cache: %w", err)
		}
		return fmt.Sprintf("loyaltyd:%s:%s.%d:", dbName, name, oid), nil
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "loyaltyd:" + dbName + ":" + hex.EncodeToString(b[:]) + ":", nil
}

// balanceTTL is how long a hot balance may be served from a.cache.
func (a *app) balanceTTL() time.Duration {
	if a.redis != nil {
		return redisBalanceTTL
	}
	return memoryBalanceTTL
}
