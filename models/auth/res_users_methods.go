package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// selfWritable are the res.users fields users may change on their own
// record without the settings group (Odoo's SELF_WRITEABLE_FIELDS, plus
// password).
var selfWritable = map[string]bool{"name": true, "lang": true, "tz": true, "password": true}

var errDuplicateLogin = models.ValidationErrorf("You can not have two users with the same login !")

// generic returns the registry's generic implementation of method.
func generic(method string) (models.MethodFunc, error) {
	fn := models.GenericMethod(method)
	if fn == nil {
		return nil, models.Internal(fmt.Errorf("res.users: no generic %s method", method))
	}
	return fn, nil
}

// passThrough runs the generic method on the call as the client made it.
func passThrough(ctx context.Context, c *models.Call, method string) (any, error) {
	fn, err := generic(method)
	if err != nil {
		return nil, err
	}
	return fn(ctx, c)
}

// callGeneric runs the generic method with other arguments (and, when
// sudo, as superuser).
func callGeneric(ctx context.Context, c *models.Call, method string, sudo bool, args ...any) (any, error) {
	fn, err := generic(method)
	if err != nil {
		return nil, err
	}
	call := *c
	call.Method = method
	call.Args = args
	call.Kwargs = map[string]any{}
	if sudo {
		env := *c.Env
		env.Superuser = true
		call.Env = &env
		ctx = models.WithEnv(ctx, &env)
	}
	return fn(ctx, &call)
}

