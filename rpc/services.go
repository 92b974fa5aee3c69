package rpc

import (
	"net/http"
	"strconv"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// goMethods maps Odoo's (service, method) to the gorilla service method.
var goMethods = map[string]map[string]string{
	"common": {"version": "Version", "login": "Login", "authenticate": "Authenticate", "about": "About",
		"set_loglevel": "SetLoglevel"},
	"db": {"list": "List", "server_version": "ServerVersion", "db_exist": "DbExist", "list_lang": "ListLang",
		// Every other db method needs the master password, which this
		// server has none of: Odoo answers AccessDenied for a wrong one.
		"create_database": "Denied", "duplicate_database": "Denied", "drop": "Denied", "dump": "Denied",
		"restore": "Denied", "rename": "Denied", "change_admin_password": "Denied",
		"migrate_databases": "Denied", "list_countries": "Denied"},
	"object": {"execute_kw": "ExecuteKw", "execute": "Execute"},
}

// goMethod resolves an Odoo service method, with Odoo's error for each
// kind of unknown name.
func (s *Server) goMethod(service, method string) (string, error) {
	methods, ok := goMethods[service]
	if !ok {
		return "", models.KeyErrorf("%s", service)
	}
	if m, ok := methods[method]; ok {
		return service + "." + m, nil
	}
	switch service {
	case "object":
		return "", models.Errorf(models.KindName, "Method not available %s", method)
	case "db":
		return "", models.KeyErrorf("Method not found: %s", method)
	}
	return "", models.Errorf(models.KindException, "Method not found: %s", method)
}

// checkDB fails like Odoo does for a database it does not have.
func (s *Server) checkDB(db any) error {
	name, _ := db.(string)
	if name != s.cfg.DBName {
		return models.Errorf(models.KindOperational, "connection to server failed: FATAL:  database \"%v\" does not exist", db)
	}
	return nil
}

// arity fails with Python's TypeError when a function gets too few
// positional arguments.
func arity(fn string, params []any, names ...string) error {
	if len(params) >= len(names) {
		return nil
	}
	missing := names[len(params):]
	plural := "s"
	if len(missing) == 1 {
		plural = ""
	}
	list := ""
	for i, n := range missing {
		switch {
		case i == 0:
		case i == len(missing)-1 && len(missing) == 2:
			list += " and "
		case i == len(missing)-1:
			list += ", and "
		default:
			list += ", "
		}
		list += "'" + n + "'"
	}
	return models.TypeErrorf("%s() missing %d required positional argument%s: %s", fn, len(missing), plural, list)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// toUID converts the uid parameter as Odoo's int(uid) would.
func toUID(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, models.ValueErrorf("invalid literal for int() with base 10: '%s'", x)
		}
		return n, nil
	}
	return 0, models.TypeErrorf("int() argument must be a string, a bytes-like object or a real number")
}

// commonService is Odoo's "common" service: version and login.
type commonService struct{ s *Server }

// Version answers common.version().
func (c *commonService) Version(r *http.Request, _ *Args, reply *Reply) error {
	reply.Value = c.s.version.dict()
	return nil
}

// About answers common.about(extended=False).
func (c *commonService) About(r *http.Request, a *Args, reply *Reply) error {
	text := "See http://openerp.com"
	if len(a.Params) > 0 && truthy(a.Params[0]) {
		reply.Value = []any{text, c.s.version.serverVersion}
		return nil
	}
	reply.Value = text
	return nil
}

// SetLoglevel answers common.set_loglevel: True, nothing changes.
func (c *commonService) SetLoglevel(r *http.Request, a *Args, reply *Reply) error {
	reply.Value = true
	return nil
}

// Login answers common.login(db, login, password): uid or False.
func (c *commonService) Login(r *http.Request, a *Args, reply *Reply) error {
	if err := arity("exp_login", a.Params, "db", "login", "password"); err != nil {
		return err
	}
	return c.authenticate(r, a.Params[:3], reply)
}

// Authenticate answers common.authenticate(db, login, password, env).
func (c *commonService) Authenticate(r *http.Request, a *Args, reply *Reply) error {
	if err := arity("exp_authenticate", a.Params, "db", "login", "password", "user_agent_env"); err != nil {
		return err
	}
	return c.authenticate(r, a.Params[:3], reply)
}

func (c *commonService) authenticate(r *http.Request, p []any, reply *Reply) error {
	if err := c.s.checkDB(p[0]); err != nil {
		return err
	}
	uid, err := c.s.auth.Authenticate(r.Context(), str(p[1]), str(p[2]), false, routeFrom(r.Context()).remote)
	if err != nil {
		if models.KindOf(err) == models.KindAccessDenied {
			reply.Value = false
			return nil
		}
		return err
	}
	reply.Value = uid
	return nil
}

// dbService is Odoo's "db" service, without the master-password methods.
type dbService struct{ s *Server }

// List answers db.list(): the one database.
func (d *dbService) List(r *http.Request, _ *Args, reply *Reply) error {
	if d.s.cfg.NoDBList {
		return models.ErrAccessDenied
	}
	reply.Value = []any{d.s.cfg.DBName}
	return nil
}

// ServerVersion answers db.server_version().
func (d *dbService) ServerVersion(r *http.Request, _ *Args, reply *Reply) error {
	reply.Value = d.s.version.serverVersion
	return nil
}

// DbExist answers db.db_exist(name).
func (d *dbService) DbExist(r *http.Request, a *Args, reply *Reply) error {
	if err := arity("exp_db_exist", a.Params, "db_name"); err != nil {
		return err
	}
	reply.Value = str(a.Params[0]) == d.s.cfg.DBName
	return nil
}

// ListLang answers db.list_lang().
func (d *dbService) ListLang(r *http.Request, _ *Args, reply *Reply) error {
	reply.Value = []any{[]any{"en_US", "English (US)"}}
	return nil
}

// Denied answers the master-password methods: Access Denied.
func (d *dbService) Denied(r *http.Request, _ *Args, _ *Reply) error {
	return models.ErrAccessDenied
}

// truthy is Python's bool() on a decoded value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}
