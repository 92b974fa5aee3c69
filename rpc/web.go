package rpc

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// webService serves the web client's JSON routes (/web/session/*,
// /web/dataset/*); its methods take the JSON-RPC params by name.
type webService struct{ s *Server }

// VersionInfo answers /web/webclient/version_info.
func (w *webService) VersionInfo(r *http.Request, _ *Args, reply *Reply) error {
	reply.Value = w.s.version.dict()
	return nil
}

// DatabaseList answers /web/database/list.
func (w *webService) DatabaseList(r *http.Request, _ *Args, reply *Reply) error {
	reply.Value = []any{w.s.cfg.DBName}
	return nil
}

// SessionAuthenticate answers /web/session/authenticate {db, login,
// password}: an interactive login (no API keys), a session cookie and the
// session_info dict.
func (w *webService) SessionAuthenticate(r *http.Request, a *Args, reply *Reply) error {
	for _, k := range []string{"db", "login", "password"} {
		if _, ok := a.Named[k]; !ok {
			return models.TypeErrorf("Session.authenticate() missing 1 required positional argument: '%s'", k)
		}
	}
	if str(a.Named["db"]) != w.s.cfg.DBName {
		return models.AccessErrorf("Database not found.")
	}
	ctx := r.Context()
	rt := routeFrom(ctx)
	uid, err := w.s.auth.Authenticate(ctx, str(a.Named["login"]), str(a.Named["password"]), true, rt.remote)
	if err != nil {
		return err
	}
	p, err := w.s.auth.Principal(ctx, uid)
	if err != nil {
		return err
	}
	id, err := newSessionID()
	if err != nil {
		return models.Internal(err)
	}
	sess := &Session{ID: id, UID: uid, DB: w.s.cfg.DBName, Login: p.Login, Created: time.Now().UTC()}
	if err := w.s.sessions.Save(ctx, sess); err != nil {
		return models.Internal(err)
	}
	ttl := w.s.sessions.TTL()
	rt.cookie = &http.Cookie{Name: "session_id", Value: id, Path: "/", HttpOnly: true,
		MaxAge: int(ttl / time.Second), Expires: time.Now().Add(365 * 24 * time.Hour)}
	reply.Value = w.s.sessionInfo(ctx, p)
	return nil
}

// GetSessionInfo answers /web/session/get_session_info.
func (w *webService) GetSessionInfo(r *http.Request, _ *Args, reply *Reply) error {
	p, _, err := w.s.session(r)
	if err != nil {
		return err
	}
	reply.Value = w.s.sessionInfo(r.Context(), p)
	return nil
}

// SessionCheck answers /web/session/check: nothing, or code 100.
func (w *webService) SessionCheck(r *http.Request, _ *Args, reply *Reply) error {
	if _, _, err := w.s.session(r); err != nil {
		return err
	}
	reply.None = true
	return nil
}

// SessionModules answers /web/session/modules.
func (w *webService) SessionModules(r *http.Request, _ *Args, reply *Reply) error {
	if _, _, err := w.s.session(r); err != nil {
		return err
	}
	mods := make([]any, len(w.s.cfg.Modules))
	for i, m := range w.s.cfg.Modules {
		mods[i] = m
	}
	reply.Value = mods
	return nil
}

// SessionDestroy answers /web/session/destroy: the session is gone.
func (w *webService) SessionDestroy(r *http.Request, _ *Args, reply *Reply) error {
	if _, sess, err := w.s.session(r); err == nil {
		if err := w.s.sessions.Delete(r.Context(), sess.ID); err != nil {
			return models.Internal(err)
		}
	}
	reply.None = true
	return nil
}

// CallKw answers /web/dataset/call_kw[/<path>] {model, method, args,
// kwargs} for the session's user.
func (w *webService) CallKw(r *http.Request, a *Args, reply *Reply) error {
	out, err := w.callKw(r, a)
	if err != nil {
		return err
	}
	setReply(reply, out)
	return nil
}

// CallButton answers /web/dataset/call_button: like call_kw, but a result
// that is not an action dict becomes False.
func (w *webService) CallButton(r *http.Request, a *Args, reply *Reply) error {
	out, err := w.callKw(r, a)
	if err != nil {
		return err
	}
	switch out.(type) {
	case *models.Dict, map[string]any:
		reply.Value = out
	default:
		reply.Value = false
	}
	return nil
}

func (w *webService) callKw(r *http.Request, a *Args) (any, error) {
	model, hasModel := a.Named["model"].(string)
	if w.s.version.major >= 18 && hasModel && w.s.exec.Model(model) == nil {
		return nil, models.Errorf(models.KindNotFound, "404 Not Found: The requested URL was not found on the server.")
	}
	p, _, err := w.s.session(r)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"model", "method", "args", "kwargs"} {
		if _, ok := a.Named[k]; !ok {
			return nil, models.TypeErrorf("DataSet.call_kw() missing 1 required positional argument: '%s'", k)
		}
	}
	method, _ := a.Named["method"].(string)
	if len(method) > 0 && method[0] == '_' || method == "init" {
		return nil, models.AccessErrorf("Private methods (such as %s) cannot be called remotely.", method)
	}
	if !hasModel || w.s.exec.Model(model) == nil {
		return nil, models.KeyErrorf("%v", a.Named["model"])
	}
	args, ok := a.Named["args"].([]any)
	if !ok {
		return nil, models.TypeErrorf("args must be a list")
	}
	kwargs, _ := a.Named["kwargs"].(map[string]any)
	return w.s.exec.Execute(r.Context(), w.s.env(p, nil), model, method, args, kwargs)
}

