// Package upstreamauth authenticates the callers of the engine's own
// (loyalty) calls against the upstream Odoo, when the engine runs in front
// of one (--odoo-url): the users, their passwords, API keys, groups and web
// sessions are Odoo's.
//
//   - Check(uid, password) asks Odoo with the caller's own credentials
//     (res.users.context_get through execute_kw): Odoo's AccessDenied is the
//     answer for a wrong password, so the caller gets the fault Odoo gives.
//   - Principal(uid) reads the user (login, name, partner, company, lang,
//     tz, groups_id) through the sync account and maps the group ids to xml
//     ids through ir.model.data (kept in process: group ids do not move).
//   - Sessions().Get(id) asks Odoo's /web/session/get_session_info with the
//     cookie: a web session is Odoo's, opened through the pass-through.
//
// Successful checks, principals and sessions are cached for a minute (TTL)
// in a cache.Cache (Redis when configured, so instances share them) under a
// SHA-256 of the credentials, never the password itself; a failed check is
// never cached. Odoo down is a clear fault ("ConnectionError: The upstream
// Odoo server could not be reached."), bounded by Timeout, never a hang.
package upstreamauth

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	kolo "github.com/kolo/xmlrpc"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/cache"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/rpc"
)

// Account is what the sync account's client (*odoo.Client) gives this
// package: reads of res.users and ir.model.data.
type Account interface {
	ExecuteKw(ctx context.Context, model, method string, args []any, kwargs map[string]any, out any) error
}

// Config configures an Auth.
type Config struct {
	URL     string  // the upstream Odoo's base URL
	DB      string  // its database
	Account Account // the sync account
	// Cache keeps successful checks (an in-process cache when nil).
	Cache cache.Cache
	// TTL of cached checks, principals and sessions (60 s when 0).
	TTL time.Duration
	// Timeout bounds one call to Odoo (30 s when 0).
	Timeout time.Duration
	// Transport carries the calls (a clone of http.DefaultTransport when nil).
	Transport http.RoundTripper
	// SessionTTL is what the session store reports (7 days when 0).
	SessionTTL time.Duration
	Log        *slog.Logger
}

// Auth implements rpc.Authenticator against the upstream Odoo.
type Auth struct {
	cfg    Config
	base   *url.URL
	client *http.Client
	cache  cache.Cache
	log    *slog.Logger

	mu     sync.Mutex
	groups map[int64]string // res.groups id → xml id ("" when it has none)
}

var _ rpc.Authenticator = (*Auth)(nil)

// New returns an Auth; it does not connect.
func New(cfg Config) (*Auth, error) {
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upstreamauth: bad URL %q", cfg.URL)
	}
	if cfg.DB == "" || cfg.Account == nil {
		return nil, errors.New("upstreamauth: DB and Account are required")
	}
	cfg.TTL = cmp.Or(cfg.TTL, time.Minute)
	cfg.Timeout = cmp.Or(cfg.Timeout, 30*time.Second)
	cfg.SessionTTL = cmp.Or(cfg.SessionTTL, 7*24*time.Hour)
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	c := cfg.Cache
	if c == nil {
		c = cache.NewMemory(10000, cfg.TTL)
	}
	return &Auth{cfg: cfg, base: u, client: &http.Client{Transport: cfg.Transport, Timeout: cfg.Timeout},
		cache: c, log: cfg.Log, groups: map[int64]string{}}, nil
}

// key is a cache key: a SHA-256 of the parts, so no secret is stored.
func key(kind string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "upauth:" + kind + ":" + hex.EncodeToString(h.Sum(nil))
}

// Authenticate forwards to Odoo's common.authenticate.
func (a *Auth) Authenticate(ctx context.Context, login, password string, _ bool, _ string) (int64, error) {
	var out any
	if err := a.xmlrpc(ctx, "common", "authenticate", []any{a.cfg.DB, login, password, map[string]any{}}, &out); err != nil {
		return 0, err
	}
	if uid, ok := out.(int64); ok && uid > 0 {
		return uid, nil
	}
	return 0, models.ErrAccessDenied
}

// Check verifies uid's password (or API key) with Odoo and returns the user.
func (a *Auth) Check(ctx context.Context, uid int64, password string) (*rpc.Principal, error) {
	k := key("check", a.cfg.DB, strconv.FormatInt(uid, 10), password)
	if p, ok := a.cached(ctx, k); ok {
		return p, nil
	}
	var uctx map[string]any
	if err := a.xmlrpc(ctx, "object", "execute_kw",
		[]any{a.cfg.DB, uid, password, "res.users", "context_get", []any{}}, &uctx); err != nil {
		return nil, err
	}
	p, err := a.Principal(ctx, uid)
	if err != nil {
		return nil, err
	}
	if l, ok := uctx["lang"].(string); ok && l != "" {
		p.Lang = l
	}
	if tz, ok := uctx["tz"].(string); ok && tz != "" {
		p.TZ = tz
	}
	a.store(ctx, k, p)
	return p, nil
}

