package upstreamauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/odoo-loyalty/loyaltyd/rpc"
)

// Sessions is the rpc.SessionStore of the upstream's web sessions: the
// engine never opens one (authentication goes to Odoo through the
// pass-through); it recognises Odoo's.
type Sessions struct{ a *Auth }

var _ rpc.SessionStore = Sessions{}

// Sessions returns the session store backed by Odoo's sessions.
func (a *Auth) Sessions() Sessions { return Sessions{a} }

// errNoLocalSessions: Save is never called in upstream mode.
var errNoLocalSessions = errors.New("upstreamauth: web sessions are the upstream Odoo's")

// Save refuses: sessions are made by Odoo.
func (s Sessions) Save(context.Context, *rpc.Session) error { return errNoLocalSessions }

// TTL is how long Odoo keeps a session (7 days, Odoo 17's default).
func (s Sessions) TTL() time.Duration { return s.a.cfg.SessionTTL }

// Delete forgets what the cache knows of id (Odoo's session stays Odoo's).
func (s Sessions) Delete(ctx context.Context, id string) error {
	s.a.cache.Delete(ctx, key("session", s.a.cfg.DB, id))
	return nil
}

// cachedSession is a validated session in the cache.
type cachedSession struct {
	UID   int64  `json:"uid"`
	Login string `json:"login"`
}

// Get asks Odoo's /web/session/get_session_info with the cookie id: the
// session's user, or (nil, nil) when Odoo says the session expired. A
// valid answer is cached for the TTL.
func (s Sessions) Get(ctx context.Context, id string) (*rpc.Session, error) {
	a := s.a
	k := key("session", a.cfg.DB, id)
	if b, ok := a.cache.Get(ctx, k); ok {
		var c cachedSession
		if json.Unmarshal(b, &c) == nil && c.UID > 0 {
			return &rpc.Session{ID: id, UID: c.UID, DB: a.cfg.DB, Login: c.Login}, nil
		}
	}
	body := []byte(`{"jsonrpc": "2.0", "method": "call", "id": null, "params": {}}`)
	data, err := a.post(ctx, a.base.JoinPath("web", "session", "get_session_info").String(), "application/json", body, id)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var env struct {
		Result *struct {
			UID      any    `json:"uid"`
			DB       string `json:"db"`
			Username string `json:"username"`
		} `json:"result"`
		Error *struct {
			Code int `json:"code"`
		} `json:"error"`
	}
	if err := dec.Decode(&env); err != nil {
		return nil, errUnreachable(err)
	}
	if env.Error != nil || env.Result == nil {
		return nil, nil // code 100: expired (or any refusal): not a session
	}
	n, _ := env.Result.UID.(json.Number)
	uid, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || uid <= 0 || (env.Result.DB != "" && env.Result.DB != a.cfg.DB) {
		return nil, nil // a session without a user (2FA pending) or of another database
	}
	if b, err := json.Marshal(cachedSession{UID: uid, Login: env.Result.Username}); err == nil {
		a.cache.Set(ctx, k, b, a.cfg.TTL)
	}
	return &rpc.Session{ID: id, UID: uid, DB: a.cfg.DB, Login: env.Result.Username}, nil
}