// usersCreate is res.users.create(vals_list): passwords are hashed, a
// partner named after the user is created when partner_id is missing, and
// users without groups_id get base.group_user.
func (s *Service) usersCreate(ctx context.Context, c *models.Call) (any, error) {
	arg, ok := c.Arg(0, "vals_list")
	if !ok || !c.Env.HasGroup(GroupSystem) {
		return passThrough(ctx, c, "create") // its own error
	}
	list, _ := arg.([]any)
	single := false
	if m, ok := arg.(map[string]any); ok {
		list, single = []any{m}, true
	}
	if list == nil {
		return passThrough(ctx, c, "create")
	}
	hashes := make([]string, len(list))
	prepared := make([]any, len(list))
	for i, v := range list {
		vals, ok := v.(map[string]any)
		if !ok {
			return passThrough(ctx, c, "create")
		}
		vals = maps.Clone(vals)
		if pw, ok := vals["password"]; ok {
			delete(vals, "password")
			if p, _ := pw.(string); p != "" {
				h, err := HashPassword(p, s.passwordRounds)
				if err != nil {
					return nil, models.Internal(err)
				}
				hashes[i] = h
			}
		}
		if err := prepareUser(ctx, c.DB, vals); err != nil {
			return nil, err
		}
		prepared[i] = vals
	}
	var res any
	var err error
	if single {
		res, err = callGeneric(ctx, c, "create", false, prepared[0])
	} else {
		res, err = callGeneric(ctx, c, "create", false, prepared)
	}
	if err != nil {
		return nil, err
	}
	ids := idList(res)
	if len(ids) != len(list) {
		return nil, models.Internal(fmt.Errorf("res.users create: %d ids for %d records", len(ids), len(list)))
	}
	if err := addImpliedGroups(ctx, c.DB, ids); err != nil {
		return nil, err
	}
	for i, id := range ids {
		if hashes[i] == "" {
			continue
		}
		if err := s.storePasswordHash(ctx, c.DB, id, hashes[i]); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// prepareUser completes create values: unique login, partner, groups.
func prepareUser(ctx context.Context, db bun.IDB, vals map[string]any) error {
	if login, ok := vals["login"].(string); ok {
		n, err := countRows(ctx, db, `SELECT COUNT(*) FROM res_users WHERE login = ?`, login)
		if err != nil {
			return models.Internal(fmt.Errorf("user login: %w", err))
		}
		if n > 0 {
			return errDuplicateLogin
		}
	}
	if p, ok := vals["partner_id"]; !ok || p == false || p == nil {
		// Without a name the generic create reports the missing field.
		if name, _ := vals["name"].(string); name != "" {
			var id int64
			if err := db.QueryRowContext(ctx, `INSERT INTO res_partner (name) VALUES (?) RETURNING id`,
				name).Scan(&id); err != nil {
				return models.Internal(fmt.Errorf("user partner: %w", err))
			}
			vals["partner_id"] = id
		}
	}
	if _, ok := vals["groups_id"]; !ok {
		var gid int64
		err := db.QueryRowContext(ctx, `SELECT id FROM res_groups WHERE xml_id = ?`, GroupUser).Scan(&gid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return models.Internal(fmt.Errorf("default groups: %w", err))
		}
		if err == nil {
			vals["groups_id"] = []any{[]any{int64(6), int64(0), []any{gid}}}
		}
	}
	return nil
}

// addImpliedGroups adds to each user the groups its groups imply, as Odoo
// does: base.group_system brings base.group_user, and so on.
func addImpliedGroups(ctx context.Context, db bun.IDB, uids []int64) error {
	for _, uid := range uids {
		groups, err := loadGroups(ctx, db, uid)
		if err != nil {
			return models.Internal(err)
		}
		xmlids := make([]string, 0, len(groups))
		for g := range groups {
			xmlids = append(xmlids, g)
		}
		if len(xmlids) == 0 {
			continue
		}
		if err := addGroups(ctx, db, uid, xmlids...); err != nil {
			return models.Internal(fmt.Errorf("implied groups: %w", err))
		}
	}
	return nil
}

// usersWrite is res.users.write(ids, vals): passwords are hashed, users may
// change their own name, lang, tz and password, and the check cache is
// emptied.
func (s *Service) usersWrite(ctx context.Context, c *models.Call) (any, error) {
	idsArg, ok1 := c.Arg(0, "ids")
	valsArg, ok2 := c.Arg(1, "vals")
	vals, ok3 := valsArg.(map[string]any)
	ids, ok4 := toIDs(idsArg)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return passThrough(ctx, c, "write") // its own error
	}
	system := c.Env.HasGroup(GroupSystem)
	self := !system && len(ids) == 1 && ids[0] == c.Env.UID && onlySelfWritable(vals)
	if !system && !self {
		// Not allowed: let the generic write raise Odoo's AccessError.
		return passThrough(ctx, c, "write")
	}
	if a, ok := vals["active"]; ok && a == false && containsID(ids, c.Env.UID) {
		return nil, models.UserErrorf("You cannot deactivate the user you're currently logged in as.")
	}
	if login, ok := vals["login"].(string); ok {
		n, err := countRows(ctx, c.DB, `SELECT COUNT(*) FROM res_users WHERE login = ? AND id NOT IN (?)`,
			login, bun.List(ids))
		if err != nil {
			return nil, models.Internal(err)
		}
		if n > 0 || len(ids) > 1 {
			return nil, errDuplicateLogin
		}
	}
	rest := maps.Clone(vals)
	var hash string
	if pw, ok := rest["password"]; ok {
		delete(rest, "password")
		p, _ := pw.(string)
		if p == "" {
			return nil, errEmptyPassword
		}
		var err error
		if hash, err = HashPassword(p, s.passwordRounds); err != nil {
			return nil, models.Internal(err)
		}
	}
	defer s.cache.invalidate()
	if len(rest) > 0 || hash == "" {
		if _, err := callGeneric(ctx, c, "write", self, ids, rest); err != nil {
			return nil, err
		}
	}
	if _, ok := rest["groups_id"]; ok {
		if err := addImpliedGroups(ctx, c.DB, ids); err != nil {
			return nil, err
		}
	}
	if name, ok := rest["name"].(string); ok && name != "" {
		if _, err := c.DB.ExecContext(ctx, `UPDATE res_partner SET name = ? WHERE id IN
			(SELECT partner_id FROM res_users WHERE id IN (?))`, name, bun.List(ids)); err != nil {
			return nil, models.Internal(err)
		}
	}
	for _, id := range ids {
		if hash == "" {
			break
		}
		if err := s.storePasswordHash(ctx, c.DB, id, hash); err != nil {
			return nil, err
		}
	}
	return true, nil
}

// usersUnlink is the generic unlink, emptying the check cache.
func (s *Service) usersUnlink(ctx context.Context, c *models.Call) (any, error) {
	defer s.cache.invalidate()
	return passThrough(ctx, c, "unlink")
}

// usersContextGet is res.users.context_get(): the caller's lang, tz and uid.
func (s *Service) usersContextGet(ctx context.Context, c *models.Call) (any, error) {
	u, _, err := loadUser(ctx, c.DB, c.Env.UID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, missingUser(c.Env.UID)
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	lang := u.Lang
	if lang == "" {
		lang = "en_US"
	}
	var tz any = false
	if u.TZ != "" {
		tz = u.TZ
	}
	return models.D("lang", lang, "tz", tz, "uid", u.ID), nil
}

// usersChangePassword is res.users.change_password(old_passwd,
// new_passwd): the caller's current password (not an API key) must be
// given; a wrong one is AccessDenied.
func (s *Service) usersChangePassword(ctx context.Context, c *models.Call) (any, error) {
	oldArg, _ := c.Arg(0, "old_passwd")
	newArg, _ := c.Arg(1, "new_passwd")
	oldPw, _ := oldArg.(string)
	newPw, _ := newArg.(string)
	_, stored, err := loadUser(ctx, c.DB, c.Env.UID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, models.ErrAccessDenied
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	if ok, _ := s.verifyStored(ctx, oldPw, stored); !ok {
		return nil, models.ErrAccessDenied
	}
	if newPw == "" {
		return nil, errEmptyPassword
	}
	hash, err := HashPassword(newPw, s.passwordRounds)
	if err != nil {
		return nil, models.Internal(err)
	}
	defer s.cache.invalidate()
	if err := s.storePasswordHash(ctx, c.DB, c.Env.UID, hash); err != nil {
		return nil, err
	}
	return true, nil
}

// onlySelfWritable reports whether every key of vals is self-writable.
func onlySelfWritable(vals map[string]any) bool {
	for k := range vals {
		if !selfWritable[k] {
			return false
		}
	}
	return len(vals) > 0
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// toIDs reads Odoo's ids argument: one id or a list of ids.
func toIDs(v any) ([]int64, bool) {
	if id, ok := toInt(v); ok {
		return []int64{id}, true
	}
	var list []any
	switch l := v.(type) {
	case []any:
		list = l
	case []int64:
		return l, true
	default:
		return nil, false
	}
	out := make([]int64, 0, len(list))
	for _, x := range list {
		id, ok := toInt(x)
		if !ok {
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}

// idList reads the result of create: an id or a list of ids.
func idList(v any) []int64 {
	ids, _ := toIDs(v)
	return ids
}

// toInt converts the integer forms the codecs produce.
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}
