package odootest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/rpc"
)

// This file is the fake's web side: several users with groups, the web
// client's JSON routes (/jsonrpc, /web/session/authenticate,
// /web/session/get_session_info, /web/dataset/call_kw[/...]) with Odoo 17's
// 40-hex session cookie, a few static paths (/web/login, /web/assets/*,
// /pos/ui) and a log of every request as it arrived, so pass-through tests
// can check what reached Odoo.

// User is a user of the fake (AddUser).
type User struct {
	Login, Password, Name string
	// Groups are xml ids ("base.group_user", "point_of_sale.group_pos_user");
	// each becomes a res.groups record with its ir.model.data row.
	Groups    []string
	PartnerID int64
	CompanyID int64 // 1 when 0
	Lang, TZ  string
}

// Request is one HTTP request as the fake received it.
type Request struct {
	Method, Host, Path, RawQuery string
	Header                       http.Header
	Body                         []byte
}

// webState is the fake's web side; guarded by Server.mu.
type webState struct {
	passwords map[int64]string // uid → password of AddUser's users
	sessions  map[string]int64 // session id → uid
	requests  []Request
}

// AddUser adds a res.users record for u (with its groups, their res.groups
// records and xml ids) and returns its uid. The user of Options.Login gets
// Options.UID, and Options.Password when u.Password is empty.
func (s *Server) AddUser(u User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.installLocked(now, "res.users", "res.groups", "res.partner")
	gids := make([]any, 0, len(u.Groups))
	for _, x := range u.Groups {
		gids = append(gids, s.groupLocked(x, now))
	}
	if u.CompanyID == 0 {
		u.CompanyID = 1
	}
	lang, tz := cmpOr(u.Lang, "en_US"), cmpOr(u.TZ, "Europe/Brussels")
	if u.PartnerID == 0 {
		u.PartnerID = s.insert(s.tables["res.partner"], map[string]any{"name": u.Name}, now)
	}
	vals := map[string]any{"login": u.Login, "name": u.Name, "partner_id": u.PartnerID, "company_id": u.CompanyID,
		"groups_id": gids, "lang": lang, "tz": tz, "active": true, "share": false}
	t := s.tables["res.users"]
	var uid int64
	if u.Login == s.opt.Login {
		uid = s.opt.UID
		r := maps.Clone(vals)
		r["id"], r["create_date"], r["write_date"] = uid, now, now
		r["create_uid"], r["write_uid"] = s.opt.UID, s.opt.UID
		t.rows[uid] = r
		t.next = max(t.next, uid)
		if u.Password == "" {
			u.Password = s.opt.Password
		}
	} else {
		uid = s.insert(t, vals, now)
	}
	if s.web.passwords == nil {
		s.web.passwords = map[int64]string{}
	}
	s.web.passwords[uid] = u.Password
	return uid
}

// installLocked installs models not installed yet; s.mu is held.
func (s *Server) installLocked(now string, names ...string) {
	for _, n := range names {
		if _, ok := s.tables[n]; ok {
			continue
		}
		s.tables[n] = &table{rows: map[int64]map[string]any{}}
		s.insert(s.tables["ir.model"], map[string]any{"model": n, "name": n, "state": "base"}, now)
	}
}

// groupLocked returns the res.groups id of xml id x, making the group and
// its ir.model.data row the first time; s.mu is held.
func (s *Server) groupLocked(x, now string) int64 {
	module, name, _ := strings.Cut(x, ".")
	for _, r := range s.tables["ir.model.data"].rows {
		if r["module"] == module && r["name"] == name && r["model"] == "res.groups" {
			id, _ := r["res_id"].(int64)
			return id
		}
	}
	gid := s.insert(s.tables["res.groups"], map[string]any{"name": name, "full_name": x}, now)
	s.insert(s.tables["ir.model.data"], map[string]any{"module": module, "name": name, "model": "res.groups",
		"res_id": gid}, now)
	return gid
}

// login returns the uid of (db, login, password), 0 when they are wrong;
// s.mu is held.
func (s *Server) login(db, login, password any) int64 {
	if db != s.opt.DB {
		return 0
	}
	if login == s.opt.Login && password == s.opt.Password {
		return s.opt.UID
	}
	if t := s.tables["res.users"]; t != nil {
		for id, r := range t.rows {
			if r["login"] == login && r["active"] != false {
				if pw, ok := s.web.passwords[id]; ok && password == pw {
					return id
				}
			}
		}
	}
	return 0
}

