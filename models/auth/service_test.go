package auth

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// Cheap hash costs keep the suite fast; the format is the same.
const (
	testPasswordRounds = 1000
	testKeyRounds      = 100
)

// testBundle is one Service over a fresh database, with its clock, a
// count of hash verifications and the captured logs.
type testBundle struct {
	db       *models.DB
	svc      *Service
	clock    *clock
	verifies *atomic.Int64
	logs     *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// setup returns a Service over db; opts fields left zero get test values.
func setup(t *testing.T, db *models.DB, opts Options) *testBundle {
	t.Helper()
	b := &testBundle{db: db, clock: newClock(), verifies: new(atomic.Int64), logs: new(syncBuffer)}
	if opts.PasswordRounds == 0 {
		opts.PasswordRounds = testPasswordRounds
	}
	if opts.KeyRounds == 0 {
		opts.KeyRounds = testKeyRounds
	}
	if opts.Now == nil {
		opts.Now = b.clock.now
	}
	if opts.Limiter == nil {
		opts.Limiter = NewMemoryLimiter(DefaultMaxFailures, DefaultCooldown, b.clock.now)
	}
	log := slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b.svc = New(db, opts, log)
	b.svc.verifyFunc = func(password, encoded string) (bool, error) {
		b.verifies.Add(1)
		return VerifyPassword(password, encoded)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service logs:\n%s", b.logs.String())
		}
	})
	return b
}

// addUser inserts an internal user with password and returns its id.
func (b *testBundle) addUser(t *testing.T, login, password string, groups ...string) int64 {
	t.Helper()
	ctx := context.Background()
	var uid int64
	require.NoError(t, b.db.QueryRowContext(ctx,
		`INSERT INTO res_users (login, name) VALUES (?, ?) RETURNING id`, login, "User "+login).Scan(&uid))
	require.NoError(t, addGroups(ctx, b.db, uid, append([]string{GroupUser}, groups...)...))
	if password != "" {
		require.NoError(t, b.svc.SetPassword(ctx, uid, password))
	}
	return uid
}

// archive deactivates uid behind the service's back (no cache bump).
func (b *testBundle) archive(t *testing.T, uid int64) {
	t.Helper()
	_, err := b.db.ExecContext(context.Background(), `UPDATE res_users SET active = ? WHERE id = ?`,
		boolArg(b.db, false), uid)
	require.NoError(t, err)
}

// boolArg is a boolean column argument for db.
func boolArg(db *models.DB, v bool) any {
	a, err := models.ToColumn(db.DialectName(), &models.Field{Name: "active", Type: models.Boolean, Column: "active"}, v)
	if err != nil {
		panic(err)
	}
	return a
}

func TestAuthenticate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		alice := b.addUser(t, "alice", "alice-pw")
		bob := b.addUser(t, "bob", "bob-pw")
		idle := b.addUser(t, "idle", "idle-pw")
		b.archive(t, idle)
		nopw := b.addUser(t, "nopw", "")

		aliceKey, err := b.svc.NewAPIKey(ctx, alice, "script", "", nil)
		require.NoError(t, err)
		rpcKey, err := b.svc.NewAPIKey(ctx, alice, "rpc script", ScopeRPC, nil)
		require.NoError(t, err)
		otherScope, err := b.svc.NewAPIKey(ctx, alice, "other", "other", nil)
		require.NoError(t, err)
		soon := b.clock.now().Add(time.Hour)
		expiring, err := b.svc.NewAPIKey(ctx, alice, "expiring", "", &soon)
		require.NoError(t, err)
		bobKey, err := b.svc.NewAPIKey(ctx, bob, "bob's", "", nil)
		require.NoError(t, err)
		nopwKey, err := b.svc.NewAPIKey(ctx, nopw, "only key", "", nil)
		require.NoError(t, err)

		i := 0
		for _, tc := range []struct {
			name, login, password string
			interactive           bool
			want                  int64 // 0: access denied
		}{
			{"right password", "alice", "alice-pw", false, alice},
			{"right password interactive", "alice", "alice-pw", true, alice},
			{"wrong password", "alice", "bob-pw", false, 0},
			{"empty password", "alice", "", false, 0},
			{"unknown login", "carol", "alice-pw", false, 0},
			{"login is case sensitive", "Alice", "alice-pw", false, 0},
			{"inactive user", "idle", "idle-pw", false, 0},
			{"api key", "alice", aliceKey, false, alice},
			{"api key with rpc scope", "alice", rpcKey, false, alice},
			{"api key with another scope", "alice", otherScope, false, 0},
			{"api key refused interactively", "alice", aliceKey, true, 0},
			{"unexpired key", "alice", expiring, false, alice},
			{"another user's key", "alice", bobKey, false, 0},
			{"key prefix only", "alice", aliceKey[:8], false, 0},
			{"user without password, key", "nopw", nopwKey, false, nopw},
			{"user without password, empty", "nopw", "", false, 0},
		} {
			i++
			t.Run(tc.name, func(t *testing.T) {
				// A fresh address per case keeps the failures from throttling.
				addr := fmt.Sprintf("10.0.%d.1:4242", i)
				uid, err := b.svc.Authenticate(ctx, tc.login, tc.password, tc.interactive, addr)
				if tc.want == 0 {
					require.ErrorIs(t, err, models.ErrAccessDenied)
					require.Equal(t, models.KindAccessDenied, models.KindOf(err))
					require.Zero(t, uid)
					return
				}
				require.NoError(t, err)
				require.Equal(t, tc.want, uid)
			})
		}

		b.clock.advance(time.Hour)
		_, err = b.svc.Authenticate(ctx, "alice", expiring, false, "10.0.0.2")
		require.ErrorIs(t, err, models.ErrAccessDenied, "expired key")
	})
}

