package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// errEmptyPassword is Odoo's refusal of an empty new password.
var errEmptyPassword = models.UserErrorf("Setting empty passwords is not allowed for security reasons!")

// Admin account created on first start.
const (
	adminLogin = "admin"
	adminName  = "Administrator"
)

// adminGroups are the groups of the first user.
var adminGroups = []string{GroupUser, GroupSystem, GroupPOSUser, GroupPOSManager}

// EnsureAdmin creates the first user when res_users is empty: login
// "admin", name "Administrator", a partner of the same name, and the four
// known groups. Its password is password or, when that is empty, a random
// one returned as generated so the caller can show it once. created is
// false, and nothing changes, when a user already exists.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (generated string, created bool, err error) {
	n, err := countUsers(ctx, s.db)
	if err != nil || n > 0 {
		return "", false, err
	}
	if password == "" {
		generated = RandomPassword()
		password = generated
	}
	// Hash outside the transaction: it takes a while and SQLite has one writer.
	hash, err := HashPassword(password, s.passwordRounds)
	if err != nil {
		return "", false, err
	}
	err = s.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		if n, err := countUsers(ctx, tx); err != nil || n > 0 {
			created = false
			return err
		}
		// Odoo's uid 1 is the inactive superuser __system__ (OdooBot) and
		// the admin is uid 2; scripts hard-code that, so keep it.
		var botPartner int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO res_partner (name, active) VALUES (?, ?) RETURNING id`,
			"OdooBot", false).Scan(&botPartner); err != nil {
			return fmt.Errorf("system partner: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO res_users (login, password, name, partner_id, company_id, active)
			VALUES (?, NULL, ?, ?, 1, ?)`, "__system__", "OdooBot", botPartner, false); err != nil {
			return fmt.Errorf("system user: %w", err)
		}
		var partnerID, uid int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO res_partner (name) VALUES (?) RETURNING id`,
			adminName).Scan(&partnerID); err != nil {
			return fmt.Errorf("admin partner: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO res_users (login, password, name, partner_id, company_id)
			VALUES (?, ?, ?, ?, 1) RETURNING id`, adminLogin, hash, adminName, partnerID).Scan(&uid); err != nil {
			return fmt.Errorf("admin user: %w", err)
		}
		if err := addGroups(ctx, tx, uid, adminGroups...); err != nil {
			return fmt.Errorf("admin groups: %w", err)
		}
		created = true
		return nil
	})
	if err != nil && models.IsUniqueViolation(err) {
		// Another instance created the users at the same moment.
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("ensure admin: %w", err)
	}
	if !created {
		return "", false, nil
	}
	s.log.InfoContext(ctx, "created the admin user", "login", adminLogin)
	return generated, true, nil
}

// SetPassword hashes password and stores it as uid's password. An empty
// password is a models.UserError, a missing user a models.MissingError.
func (s *Service) SetPassword(ctx context.Context, uid int64, password string) error {
	if password == "" {
		return errEmptyPassword
	}
	hash, err := HashPassword(password, s.passwordRounds)
	if err != nil {
		return err
	}
	err = s.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		return s.storePasswordHash(ctx, tx, uid, hash)
	})
	s.cache.invalidate()
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// storePasswordHash writes an already hashed password in db.
func (s *Service) storePasswordHash(ctx context.Context, db bun.IDB, uid int64, hash string) error {
	now, err := timeArg(db, s.now())
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, `UPDATE res_users SET password = ?, write_date = ? WHERE id = ?`, hash, now, uid)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return missingUser(uid)
	}
	return nil
}

// RandomPassword returns a new random password of 24 URL-safe characters
// (144 bits).
func RandomPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // crypto/rand never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// countUsers counts res_users rows, archived ones included.
func countUsers(ctx context.Context, db bun.IDB) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM res_users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// addGroups links uid to the groups with these xml ids (already linked
// ones are skipped).
func addGroups(ctx context.Context, db bun.IDB, uid int64, xmlids ...string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO res_groups_users_rel (gid, uid)
		SELECT g.id, ? FROM res_groups g WHERE g.xml_id IN (?)
		AND NOT EXISTS (SELECT 1 FROM res_groups_users_rel r WHERE r.gid = g.id AND r.uid = ?)`,
		uid, bun.List(xmlids), uid)
	return err
}