// checkUser reports whether password is uid's; s.mu is held.
func (s *Server) checkUser(uid int64, password any) bool {
	if uid == s.opt.UID && password == s.opt.Password {
		return true
	}
	pw, ok := s.web.passwords[uid]
	return ok && password == pw
}

// executeAs runs one ORM call for uid, with the few methods the store does
// not know (res.users context_get); s.mu is held.
func (s *Server) executeAs(uid int64, model, method string, args []any, kw map[string]any) (any, error) {
	if model == "res.users" && method == "context_get" {
		lang, tz := "en_US", "Europe/Brussels"
		if t := s.tables["res.users"]; t != nil {
			if r := t.rows[uid]; r != nil {
				lang, _ = r["lang"].(string)
				tz, _ = r["tz"].(string)
			}
		}
		return models.D("lang", lang, "tz", tz, "uid", uid), nil
	}
	return s.execute(uid, model, method, args, kw)
}

// maxLogged bounds the request log.
const maxLogged = 4096

// Requests returns the requests received so far (path "" for all, else
// those of path), in order; only the last few thousand are kept.
func (s *Server) Requests(path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.web.requests {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Sessions counts the open web sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.web.sessions)
}

// record logs r and gives it a body that can be read again.
func (s *Server) record(r *http.Request) *http.Request {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	if len(s.web.requests) >= maxLogged { // benchmarks send many: keep the recent ones
		s.web.requests = append(s.web.requests[:0], s.web.requests[maxLogged/2:]...)
	}
	s.web.requests = append(s.web.requests, Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()
	return r
}

// serveWeb answers the web paths; false when r is not one of them.
func (s *Server) serveWeb(w http.ResponseWriter, r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == "/jsonrpc":
		s.jsonRoute(w, r, s.jsonrpc)
	case p == "/web/session/authenticate":
		s.jsonRoute(w, r, s.sessionAuthenticate)
	case p == "/web/session/get_session_info":
		s.jsonRoute(w, r, s.getSessionInfo)
	case p == "/web/session/destroy":
		s.jsonRoute(w, r, s.sessionDestroy)
	case p == "/web/dataset/call_kw" || strings.HasPrefix(p, "/web/dataset/call_kw/"):
		s.jsonRoute(w, r, s.callKw)
	case p == "/websocket" && strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
		s.websocket(w)
	case p == "/web/login" && r.Method == http.MethodGet:
		http.SetCookie(w, &http.Cookie{Name: "frontend_lang", Value: "en_US", Path: "/"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><body><form action=\"/web/login\">Odoo login</form></body></html>\n")
	case strings.HasPrefix(p, "/web/assets/") && r.Method == http.MethodGet:
		s.asset(w, r)
	case p == "/pos/ui" && r.Method == http.MethodGet:
		if _, ok := s.sessionUID(r); !ok {
			http.Redirect(w, r, "/web/login?redirect="+strings.ReplaceAll(r.URL.RequestURI(), "/", "%2F"), http.StatusSeeOther)
			return true
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><body>Point of Sale "+r.URL.Query().Get("config_id")+"</body></html>\n")
	default:
		return false
	}
	return true
}

// asset serves /web/assets/<name>: a script with a long cache and an ETag;
// names containing "big" are 2 MiB written in flushed chunks.
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	etag := `"` + strconv.Itoa(len(r.URL.Path)) + `-fake"`
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	if !strings.Contains(r.URL.Path, "big") {
		_, _ = io.WriteString(w, "/* "+r.URL.Path+" */\nconsole.log('odoo');\n")
		return
	}
	chunk := bytes.Repeat([]byte("/* big asset line of text */\n"), 1<<12) // ~116 KiB
	f, _ := w.(http.Flusher)
	for written := 0; written < 2<<20; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		if f != nil {
			f.Flush()
		}
	}
}

