package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/cache"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// balanceStores are the caches the hot balances are tested on.
func balanceStores(t *testing.T) map[string]func(t *testing.T) cache.Cache {
	return map[string]func(t *testing.T) cache.Cache{
		"memory": func(t *testing.T) cache.Cache { return cache.NewMemory(1000, time.Minute) },
		"redis": func(t *testing.T) cache.Cache {
			opt, err := redis.ParseURL(dbtest.Redis(t))
			require.NoError(t, err)
			c := redis.NewClient(opt)
			t.Cleanup(func() { _ = c.Close() })
			return cache.NewRedis(c, "enginetest:"+t.Name()+":"+time.Now().Format(time.RFC3339Nano)+":", time.Minute, dbtest.Logger(t))
		},
	}
}

// TestBalanceCache: after every kind of operation that touches a card the
// next card_balance read shows the new balance, and a read made while an
// operation's transaction is still open is not served after its commit.
func TestBalanceCache(t *testing.T) {
	for name, mk := range balanceStores(t) {
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *models.DB) {
				f := lgSetup(t, db, nil)
				f.svc.SetBalanceCache(mk(t), time.Minute)
				prog := f.program(0, "", 0)
				a, b := f.card(prog, f.partner(0)), f.card(prog, f.partner(0))
				f.now = lgDay(2026, 2, 1, 10, 0)

				show := func(card int64) string {
					t.Helper()
					st, err := f.svc.CardBalance(f.ctx, f.db, card)
					require.NoError(t, err)
					return st.Points.StringFixed(2)
				}
				// run runs op in a write transaction, its ctx the
				// transaction's (as the RPC methods do).
				run := func(op func(ctx context.Context, tx bun.IDB) error) {
					t.Helper()
					require.NoError(t, f.svc.InTx(f.ctx, op))
				}
				require.Equal(t, "0.00", show(a))
				// A change behind the engine's back is not seen: the read
				// is served from the cache.
				setPoints := func(card int64, hundredths int64) {
					var v any = decimal.New(hundredths, -2).StringFixed(2)
					if db.DialectName() == models.DialectSQLite {
						v = hundredths
					}
					f.exec("UPDATE loyalty_cards SET points = ? WHERE id = ?", v, card)
				}
				setPoints(a, 9900)
				require.Equal(t, "0.00", show(a), "served from the cache")
				setPoints(a, 0)

				exp := lgEndOfDay(3, 1)
				steps := []struct {
					name  string
					op    func(ctx context.Context, tx bun.IDB) error
					card  int64
					after string
				}{
					{"earn", func(ctx context.Context, tx bun.IDB) error {
						_, err := f.svc.Earn(ctx, tx, engine.Movement{Card: a, Points: lgD("10"), Key: "e1", Expiry: exp})
						return err
					}, a, "10.00"},
					{"earn lifetime", func(ctx context.Context, tx bun.IDB) error {
						_, err := f.svc.Earn(ctx, tx, engine.Movement{Card: a, Points: lgD("5.50"), Key: "e2"})
						return err
					}, a, "15.50"},
					{"redeem", func(ctx context.Context, tx bun.IDB) error {
						_, err := f.svc.Redeem(ctx, tx, engine.Movement{Card: a, Points: lgD("2.25"), Key: "r1"})
						return err
					}, a, "13.25"},
					{"adjust", func(ctx context.Context, tx bun.IDB) error {
						_, err := f.svc.Adjust(ctx, tx, engine.Movement{Card: a, Points: lgD("-1"), Key: "a1", Reason: "test"})
						return err
					}, a, "12.25"},
					{"reverse", func(ctx context.Context, tx bun.IDB) error {
						_, err := f.svc.Reverse(ctx, tx, "r1", engine.Movement{Key: "rv1"})
						return err
					}, a, "14.50"},
				}
				for _, s := range steps {
					require.Equal(t, show(s.card), show(s.card)) // cached now
					run(s.op)
					require.Equal(t, s.after, show(s.card), s.name)
				}

				// Expiry (set-based, its own transactions).
				require.Equal(t, "14.50", show(a))
				f.now = lgDay(2026, 3, 5, 0, 0)
				_, err := f.svc.Expire(f.ctx, f.now)
				require.NoError(t, err)
				require.Equal(t, f.state(a).Points.StringFixed(2), show(a), "expire")
				require.Equal(t, "5.50", show(a))

				// Transfer: both cards.
				require.Equal(t, "0.00", show(b))
				run(func(ctx context.Context, tx bun.IDB) error {
					_, _, err := f.svc.Transfer(ctx, tx, a, b, 0, "t1", "tier change", time.Time{})
					return err
				})
				require.Equal(t, "0.00", show(a), "transfer out")
				require.Equal(t, "5.50", show(b), "transfer in")

				// A read while the transaction is open caches the old
				// balance; it is not served once the transaction commits.
				run(func(ctx context.Context, tx bun.IDB) error {
					if _, err := f.svc.Earn(ctx, tx, engine.Movement{Card: b, Points: lgD("1"), Key: "e3"}); err != nil {
						return err
					}
					require.Equal(t, "5.50", show(b), "uncommitted: the old balance")
					return nil
				})
				require.Equal(t, "6.50", show(b), "after the commit")

				// A rolled back operation leaves the cache valid.
				err = f.svc.InTx(f.ctx, func(ctx context.Context, tx bun.IDB) error {
					if _, err := f.svc.Earn(ctx, tx, engine.Movement{Card: b, Points: lgD("100"), Key: "e4"}); err != nil {
						return err
					}
					return models.UserErrorf("roll back")
				})
				require.Error(t, err)
				require.Equal(t, "6.50", show(b))
				require.True(t, f.state(b).Points.Equal(decimal.RequireFromString("6.50")))

				// Decisions never use it: a redeem beyond the real balance
				// fails even though the cache is warm.
				_, err = f.redeem(engine.Movement{Card: b, Points: lgD("7"), Key: "r2"})
				require.ErrorIs(t, err, engine.ErrInsufficientPoints)
			})
		})
	}
}

