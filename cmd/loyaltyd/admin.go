package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/auth"
	"github.com/odoo-loyalty/loyaltyd/rpc"
)

// cmdMigrate applies the migrations and exits.
func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := parseConfig("migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "loyaltyd: database %s is up to date\n", cfg.DBName)
	return nil
}

// cmdExpire runs the expiry job once (what serve does every
// --expire-interval) and prints what it expired.
func cmdExpire(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := parseConfig("expire", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errors.New("usage: loyaltyd expire [flags]")
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := runExpiryOnce(ctx, a.engine, time.Now(), a.log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loyaltyd: expired %d lots (%s points) on %d cards\n", st.Lots, st.Points.StringFixed(2), st.Cards)
	return nil
}

// cmdAPIKey creates an API key for a user: the CLI shortcut beside Odoo's
// own preferences dialog, which has no plain RPC form.
func cmdAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := parseConfig("apikey", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) < 1 || len(rest) > 2 {
		return errors.New("usage: loyaltyd apikey [flags] LOGIN [NAME]")
	}
	name := "loyaltyd cli"
	if len(rest) == 2 {
		name = rest[1]
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	uid, err := a.auth.UserID(ctx, rest[0])
	if err != nil {
		return err
	}
	key, err := a.auth.NewAPIKey(ctx, uid, name, "rpc", nil)
	if err != nil {
		return err
	}
	a.log.Info("api key created", slog.String("login", rest[0]), slog.String("name", name))
	fmt.Fprintln(stdout, key)
	return nil
}

// cmdPasswd sets a user's password, read from the first line of stdin.
func cmdPasswd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := parseConfig("passwd", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: loyaltyd passwd [flags] LOGIN   (the new password is read from stdin)")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return errors.New("empty password on stdin")
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	uid, err := a.auth.UserID(ctx, rest[0])
	if err != nil {
		return err
	}
	if err := a.auth.SetPassword(ctx, uid, pw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loyaltyd: password of %s changed\n", rest[0])
	return nil
}

// authAdapter presents auth.Service as the rpc package's Authenticator.
type authAdapter struct{ s *auth.Service }

// Authenticate checks a login's password (or API key when not
// interactive).
func (a authAdapter) Authenticate(ctx context.Context, login, password string, interactive bool, remoteAddr string) (int64, error) {
	return a.s.Authenticate(ctx, login, password, interactive, remoteAddr)
}

// Check verifies an object call's credentials.
func (a authAdapter) Check(ctx context.Context, uid int64, password string) (*rpc.Principal, error) {
	u, err := a.s.Check(ctx, uid, password)
	if err != nil {
		return nil, err
	}
	return principal(u), nil
}

// Principal loads an active user; archived or unknown users are
// AccessDenied, which ends a web session.
func (a authAdapter) Principal(ctx context.Context, uid int64) (*rpc.Principal, error) {
	u, err := a.s.User(ctx, uid)
	if err != nil {
		if models.KindOf(err) == models.KindMissing {
			return nil, models.ErrAccessDenied
		}
		return nil, err
	}
	if !u.Active {
		return nil, models.ErrAccessDenied
	}
	return principal(u), nil
}

// APIKey authenticates a bearer API key.
func (a authAdapter) APIKey(ctx context.Context, key string) (*rpc.Principal, error) {
	u, err := a.s.APIKeyUser(ctx, key)
	if err != nil {
		return nil, err
	}
	return principal(u), nil
}

func principal(u *auth.User) *rpc.Principal {
	return &rpc.Principal{UID: u.ID, Login: u.Login, Name: u.Name, Lang: u.Lang, TZ: u.TZ,
		PartnerID: u.PartnerID, CompanyID: u.CompanyID, Groups: u.Groups}
}
