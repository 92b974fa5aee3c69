package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Options configures a Service; zero values mean the defaults.
type Options struct {
	// Limiter throttles failed logins; nil means an in-memory limiter with
	// DefaultMaxFailures and DefaultCooldown.
	Limiter Limiter
	// PasswordRounds is the pbkdf2 cost of new password hashes
	// (DefaultPasswordRounds). Stored hashes with fewer rounds, and legacy
	// clear-text passwords, are rehashed at the next successful login.
	PasswordRounds int
	// KeyRounds is the pbkdf2 cost of new API key hashes (DefaultKeyRounds).
	KeyRounds int
	// CheckCacheTTL is how long Check remembers a success
	// (DefaultCheckCacheTTL); a negative value disables the cache.
	CheckCacheTTL time.Duration
	// Now is the clock for key expiry and the check cache; nil is time.Now.
	Now func() time.Time
}

// Service authenticates users against res_users and res_users_apikeys.
// It is safe for concurrent use.
type Service struct {
	db             *models.DB
	log            *slog.Logger
	limiter        Limiter
	passwordRounds int
	keyRounds      int
	now            func() time.Time
	cache          *checkCache

	// verifyFunc checks a password against a pbkdf2 hash; tests count
	// its calls.
	verifyFunc func(password, encoded string) (bool, error)
}

// New returns a Service over db.
func New(db *models.DB, opts Options, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Limiter == nil {
		opts.Limiter = NewMemoryLimiter(DefaultMaxFailures, DefaultCooldown, opts.Now)
	}
	if opts.PasswordRounds < 1 {
		opts.PasswordRounds = DefaultPasswordRounds
	}
	if opts.KeyRounds < 1 {
		opts.KeyRounds = DefaultKeyRounds
	}
	if opts.CheckCacheTTL == 0 {
		opts.CheckCacheTTL = DefaultCheckCacheTTL
	}
	return &Service{
		db:             db,
		log:            log,
		limiter:        opts.Limiter,
		passwordRounds: opts.PasswordRounds,
		keyRounds:      opts.KeyRounds,
		now:            opts.Now,
		cache:          newCheckCache(opts.CheckCacheTTL),
		verifyFunc:     VerifyPassword,
	}
}

// Authenticate returns the uid of the active user login whose password
// (or, when not interactive, one of whose rpc API keys) is password, as
// Odoo's res.users.authenticate does. Bad credentials are
// models.ErrAccessDenied; a (login, remoteAddr) pair with too many recent
// failures is refused with models.ErrTooManyFailures, even with the right
// password, until its cooldown ends. remoteAddr may carry a port
// (http.Request.RemoteAddr); only the host counts. Limiter errors are
// logged and ignored.
func (s *Service) Authenticate(ctx context.Context, login, password string, interactive bool, remoteAddr string) (int64, error) {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		remoteAddr = host
	}
	key := strings.ToLower(login) + "|" + remoteAddr
	allowed, err := s.limit(ctx, s.limiter.Allowed, key)
	if err != nil {
		s.log.WarnContext(ctx, "login limiter unavailable, attempt allowed", "err", err)
		allowed = true
	}
	if !allowed {
		s.log.WarnContext(ctx, "login refused: too many failures", "login", login, "remote_addr", remoteAddr)
		return 0, models.ErrTooManyFailures
	}
	uid, err := s.login(ctx, login, password, interactive)
	switch {
	case err == nil:
		if _, err := s.limit(ctx, noResult(s.limiter.Reset), key); err != nil {
			s.log.WarnContext(ctx, "login limiter: reset failed", "err", err)
		}
		s.log.InfoContext(ctx, "login successful", "login", login, "uid", uid, "remote_addr", remoteAddr)
		return uid, nil
	case errors.Is(err, models.ErrAccessDenied):
		if _, err := s.limit(ctx, noResult(s.limiter.Fail), key); err != nil {
			s.log.WarnContext(ctx, "login limiter: recording failure failed", "err", err)
		}
		s.log.InfoContext(ctx, "login failed", "login", login, "remote_addr", remoteAddr)
		return 0, models.ErrAccessDenied
	default:
		return 0, fmt.Errorf("authenticate: %w", err)
	}
}

// limiterTimeout bounds each Limiter call, so an unreachable or hung
// Redis slows a login down by this much at most.
const limiterTimeout = 500 * time.Millisecond

