package auth

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Models returns the descriptors of res.users and res.groups, whose
// methods hash passwords with s and keep its check cache fresh.
func Models(s *Service) []*models.Model {
	return []*models.Model{s.usersModel(), groupsModel()}
}

// usersModel describes res.users. Passwords are write-only: the password
// field has no column (the hash lives in res_users.password, which no
// field maps) and reads as "" like Odoo 17's.
func (s *Service) usersModel() *models.Model {
	return &models.Model{
		Name:        "res.users",
		Description: "User",
		Table:       "res_users",
		Order:       "name, login",
		Fields: []*models.Field{
			{Name: "login", Type: models.Char, String: "Login", Column: "login", Required: true,
				Help: "Used to log into the system"},
			{Name: "name", Type: models.Char, String: "Name", Column: "name", Required: true},
			{Name: "password", Type: models.Char, String: "Password", Compute: computeBlank,
				Help: "Keep empty if you don't want the user to be able to connect on the system."},
			{Name: "active", Type: models.Boolean, String: "Active", Column: "active",
				Default: func(*models.Env) any { return true }},
			{Name: "partner_id", Type: models.Many2one, String: "Related Partner", Column: "partner_id",
				Relation: "res.partner", Required: true, OnDelete: "restrict",
				Help: "Partner-related data of the user"},
			{Name: "company_id", Type: models.Many2one, String: "Company", Column: "company_id",
				Relation: "res.company", Required: true,
				Help:    "The default company for this user.",
				Default: func(*models.Env) any { return int64(1) }},
			{Name: "groups_id", Type: models.Many2many, String: "Groups", Relation: "res.groups",
				RelTable: "res_groups_users_rel", RelColumn1: "uid", RelColumn2: "gid"},
			{Name: "lang", Type: models.Char, String: "Language", Column: "lang",
				Default: func(env *models.Env) any { return env.Lang() }},
			{Name: "tz", Type: models.Char, String: "Timezone", Column: "tz", Default: defaultTZ},
			{Name: "share", Type: models.Boolean, String: "Share User", Readonly: true, ComputeDB: computeShare,
				Help: "External user with limited access, created only for the purpose of sharing data."},
		},
		Access: map[models.Op][]string{
			models.OpRead:   {GroupUser},
			models.OpWrite:  {GroupSystem},
			models.OpCreate: {GroupSystem},
			models.OpUnlink: {GroupSystem},
		},
		Methods: map[string]models.MethodFunc{
			"create":          s.usersCreate,
			"write":           s.usersWrite,
			"unlink":          s.usersUnlink,
			"context_get":     s.usersContextGet,
			"change_password": s.usersChangePassword,
		},
		ReadOnly:      map[string]bool{"context_get": true},
		RecordMethods: map[string]bool{"write": true, "unlink": true},
	}
}

// defaultTZ is the caller's context tz, else UTC.
func defaultTZ(env *models.Env) any {
	if tz, ok := env.Context["tz"].(string); ok && tz != "" {
		return tz
	}
	return "UTC"
}

// computeBlank reads "" for every record (the password field).
func computeBlank(_ *models.Env, rows []models.Row) ([]any, error) {
	out := make([]any, len(rows))
	for i := range out {
		out[i] = ""
	}
	return out, nil
}

// computeShare is Odoo's share: true for users outside base.group_user
// (portal and public users), false for internal users.
func computeShare(ctx context.Context, db bun.IDB, _ *models.Env, rows []models.Row) ([]any, error) {
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		if id, ok := r["id"].(int64); ok {
			ids = append(ids, id)
		}
	}
	internal := make(map[int64]bool, len(ids))
	if len(ids) > 0 {
		q, err := db.QueryContext(ctx, `SELECT r.uid FROM res_groups_users_rel r
			JOIN res_groups g ON g.id = r.gid WHERE g.xml_id = ? AND r.uid IN (?)`, GroupUser, bun.List(ids))
		if err != nil {
			return nil, models.Internal(fmt.Errorf("res.users share: %w", err))
		}
		defer q.Close()
		for q.Next() {
			var uid int64
			if err := q.Scan(&uid); err != nil {
				return nil, models.Internal(fmt.Errorf("res.users share: %w", err))
			}
			internal[uid] = true
		}
		if err := q.Err(); err != nil {
			return nil, models.Internal(fmt.Errorf("res.users share: %w", err))
		}
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		id, _ := r["id"].(int64)
		out[i] = !internal[id]
	}
	return out, nil
}
