// Package auth authenticates the users of the Odoo-compatible API: the
// res_users passwords and res_users_apikeys API keys, login throttling, and
// the res.users / res.groups model descriptors.
//
// Passwords and API keys are stored as passlib pbkdf2_sha512 hashes
// ("$pbkdf2-sha512$600000$<salt>$<checksum>"), the format Odoo writes, so
// users copied from an Odoo database keep their passwords. As in Odoo:
//
//   - common.login / common.authenticate call Authenticate with
//     interactive=false: the password, then the user's API keys (scope
//     NULL or "rpc", not expired) are tried. /web/session/authenticate calls
//     it with interactive=true: passwords only.
//   - every execute_kw calls Check(uid, password), whose successes are cached
//     for a minute so a client looping over execute_kw pays for pbkdf2 once.
//   - after 5 failures for one (login, remote address), attempts are refused
//     for 60 s with models.ErrTooManyFailures, even with the right password.
//
// Wiring, in cmd:
//
//	limiter := auth.NewRedisLimiter(rdb, auth.DefaultMaxFailures, auth.DefaultCooldown, log)
//	users := auth.New(db, auth.Options{Limiter: limiter}, log)
//	if pw, created, err := users.EnsureAdmin(ctx, cfg.AdminPassword); err != nil {
//		return err
//	} else if created && pw != "" {
//		fmt.Fprintf(os.Stderr, "admin password: %s\n", pw) // shown once
//	}
//	registry.MustRegister(auth.Models(users)...)
//
//	uid, err := users.Authenticate(ctx, login, password, false, remoteAddr)
//	user, err := users.Check(ctx, uid, password) // per execute_kw
package auth