func TestAuthenticateThrottling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		alice := b.addUser(t, "alice", "alice-pw")
		const addr = "192.0.2.7"

		for i := 0; i < DefaultMaxFailures; i++ {
			_, err := b.svc.Authenticate(ctx, "alice", "wrong", false, addr)
			require.ErrorIs(t, err, models.ErrAccessDenied, "failure %d", i+1)
		}
		_, err := b.svc.Authenticate(ctx, "alice", "alice-pw", false, addr)
		require.ErrorIs(t, err, models.ErrTooManyFailures, "right password refused during the cooldown")
		require.Equal(t, models.KindAccessDenied, models.KindOf(err))
		require.Contains(t, b.logs.String(), "too many failures")

		uid, err := b.svc.Authenticate(ctx, "alice", "alice-pw", false, "192.0.2.8")
		require.NoError(t, err, "another address is not throttled")
		require.Equal(t, alice, uid)
		_, err = b.svc.Authenticate(ctx, "alice", "alice-pw", false, addr+":50123")
		require.ErrorIs(t, err, models.ErrTooManyFailures, "the port does not count")
		_, err = b.svc.Authenticate(ctx, "ALICE", "alice-pw", false, addr)
		require.ErrorIs(t, err, models.ErrTooManyFailures, "nor the login's case")

		b.clock.advance(DefaultCooldown - time.Second)
		_, err = b.svc.Authenticate(ctx, "alice", "alice-pw", false, addr)
		require.ErrorIs(t, err, models.ErrTooManyFailures)

		b.clock.advance(time.Second)
		uid, err = b.svc.Authenticate(ctx, "alice", "alice-pw", false, addr)
		require.NoError(t, err, "allowed again after 60 s")
		require.Equal(t, alice, uid)

		// The success reset the count: 4 failures, a success, 4 failures
		// never reach the limit.
		for round := 0; round < 2; round++ {
			for i := 0; i < DefaultMaxFailures-1; i++ {
				_, err := b.svc.Authenticate(ctx, "alice", "wrong", false, addr)
				require.ErrorIs(t, err, models.ErrAccessDenied)
			}
			_, err := b.svc.Authenticate(ctx, "alice", "alice-pw", false, addr)
			require.NoError(t, err, "round %d", round)
		}
	})
}

func TestCheck(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		alice := b.addUser(t, "alice", "alice-pw", GroupPOSManager)
		bob := b.addUser(t, "bob", "bob-pw")
		key, err := b.svc.NewAPIKey(ctx, alice, "script", "", nil)
		require.NoError(t, err)

		u, err := b.svc.Check(ctx, alice, "alice-pw")
		require.NoError(t, err)
		require.Equal(t, alice, u.ID)
		require.Equal(t, "alice", u.Login)
		require.Equal(t, "User alice", u.Name)
		require.Equal(t, "en_US", u.Lang)
		require.Equal(t, "UTC", u.TZ)
		require.Equal(t, int64(1), u.CompanyID)
		require.True(t, u.Active)
		require.Equal(t, map[string]bool{GroupUser: true, GroupPOSUser: true, GroupPOSManager: true}, u.Groups)

		u, err = b.svc.Check(ctx, alice, key)
		require.NoError(t, err, "api key")
		require.Equal(t, alice, u.ID)

		for name, tc := range map[string]struct {
			uid int64
			pw  string
		}{
			"wrong password":   {alice, "bob-pw"},
			"other user's":     {bob, "alice-pw"},
			"other user's key": {bob, key},
			"empty password":   {alice, ""},
			"uid zero":         {0, "alice-pw"},
			"missing uid":      {alice + 1000, "alice-pw"},
		} {
			_, err := b.svc.Check(ctx, tc.uid, tc.pw)
			require.ErrorIs(t, err, models.ErrAccessDenied, name)
		}

		b.archive(t, bob)
		_, err = b.svc.Check(ctx, bob, "bob-pw")
		require.ErrorIs(t, err, models.ErrAccessDenied, "inactive user")
	})
}