// Principal reads uid through the sync account; models.ErrAccessDenied when
// Odoo has no such active user.
func (a *Auth) Principal(ctx context.Context, uid int64) (*rpc.Principal, error) {
	k := "upauth:principal:" + a.cfg.DB + ":" + strconv.FormatInt(uid, 10)
	if p, ok := a.cached(ctx, k); ok {
		return p, nil
	}
	var rows []map[string]any
	err := a.cfg.Account.ExecuteKw(ctx, "res.users", "read", []any{[]any{uid}}, map[string]any{
		"fields": []any{"login", "name", "partner_id", "company_id", "groups_id", "lang", "tz", "active"}}, &rows)
	if err != nil {
		return nil, a.upstreamErr(err)
	}
	if len(rows) == 0 || rows[0]["active"] == false {
		return nil, models.ErrAccessDenied
	}
	r := rows[0]
	p := &rpc.Principal{UID: uid, Login: str(r["login"]), Name: str(r["name"]), Lang: str(r["lang"]),
		TZ: str(r["tz"]), PartnerID: many2one(r["partner_id"]), CompanyID: many2one(r["company_id"]),
		Groups: map[string]bool{}}
	var gids []int64
	if list, ok := r["groups_id"].([]any); ok {
		for _, g := range list {
			if id, ok := g.(int64); ok {
				gids = append(gids, id)
			}
		}
	}
	names, err := a.groupNames(ctx, gids)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		p.Groups[n] = true
	}
	a.store(ctx, k, p)
	return p, nil
}

// APIKey: Odoo 17 has no bearer authentication, so no key is valid here.
func (a *Auth) APIKey(context.Context, string) (*rpc.Principal, error) {
	return nil, models.ErrAccessDenied
}

// groupNames maps res.groups ids to xml ids, asking ir.model.data only for
// ids not seen yet.
func (a *Auth) groupNames(ctx context.Context, ids []int64) ([]string, error) {
	a.mu.Lock()
	var missing []any
	for _, id := range ids {
		if _, ok := a.groups[id]; !ok {
			missing = append(missing, id)
		}
	}
	a.mu.Unlock()
	if len(missing) > 0 {
		var rows []map[string]any
		err := a.cfg.Account.ExecuteKw(ctx, "ir.model.data", "search_read",
			[]any{[]any{[]any{"model", "=", "res.groups"}, []any{"res_id", "in", missing}}},
			map[string]any{"fields": []any{"module", "name", "res_id"}}, &rows)
		if err != nil {
			return nil, a.upstreamErr(err)
		}
		a.mu.Lock()
		for _, id := range missing {
			if _, ok := a.groups[id.(int64)]; !ok {
				a.groups[id.(int64)] = ""
			}
		}
		for _, r := range rows {
			if id, ok := r["res_id"].(int64); ok {
				a.groups[id] = str(r["module"]) + "." + str(r["name"])
			}
		}
		a.mu.Unlock()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if n := a.groups[id]; n != "" {
			out = append(out, n)
		}
	}
	return out, nil
}

func (a *Auth) cached(ctx context.Context, k string) (*rpc.Principal, bool) {
	b, ok := a.cache.Get(ctx, k)
	if !ok {
		return nil, false
	}
	var p rpc.Principal
	if json.Unmarshal(b, &p) != nil || p.UID == 0 {
		return nil, false
	}
	return &p, true
}

func (a *Auth) store(ctx context.Context, k string, p *rpc.Principal) {
	if b, err := json.Marshal(p); err == nil {
		a.cache.Set(ctx, k, b, a.cfg.TTL)
	}
}

// errUnreachable is the fault of a call Odoo did not answer.
func errUnreachable(err error) error {
	return &models.Error{Kind: models.KindException, PyName: "ConnectionError",
		Message: "The upstream Odoo server could not be reached.", Err: err}
}

// upstreamErr keeps Odoo's faults and turns everything else (transport,
// HTTP status) into errUnreachable.
func (a *Auth) upstreamErr(err error) error {
	var me *models.Error
	if errors.As(err, &me) {
		return me
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return errUnreachable(err)
}

// xmlrpc makes one XML-RPC call with the caller's credentials, no retries:
// the caller is waiting.
func (a *Auth) xmlrpc(ctx context.Context, service, method string, params []any, out any) error {
	body, err := kolo.EncodeMethodCall(method, params...)
	if err != nil {
		return models.Internal(err)
	}
	data, err := a.post(ctx, a.base.JoinPath("xmlrpc", "2", service).String(), "text/xml", body, "")
	if err != nil {
		return err
	}
	resp := kolo.Response(data)
	if bytes.Contains(data, []byte("<fault>")) {
		if err := resp.Err(); err != nil {
			var f kolo.FaultError
			if errors.As(err, &f) {
				return odoo.FaultError(f.Code, f.String)
			}
			return errUnreachable(err)
		}
	}
	if err := resp.Unmarshal(out); err != nil {
		return errUnreachable(fmt.Errorf("decode reply: %w", err))
	}
	return nil
}

// post sends body and returns the reply's body (at most 16 MiB); a
// transport error or a status other than 200 is errUnreachable.
func (a *Auth) post(ctx context.Context, endpoint, contentType string, body []byte, sessionID string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, models.Internal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "loyaltyd-upstream-auth")
	if sessionID != "" {
		req.AddCookie(&http.Cookie{Name: "session_id", Value: sessionID})
	}
	resp, err := a.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		a.log.WarnContext(ctx, "upstream Odoo unreachable", slog.String("url", endpoint), slog.Any("err", err))
		return nil, errUnreachable(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, errUnreachable(err)
	}
	if resp.StatusCode != http.StatusOK {
		a.log.WarnContext(ctx, "upstream Odoo answered an error status", slog.String("url", endpoint),
			slog.Int("status", resp.StatusCode))
		return nil, errUnreachable(fmt.Errorf("http status %s", resp.Status))
	}
	return data, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// many2one reads an id from [id, name] or a bare id.
func many2one(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case []any:
		if len(x) > 0 {
			id, _ := x[0].(int64)
			return id
		}
	}
	return 0
}
