package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// APIKeyUser returns the active user an API key belongs to, for bearer
// authentication (Odoo 19's JSON-2 API), where no login or uid comes with
// the key. Unknown, expired or non-RPC keys are models.ErrAccessDenied.
// Successful checks are cached like Check's.
func (s *Service) APIKeyUser(ctx context.Context, key string) (*User, error) {
	if len(key) < keyIndexSize {
		return nil, models.ErrAccessDenied
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT user_id FROM res_users_apikeys WHERE key_index = ?`, key[:keyIndexSize])
	if err != nil {
		return nil, fmt.Errorf("api key user: %w", err)
	}
	var uids []int64
	for rows.Next() {
		var uid int64
		if err := rows.Scan(&uid); err != nil {
			rows.Close()
			return nil, fmt.Errorf("api key user: %w", err)
		}
		uids = append(uids, uid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("api key user: %w", err)
	}
	for _, uid := range uids {
		gen := s.cache.generation()
		if u := s.cache.get(uid, key, s.now()); u != nil {
			return u, nil
		}
		ok, err := s.checkAPIKey(ctx, s.db, uid, key)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		u, _, err := loadUser(ctx, s.db, uid)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !u.Active {
			return nil, models.ErrAccessDenied
		}
		if err != nil {
			return nil, fmt.Errorf("api key user: %w", err)
		}
		s.cache.put(uid, key, u, gen, s.now())
		return u, nil
	}
	return nil, models.ErrAccessDenied
}