func TestCheckCacheSkipsHashing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		alice := b.addUser(t, "alice", "alice-pw")
		key, err := b.svc.NewAPIKey(ctx, alice, "script", "", nil)
		require.NoError(t, err)

		_, err = b.svc.Check(ctx, alice, "alice-pw")
		require.NoError(t, err)
		require.Equal(t, int64(1), b.verifies.Load())
		for i := 0; i < 10; i++ {
			u, err := b.svc.Check(ctx, alice, "alice-pw")
			require.NoError(t, err)
			require.Equal(t, alice, u.ID)
		}
		require.Equal(t, int64(1), b.verifies.Load(), "cached: no second pbkdf2")

		_, err = b.svc.Check(ctx, alice, "wrong")
		require.ErrorIs(t, err, models.ErrAccessDenied)
		require.Equal(t, int64(2), b.verifies.Load(), "failures are not cached")

		// TTL.
		b.clock.advance(DefaultCheckCacheTTL)
		_, err = b.svc.Check(ctx, alice, "alice-pw")
		require.NoError(t, err)
		require.Equal(t, int64(3), b.verifies.Load(), "expired entry re-verified")

		// Password change invalidates.
		require.NoError(t, b.svc.SetPassword(ctx, alice, "new-pw"))
		_, err = b.svc.Check(ctx, alice, "alice-pw")
		require.ErrorIs(t, err, models.ErrAccessDenied, "old password after change")
		_, err = b.svc.Check(ctx, alice, "new-pw")
		require.NoError(t, err)

		// Key revocation invalidates.
		_, err = b.svc.Check(ctx, alice, key)
		require.NoError(t, err)
		keys, err := b.svc.ListAPIKeys(ctx, alice)
		require.NoError(t, err)
		require.Len(t, keys, 1)
		before := b.verifies.Load()
		_, err = b.svc.Check(ctx, alice, key)
		require.NoError(t, err)
		require.Equal(t, before, b.verifies.Load(), "key check cached too")
		require.NoError(t, b.svc.RevokeAPIKey(ctx, keys[0].ID))
		_, err = b.svc.Check(ctx, alice, key)
		require.ErrorIs(t, err, models.ErrAccessDenied, "revoked key")
	})
}

func TestCheckCacheDisabledByOption(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{CheckCacheTTL: -1})
		alice := b.addUser(t, "alice", "alice-pw")
		for i := 0; i < 3; i++ {
			_, err := b.svc.Check(ctx, alice, "alice-pw")
			require.NoError(t, err)
		}
		require.Equal(t, int64(3), b.verifies.Load())
	})
}

func TestUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		alice := b.addUser(t, "alice", "", GroupSystem)
		b.archive(t, alice)
		u, err := b.svc.User(ctx, alice)
		require.NoError(t, err)
		require.False(t, u.Active)
		require.Equal(t, map[string]bool{GroupUser: true, GroupSystem: true}, u.Groups)
		require.True(t, u.HasGroup(GroupSystem))

		_, err = b.svc.User(ctx, alice+1000)
		require.Equal(t, models.KindMissing, models.KindOf(err))

		uid, err := b.svc.UserID(ctx, "alice")
		require.NoError(t, err)
		require.Equal(t, alice, uid, "archived users too")
		_, err = b.svc.UserID(ctx, "nobody")
		require.Equal(t, models.KindMissing, models.KindOf(err))
	})
}

func TestCheckConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, dbtest.SQLite(t), Options{})
	alice := b.addUser(t, "alice", "alice-pw")
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := b.svc.Check(ctx, alice, "alice-pw")
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := b.svc.Authenticate(ctx, "alice", "alice-pw", false, "10.1.1.1")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