// session returns the user of the request's session_id cookie, or
// SessionExpired (JSON-RPC code 100).
func (s *Server) session(r *http.Request) (*Principal, *Session, error) {
	c, err := r.Cookie("session_id")
	if err != nil || !validSessionID(c.Value) {
		return nil, nil, models.ErrSessionExpired
	}
	sess, err := s.sessions.Get(r.Context(), c.Value)
	if err != nil {
		return nil, nil, models.Internal(err)
	}
	if sess == nil || sess.DB != s.cfg.DBName {
		return nil, nil, models.ErrSessionExpired
	}
	p, err := s.auth.Principal(r.Context(), sess.UID)
	if err != nil {
		if models.KindOf(err) == models.KindAccessDenied {
			return nil, nil, models.ErrSessionExpired
		}
		return nil, nil, err
	}
	return p, sess, nil
}

// sessionInfo builds Odoo 17's session_info dict for p.
func (s *Server) sessionInfo(ctx context.Context, p *Principal) *models.Dict {
	company := s.company(ctx, p)
	isSystem := p.Groups["base.group_system"]
	lang, tz := p.Lang, p.TZ
	if lang == "" {
		lang = "en_US"
	}
	if tz == "" {
		tz = "UTC"
	}
	cid := p.CompanyID
	if cid == 0 {
		cid = 1
	}
	return models.D(
		"uid", p.UID,
		"is_system", isSystem,
		"is_admin", isSystem,
		"is_internal_user", p.Groups["base.group_user"],
		"user_context", models.D("lang", lang, "tz", tz, "uid", p.UID),
		"db", s.cfg.DBName,
		"server_version", s.version.serverVersion,
		"server_version_info", s.version.info,
		"support_url", "https://www.odoo.com/buy",
		"name", p.Name,
		"username", p.Login,
		"partner_display_name", p.Name,
		"partner_id", p.PartnerID,
		"web.base.url", s.cfg.BaseURL,
		"active_ids_limit", 20000,
		"profile_session", nil,
		"profile_collectors", nil,
		"profile_params", nil,
		"max_file_upload_size", 134217728,
		"home_action_id", false,
		"cache_hashes", models.D("translations", "", "load_menus", ""),
		"currencies", map[string]any{"1": models.D("symbol", company.symbol, "position", company.position,
			"digits", []any{69, company.digits})},
		"bundle_params", models.D("lang", lang),
		"user_companies", models.D("current_company", cid,
			"allowed_companies", map[string]any{strconv.FormatInt(cid, 10): models.D("id", cid, "name", company.name,
				"sequence", 0, "child_ids", []any{}, "parent_id", false)},
			"disallowed_ancestor_companies", map[string]any{}),
		"show_effect", true,
		"display_switch_company_menu", false,
		"user_id", []any{p.UID},
	)
}

type companyInfo struct {
	name, symbol, position string
	digits                 int
}

// company reads the user's company and its currency through the executor,
// falling back to neutral values when the models are not there.
func (s *Server) company(ctx context.Context, p *Principal) companyInfo {
	ci := companyInfo{name: "My Company", symbol: "$", position: "before", digits: 2}
	cid := p.CompanyID
	if cid == 0 {
		cid = 1
	}
	env := &models.Env{DB: s.cfg.DBName, UID: p.UID, Superuser: true, Context: map[string]any{}, Version: s.version.major}
	out, err := s.exec.Execute(ctx, env, "res.company", "read", []any{[]any{cid}}, map[string]any{"fields": []any{"name", "currency_id"}, "load": ""})
	rows, _ := out.([]any)
	if err != nil || len(rows) == 0 {
		return ci
	}
	row, _ := rows[0].(*models.Dict)
	if row == nil {
		return ci
	}
	if v, ok := row.Get("name"); ok {
		if n, ok := v.(string); ok {
			ci.name = n
		}
	}
	curID, _ := row.Get("currency_id")
	if id, ok := curID.(int64); ok {
		out, err := s.exec.Execute(ctx, env, "res.currency", "read", []any{[]any{id}}, map[string]any{"fields": []any{"symbol", "position", "decimal_places"}})
		if rows, _ := out.([]any); err == nil && len(rows) > 0 {
			if cur, _ := rows[0].(*models.Dict); cur != nil {
				if v, ok := cur.Get("symbol"); ok {
					if sym, ok := v.(string); ok {
						ci.symbol = sym
					}
				}
				if v, ok := cur.Get("position"); ok {
					if pos, ok := v.(string); ok {
						ci.position = pos
					}
				}
				if v, ok := cur.Get("decimal_places"); ok {
					if d, ok := v.(int64); ok {
						ci.digits = int(d)
					}
				}
			}
		}
	}
	return ci
}