// jsonRoute decodes a JSON-RPC envelope, runs fn with its params and writes
// the answer; Block, Slow and HTTPStatus apply as to XML-RPC calls.
func (s *Server) jsonRoute(w http.ResponseWriter, r *http.Request, fn func(r *http.Request, params map[string]any) (string, any, error)) {
	if r.Method != http.MethodPost {
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	var env struct {
		ID     any            `json:"id"`
		Params map[string]any `json:"params"`
	}
	if err := dec.Decode(&env); err != nil {
		http.Error(w, "Invalid JSON data", http.StatusBadRequest)
		return
	}
	params, _ := rpc.NormalizeJSON(env.Params).(map[string]any)
	key := "web." + r.URL.Path
	if m, ok := params["model"].(string); ok {
		if f, ok := params["method"].(string); ok {
			key = m + "." + f
		}
	}
	if svc, _ := params["service"].(string); svc != "" {
		m, _ := params["method"].(string)
		key = svc + "." + m
		if args, _ := params["args"].([]any); svc == "object" && len(args) >= 5 {
			mo, _ := args[3].(string)
			me, _ := args[4].(string)
			key = mo + "." + me
		}
	}
	if !s.hold(r, key) {
		return
	}
	s.mu.Lock()
	if len(s.statuses) > 0 {
		st := s.statuses[0]
		s.statuses = s.statuses[1:]
		s.mu.Unlock()
		maps.Copy(w.Header(), st.header)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(st.code)
		_, _ = fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", st.code, http.StatusText(st.code))
		return
	}
	s.mu.Unlock()
	cookie, result, err := fn(r, params)
	out := map[string]any{"jsonrpc": "2.0", "id": rpc.NormalizeJSON(env.ID)}
	switch {
	case err != nil:
		out["error"] = jsonError(err)
	case result != nil:
		out["result"] = result
	}
	b, merr := json.Marshal(out)
	if merr != nil {
		http.Error(w, merr.Error(), http.StatusInternalServerError)
		return
	}
	if cookie != "" {
		w.Header().Add("Set-Cookie", "session_id="+cookie+"; Expires="+
			time.Now().Add(365*24*time.Hour).UTC().Format(http.TimeFormat)+"; Max-Age=604800; HttpOnly; Path=/")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

// hold counts a call and applies Block and Slow; false when the client went
// away meanwhile.
func (s *Server) hold(r *http.Request, key string) bool {
	s.mu.Lock()
	s.calls[key]++
	slow, gate, entered := s.slow, s.gate, s.entered
	s.mu.Unlock()
	if gate != nil {
		select {
		case entered <- key:
		default:
		}
		select {
		case <-gate:
		case <-r.Context().Done():
			return false
		}
	}
	if slow > 0 {
		t := time.NewTimer(slow)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		}
	}
	return true
}

// jsonrpc serves /jsonrpc {service, method, args}.
func (s *Server) jsonrpc(_ *http.Request, params map[string]any) (string, any, error) {
	service, _ := params["service"].(string)
	method, _ := params["method"].(string)
	args, _ := params["args"].([]any)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch service {
	case "common":
		res, err := s.common(method, args)
		return "", res, err
	case "object":
		key := "object." + method
		if len(args) >= 5 {
			m, _ := args[3].(string)
			f, _ := args[4].(string)
			key = m + "." + f
		}
		res, err := s.object(key, method, args)
		return "", res, err
	}
	return "", nil, &fault{code: 1, name: "KeyError", msg: "'" + service + "'"}
}

// sessionAuthenticate serves /web/session/authenticate {db, login,
// password}: a new session and its cookie.
func (s *Server) sessionAuthenticate(_ *http.Request, params map[string]any) (string, any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	uid := s.login(params["db"], params["login"], params["password"])
	if uid == 0 {
		return "", nil, &fault{code: 3, msg: "Access Denied"}
	}
	var b [20]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	if s.web.sessions == nil {
		s.web.sessions = map[string]int64{}
	}
	s.web.sessions[id] = uid
	return id, s.sessionInfo(uid), nil
}

// sessionDestroy serves /web/session/destroy: the session is gone.
func (s *Server) sessionDestroy(r *http.Request, _ map[string]any) (string, any, error) {
	if c, err := r.Cookie("session_id"); err == nil {
		s.mu.Lock()
		delete(s.web.sessions, c.Value)
		s.mu.Unlock()
	}
	return "", nil, nil
}

// websocket switches protocols and echoes every byte it gets (no frames:
// enough to see an upgraded connection pass through).
func (s *Server) websocket(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "no hijack", http.StatusInternalServerError)
		return
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	if rw.Flush() != nil {
		return
	}
	buf := make([]byte, 4096)
	for {
		n, err := rw.Read(buf)
		if n > 0 {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// getSessionInfo serves /web/session/get_session_info.
func (s *Server) getSessionInfo(r *http.Request, _ map[string]any) (string, any, error) {
	uid, ok := s.sessionUID(r)
	if !ok {
		return "", nil, errSessionExpired
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return "", s.sessionInfo(uid), nil
}

// callKw serves /web/dataset/call_kw[/...] {model, method, args, kwargs}.
func (s *Server) callKw(r *http.Request, params map[string]any) (string, any, error) {
	uid, ok := s.sessionUID(r)
	if !ok {
		return "", nil, errSessionExpired
	}
	model, _ := params["model"].(string)
	method, _ := params["method"].(string)
	args, _ := params["args"].([]any)
	kw, _ := params["kwargs"].(map[string]any)
	key := model + "." + method
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.faults[key]; f != nil {
		return "", nil, f
	}
	if f := s.faults[model+".*"]; f != nil {
		return "", nil, f
	}
	args, _ = normalize(args).([]any)
	kw, _ = normalize(kw).(map[string]any)
	res, err := s.executeAs(uid, model, method, args, kw)
	if err == nil {
		s.executed[key]++
	}
	return "", res, err
}

// sessionUID is the uid of r's session cookie.
func (s *Server) sessionUID(r *http.Request) (int64, bool) {
	c, err := r.Cookie("session_id")
	if err != nil {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uid, ok := s.web.sessions[c.Value]
	return uid, ok
}

// sessionInfo is the part of Odoo 17's session_info the fake knows; s.mu
// is held.
func (s *Server) sessionInfo(uid int64) *models.Dict {
	name, login, lang, tz := "Mitchell Admin", s.opt.Login, "en_US", "Europe/Brussels"
	var partner any = int64(3)
	if t := s.tables["res.users"]; t != nil {
		if r := t.rows[uid]; r != nil {
			name, _ = r["name"].(string)
			login, _ = r["login"].(string)
			lang, _ = r["lang"].(string)
			tz, _ = r["tz"].(string)
			partner = r["partner_id"]
		}
	}
	return models.D("uid", uid, "is_system", uid == s.opt.UID, "is_admin", uid == s.opt.UID, "is_internal_user", true,
		"user_context", models.D("lang", lang, "tz", tz, "uid", uid), "db", s.opt.DB,
		"server_version", s.opt.Version,
		"server_version_info", []any{int64(17), int64(0), int64(0), "final", int64(0), ""},
		"name", name, "username", login, "partner_id", partner)
}

var errSessionExpired = &fault{code: 100, name: "odoo.http.SessionExpiredException", msg: "Session expired"}

// jsonError renders err as Odoo 17's JSON-RPC error object.
func jsonError(err error) map[string]any {
	f, ok := err.(*fault)
	if !ok {
		f = &fault{code: 1, name: "Exception", msg: err.Error()}
	}
	name := f.name
	switch f.code {
	case 100:
		return map[string]any{"code": 100, "message": "Odoo Session Expired", "data": map[string]any{
			"name": name, "debug": Traceback(name, f.msg), "message": f.msg, "arguments": []any{f.msg}, "context": map[string]any{}}}
	case 3:
		name = "odoo.exceptions.AccessDenied"
	case 4:
		name = "odoo.exceptions.AccessError"
	case 2:
		if !strings.HasPrefix(name, "odoo.exceptions.") {
			name = "odoo.exceptions.UserError"
		}
	default:
		if !strings.Contains(name, ".") {
			name = "builtins." + name
		}
	}
	return map[string]any{"code": 200, "message": "Odoo Server Error", "data": map[string]any{
		"name": name, "debug": Traceback(name, f.msg), "message": f.msg, "arguments": []any{f.msg}, "context": map[string]any{}}}
}