// TestBalanceCacheSharedByInstances: two services on one PostgreSQL share
// a Redis: a write on one is seen at once by the other's next read.
func TestBalanceCacheSharedByInstances(t *testing.T) {
	url := dbtest.PostgresURL(t)
	db1 := dbtest.Open(t, models.StoreConfig{URL: url})
	db2 := dbtest.Open(t, models.StoreConfig{URL: url})
	dbtest.Migrate(t, db1)
	opt, err := redis.ParseURL(dbtest.Redis(t))
	require.NoError(t, err)
	prefix := "enginetest:" + t.Name() + ":" + time.Now().Format(time.RFC3339Nano) + ":"
	f1, f2 := lgSetup(t, db1, nil), lgSetup(t, db2, nil)
	for _, f := range []*lgFix{f1, f2} {
		c := redis.NewClient(opt)
		t.Cleanup(func() { _ = c.Close() })
		f.svc.SetBalanceCache(cache.NewRedis(c, prefix, time.Minute, dbtest.Logger(t)), time.Minute)
	}
	card := f1.card(f1.program(0, "", 0), f1.partner(0))
	read := func(f *lgFix) string {
		st, err := f.svc.CardBalance(f.ctx, f.db, card)
		require.NoError(t, err)
		return st.Points.StringFixed(2)
	}
	require.Equal(t, "0.00", read(f2))
	require.NoError(t, f1.svc.InTx(f1.ctx, func(ctx context.Context, tx bun.IDB) error {
		_, err := f1.svc.Earn(ctx, tx, engine.Movement{Card: card, Points: lgD("7"), Key: "e"})
		return err
	}))
	require.Equal(t, "7.00", read(f2))
}