// limit runs one Limiter call, giving up after limiterTimeout even if the
// call ignores its context (go-redis does, unless the client was built
// with ContextTimeoutEnabled); the abandoned call ends on its own timeout.
func (s *Service) limit(ctx context.Context, fn func(context.Context, string) (bool, error), key string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, limiterTimeout)
	defer cancel()
	type result struct {
		ok  bool
		err error
	}
	done := make(chan result, 1)
	go func() {
		ok, err := fn(ctx, key)
		done <- result{ok, err}
	}()
	select {
	case r := <-done:
		return r.ok, r.err
	case <-ctx.Done():
		return true, fmt.Errorf("login limiter: %w", ctx.Err())
	}
}

// noResult adapts Fail and Reset to limit.
func noResult(fn func(context.Context, string) error) func(context.Context, string) (bool, error) {
	return func(ctx context.Context, key string) (bool, error) { return true, fn(ctx, key) }
}

// login finds the active user login and checks password.
func (s *Service) login(ctx context.Context, login, password string, interactive bool) (int64, error) {
	if login == "" || password == "" {
		return 0, models.ErrAccessDenied
	}
	var (
		uid    int64
		stored sql.NullString
	)
	err := s.db.QueryRowContext(ctx,
		`SELECT id, password FROM res_users WHERE login = ? AND active`, login).Scan(&uid, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, models.ErrAccessDenied
	}
	if err != nil {
		return 0, err
	}
	ok, err := s.checkCredentials(ctx, s.db, uid, stored.String, password, interactive)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, models.ErrAccessDenied
	}
	return uid, nil
}

// Check verifies the credentials of an execute_kw call, as Odoo's
// res.users.check does: uid must be an active user and password its
// password or one of its rpc API keys. It returns the user; any failure is
// models.ErrAccessDenied. Successes are cached for CheckCacheTTL, and the
// cache is emptied whenever a password, key, user or group changes through
// this Service or the res.users model.
func (s *Service) Check(ctx context.Context, uid int64, password string) (*User, error) {
	if uid <= 0 || password == "" {
		return nil, models.ErrAccessDenied
	}
	gen := s.cache.generation()
	if u := s.cache.get(uid, password, s.now()); u != nil {
		return u, nil
	}
	u, stored, err := loadUser(ctx, s.db, uid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, models.ErrAccessDenied
	}
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if !u.Active {
		return nil, models.ErrAccessDenied
	}
	ok, err := s.checkCredentials(ctx, s.db, uid, stored, password, false)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if !ok {
		return nil, models.ErrAccessDenied
	}
	s.cache.put(uid, password, u, gen, s.now())
	return u, nil
}

// checkCredentials reports whether password is uid's password or, when
// not interactive, one of its API keys. stored is the password column.
func (s *Service) checkCredentials(ctx context.Context, db bun.IDB, uid int64, stored, password string, interactive bool) (bool, error) {
	ok, upgrade := s.verifyStored(ctx, password, stored)
	if ok {
		if upgrade {
			s.rehash(ctx, uid, password)
		}
		return true, nil
	}
	if interactive {
		return false, nil
	}
	return s.checkAPIKey(ctx, db, uid, password)
}

// verifyStored checks password against a password column value and
// reports whether the value should be rehashed (too few rounds, or a legacy
// clear-text password as Odoo's deprecated "plaintext" scheme allows).
func (s *Service) verifyStored(ctx context.Context, password, stored string) (ok, upgrade bool) {
	switch {
	case stored == "" || password == "":
		return false, false
	case !IsHash(stored):
		ok = subtle.ConstantTimeCompare([]byte(password), []byte(stored)) == 1
		return ok, ok
	}
	ok, err := s.verifyFunc(password, stored)
	if err != nil {
		s.log.WarnContext(ctx, "stored password hash unreadable", "err", err)
		return false, false
	}
	return ok, ok && HashRounds(stored) < s.passwordRounds
}

// rehash stores a fresh hash of uid's password; a failure is only logged,
// the login it follows has succeeded.
func (s *Service) rehash(ctx context.Context, uid int64, password string) {
	if err := s.SetPassword(ctx, uid, password); err != nil {
		s.log.WarnContext(ctx, "password rehash failed", "uid", uid, "err", err)
	}
}
