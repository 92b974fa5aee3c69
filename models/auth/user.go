package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// The groups this server knows, by Odoo xml id.
const (
	GroupUser       = "base.group_user"
	GroupSystem     = "base.group_system"
	GroupPOSUser    = "point_of_sale.group_pos_user"
	GroupPOSManager = "point_of_sale.group_pos_manager"
)

// impliedGroups mirrors Odoo's implied_ids for the groups above.
var impliedGroups = map[string][]string{
	GroupSystem:     {GroupUser},
	GroupPOSManager: {GroupPOSUser},
	GroupPOSUser:    {GroupUser},
}

// ExpandGroups returns the set of groups xmlids grant, implied ones
// included (base.group_system implies base.group_user,
// point_of_sale.group_pos_manager implies point_of_sale.group_pos_user,
// which implies base.group_user).
func ExpandGroups(xmlids ...string) map[string]bool {
	out := make(map[string]bool, len(xmlids)+2)
	var add func(string)
	add = func(g string) {
		if out[g] {
			return
		}
		out[g] = true
		for _, i := range impliedGroups[g] {
			add(i)
		}
	}
	for _, g := range xmlids {
		add(g)
	}
	return out
}

// User is a res.users record as the rpc layer needs it.
type User struct {
	ID        int64
	Login     string
	Name      string
	Lang      string
	TZ        string
	PartnerID int64 // 0 when none
	CompanyID int64
	Groups    map[string]bool // xml ids, implied groups included
	Active    bool
}

// HasGroup reports whether the user belongs to group (an xml id).
func (u *User) HasGroup(group string) bool { return u.Groups[group] }

// clone returns a copy that shares nothing with u.
func (u *User) clone() *User {
	c := *u
	c.Groups = maps.Clone(u.Groups)
	return &c
}

// User returns the user uid, active or not; a missing user is a
// models.MissingError.
func (s *Service) User(ctx context.Context, uid int64) (*User, error) {
	u, _, err := loadUser(ctx, s.db, uid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, missingUser(uid)
	}
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", uid, err)
	}
	return u, nil
}

// UserID returns the id of the user with this login, active or not; an
// unknown login is a models.MissingError.
func (s *Service) UserID(ctx context.Context, login string) (int64, error) {
	var uid int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM res_users WHERE login = ?`, login).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, models.MissingErrorf("No user with login %q.", login)
	}
	if err != nil {
		return 0, fmt.Errorf("user %q: %w", login, err)
	}
	return uid, nil
}

// missingUser is Odoo's MissingError for a res.users id.
func missingUser(uid int64) error {
	return models.MissingErrorf("Record does not exist or has been deleted.\n(Record: res.users(%d,))", uid)
}

// loadUser reads user uid and its groups; it also returns the stored
// password ("" when none). A missing user is sql.ErrNoRows.
func loadUser(ctx context.Context, db bun.IDB, uid int64) (*User, string, error) {
	var (
		u                    User
		lang, tz, password   sql.NullString
		partnerID, companyID sql.NullInt64
		active               int64
	)
	err := db.QueryRowContext(ctx, `SELECT id, login, name, lang, tz, partner_id, company_id,
		CASE WHEN active THEN 1 ELSE 0 END, password FROM res_users WHERE id = ?`, uid).
		Scan(&u.ID, &u.Login, &u.Name, &lang, &tz, &partnerID, &companyID, &active, &password)
	if err != nil {
		return nil, "", err
	}
	u.Lang, u.TZ = lang.String, tz.String
	u.PartnerID, u.CompanyID = partnerID.Int64, companyID.Int64
	u.Active = active == 1
	u.Groups, err = loadGroups(ctx, db, uid)
	if err != nil {
		return nil, "", err
	}
	return &u, password.String, nil
}

// loadGroups returns the groups of uid, implied ones included.
func loadGroups(ctx context.Context, db bun.IDB, uid int64) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT g.xml_id FROM res_groups g
		JOIN res_groups_users_rel r ON r.gid = g.id WHERE r.uid = ? ORDER BY g.id`, uid)
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, fmt.Errorf("groups: %w", err)
		}
		ids = append(ids, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	return ExpandGroups(ids...), nil
}
