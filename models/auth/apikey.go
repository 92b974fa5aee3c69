package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// API keys are 20 random bytes in hex; the first keyIndexSize characters
// are stored in clear to find the candidate hashes.
const (
	keyBytes     = 20
	keyIndexSize = 8
	// ScopeRPC is the scope of keys valid for XML-RPC / JSON-RPC; keys
	// without a scope are valid everywhere.
	ScopeRPC = "rpc"
)

// APIKey describes a stored API key (never the key itself).
type APIKey struct {
	ID         int64
	UserID     int64
	Name       string
	Scope      string     // "" for any scope
	CreateDate time.Time  // UTC
	Expires    *time.Time // nil when the key never expires
}

// NewAPIKey creates an API key for uid and returns it; only its index and
// hash are stored, so this is the one time the key can be shown. scope ""
// means any scope; expires nil means never. A blank name is a
// models.UserError, a missing user a models.MissingError.
func (s *Service) NewAPIKey(ctx context.Context, uid int64, name, scope string, expires *time.Time) (string, error) {
	if name == "" {
		return "", models.UserErrorf("The API key must have a name.")
	}
	raw := make([]byte, keyBytes)
	_, _ = rand.Read(raw) // crypto/rand never fails
	key := hex.EncodeToString(raw)
	hash, err := HashPassword(key, s.keyRounds)
	if err != nil {
		return "", err
	}
	err = s.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		n, err := countRows(ctx, tx, `SELECT COUNT(*) FROM res_users WHERE id = ?`, uid)
		if err != nil {
			return err
		}
		if n == 0 {
			return missingUser(uid)
		}
		now, err := timeArg(tx, s.now())
		if err != nil {
			return err
		}
		var exp, sc any
		if expires != nil {
			if exp, err = timeArg(tx, *expires); err != nil {
				return err
			}
		}
		if scope != "" {
			sc = scope
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO res_users_apikeys
			(user_id, name, scope, key_index, key_hash, expiration_date, create_date)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, uid, name, sc, key[:keyIndexSize], hash, exp, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("new api key: %w", err)
	}
	s.log.InfoContext(ctx, "api key created", "uid", uid, "name", name, "scope", scope)
	return key, nil
}

// RevokeAPIKey deletes the API key id; a missing key is a
// models.MissingError.
func (s *Service) RevokeAPIKey(ctx context.Context, id int64) error {
	err := s.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM res_users_apikeys WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return models.MissingErrorf("Record does not exist or has been deleted.\n(Record: res.users.apikeys(%d,))", id)
		}
		return nil
	})
	s.cache.invalidate()
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	s.log.InfoContext(ctx, "api key revoked", "id", id)
	return nil
}

// ListAPIKeys returns uid's API keys, oldest first.
func (s *Service) ListAPIKeys(ctx context.Context, uid int64) ([]APIKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, name, scope, create_date, expiration_date
		FROM res_users_apikeys WHERE user_id = ? ORDER BY id`, uid)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var (
			k            APIKey
			scope        *string
			created, exp any
		)
		if err := rows.Scan(&k.ID, &k.UserID, &k.Name, &scope, &created, &exp); err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		if scope != nil {
			k.Scope = *scope
		}
		c, err := timeValue(s.db, created)
		if err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		if c != nil {
			k.CreateDate = *c
		}
		if k.Expires, err = timeValue(s.db, exp); err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return out, nil
}

// checkAPIKey reports whether key is an unexpired API key of uid valid for
// RPC (scope NULL or "rpc").
func (s *Service) checkAPIKey(ctx context.Context, db bun.IDB, uid int64, key string) (bool, error) {
	if len(key) < keyIndexSize {
		return false, nil
	}
	now, err := timeArg(db, s.now())
	if err != nil {
		return false, err
	}
	rows, err := db.QueryContext(ctx, `SELECT key_hash FROM res_users_apikeys
		WHERE user_id = ? AND key_index = ? AND (scope IS NULL OR scope = ?)
		AND (expiration_date IS NULL OR expiration_date > ?)`, uid, key[:keyIndexSize], ScopeRPC, now)
	if err != nil {
		return false, fmt.Errorf("api keys: %w", err)
	}
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return false, fmt.Errorf("api keys: %w", err)
		}
		hashes = append(hashes, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("api keys: %w", err)
	}
	for _, h := range hashes {
		ok, err := s.verifyFunc(key, h)
		if err != nil {
			s.log.WarnContext(ctx, "stored api key hash unreadable", "uid", uid, "err", err)
			continue
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// countRows runs a COUNT query.
func countRows(ctx context.Context, db bun.IDB, query string, args ...any) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}
