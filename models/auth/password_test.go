package auth

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// storedPassword reads the password column of uid.
func (b *testBundle) storedPassword(t *testing.T, uid int64) string {
	t.Helper()
	var pw *string
	require.NoError(t, b.db.QueryRowContext(context.Background(),
		`SELECT password FROM res_users WHERE id = ?`, uid).Scan(&pw))
	if pw == nil {
		return ""
	}
	return *pw
}

func TestEnsureAdmin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})

		generated, created, err := b.svc.EnsureAdmin(ctx, "")
		require.NoError(t, err)
		require.True(t, created)
		require.Len(t, generated, 24)

		uid, err := b.svc.Authenticate(ctx, "admin", generated, true, "127.0.0.1")
		require.NoError(t, err)
		u, err := b.svc.User(ctx, uid)
		require.NoError(t, err)
		require.Equal(t, "Administrator", u.Name)
		require.Equal(t, map[string]bool{GroupUser: true, GroupSystem: true, GroupPOSUser: true, GroupPOSManager: true}, u.Groups)
		require.NotZero(t, u.PartnerID)
		var partner string
		require.NoError(t, db.QueryRowContext(ctx, `SELECT name FROM res_partner WHERE id = ?`, u.PartnerID).Scan(&partner))
		require.Equal(t, "Administrator", partner)
		require.True(t, strings.HasPrefix(b.storedPassword(t, uid), "$pbkdf2-sha512$1000$"), "stored hashed")

		generated, created, err = b.svc.EnsureAdmin(ctx, "")
		require.NoError(t, err)
		require.False(t, created, "users exist")
		require.Empty(t, generated)
	})
}

func TestEnsureAdminGivenPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		generated, created, err := b.svc.EnsureAdmin(ctx, "admin")
		require.NoError(t, err)
		require.True(t, created)
		require.Empty(t, generated)
		_, err = b.svc.Authenticate(ctx, "admin", "admin", false, "127.0.0.1")
		require.NoError(t, err)
	})
}

func TestSetPasswordErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		alice := b.addUser(t, "alice", "pw")
		err := b.svc.SetPassword(ctx, alice, "")
		require.Equal(t, models.KindUser, models.KindOf(err))
		err = b.svc.SetPassword(ctx, alice+1000, "x")
		require.Equal(t, models.KindMissing, models.KindOf(err))
	})
}

func TestPasswordUpgrades(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		alice := b.addUser(t, "alice", "")
		bob := b.addUser(t, "bob", "")

		// A clear-text password (Odoo's deprecated plaintext scheme) works
		// once and is then stored hashed.
		_, err := db.ExecContext(ctx, `UPDATE res_users SET password = ? WHERE id = ?`, "legacy", alice)
		require.NoError(t, err)
		_, err = b.svc.Authenticate(ctx, "alice", "legacyX", false, "a")
		require.ErrorIs(t, err, models.ErrAccessDenied)
		uid, err := b.svc.Authenticate(ctx, "alice", "legacy", false, "a")
		require.NoError(t, err)
		require.Equal(t, alice, uid)
		require.Equal(t, testPasswordRounds, HashRounds(b.storedPassword(t, alice)))

		// A hash with fewer rounds than configured is rehashed.
		weak, err := HashPassword("bob-pw", 10)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `UPDATE res_users SET password = ? WHERE id = ?`, weak, bob)
		require.NoError(t, err)
		_, err = b.svc.Check(ctx, bob, "bob-pw")
		require.NoError(t, err)
		require.Equal(t, testPasswordRounds, HashRounds(b.storedPassword(t, bob)))
		_, err = b.svc.Check(ctx, bob, "bob-pw")
		require.NoError(t, err)

		// A hash written by Odoo (passlib) verifies as it is.
		v := passlibVectors[2]
		_, err = db.ExecContext(ctx, `UPDATE res_users SET password = ? WHERE id = ?`, v.hash, bob)
		require.NoError(t, err)
		_, err = b.svc.Authenticate(ctx, "bob", v.password, true, "b")
		require.NoError(t, err)
	})
}

func TestAPIKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t, db, Options{})
		alice := b.addUser(t, "alice", "pw")

		exp := b.clock.now().Add(48 * time.Hour)
		k1, err := b.svc.NewAPIKey(ctx, alice, "first", "", nil)
		require.NoError(t, err)
		require.Len(t, k1, 40)
		_, err = hex.DecodeString(k1)
		require.NoError(t, err)
		k2, err := b.svc.NewAPIKey(ctx, alice, "second", ScopeRPC, &exp)
		require.NoError(t, err)
		require.NotEqual(t, k1, k2)

		var index, hash string
		require.NoError(t, db.QueryRowContext(ctx,
			`SELECT key_index, key_hash FROM res_users_apikeys WHERE name = ?`, "first").Scan(&index, &hash))
		require.Equal(t, k1[:8], strings.TrimSpace(index))
		require.NotContains(t, hash, k1)
		require.Equal(t, testKeyRounds, HashRounds(hash))

		keys, err := b.svc.ListAPIKeys(ctx, alice)
		require.NoError(t, err)
		require.Len(t, keys, 2)
		require.Equal(t, "first", keys[0].Name)
		require.Equal(t, "", keys[0].Scope)
		require.Nil(t, keys[0].Expires)
		require.Equal(t, alice, keys[0].UserID)
		require.False(t, keys[0].CreateDate.IsZero())
		require.Equal(t, "second", keys[1].Name)
		require.Equal(t, ScopeRPC, keys[1].Scope)
		require.NotNil(t, keys[1].Expires)
		require.True(t, keys[1].Expires.Equal(exp.Truncate(time.Second)), "%v", keys[1].Expires)

		_, err = b.svc.NewAPIKey(ctx, alice, "", "", nil)
		require.Equal(t, models.KindUser, models.KindOf(err))
		_, err = b.svc.NewAPIKey(ctx, alice+1000, "x", "", nil)
		require.Equal(t, models.KindMissing, models.KindOf(err))

		require.NoError(t, b.svc.RevokeAPIKey(ctx, keys[0].ID))
		err = b.svc.RevokeAPIKey(ctx, keys[0].ID)
		require.Equal(t, models.KindMissing, models.KindOf(err))
		keys, err = b.svc.ListAPIKeys(ctx, alice)
		require.NoError(t, err)
		require.Len(t, keys, 1)
		_, err = b.svc.Authenticate(ctx, "alice", k1, false, "x")
		require.ErrorIs(t, err, models.ErrAccessDenied, "revoked")
		_, err = b.svc.Authenticate(ctx, "alice", k2, false, "x")
		require.NoError(t, err)
	})
}
