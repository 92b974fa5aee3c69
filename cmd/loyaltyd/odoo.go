package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/odoo-loyalty/loyaltyd/odoo"
)

// openOdoo makes the client of the upstream Odoo when --odoo-url is set. It
// does not connect: the first call authenticates, so the server starts
// (and keeps its outbox) while Odoo is down.
func (a *app) openOdoo() error {
	if a.cfg.OdooURL == "" {
		return nil
	}
	c, err := odoo.New(odoo.Config{URL: a.cfg.OdooURL, DB: a.cfg.OdooDB, Login: a.cfg.OdooLogin,
		APIKey: a.cfg.OdooAPIKey, Timeout: a.cfg.OdooTimeout}, a.log)
	if err != nil {
		return fmt.Errorf("--odoo-url: %w", err)
	}
	a.odoo = c
	return nil
}

// front is the server's whole HTTP handler: the webhook, then the
// pass-through to the upstream Odoo (when configured) around the local API.
func (a *app) front() http.Handler {
	h := a.frontHandler(a.handler)
	wh := a.webhookHandler()
	if wh == nil {
		return h
	}
	mux := http.NewServeMux()
	mux.Handle("/loyaltyd/webhook", wh)
	mux.Handle("/", h)
	return mux
}

// checkUpstreamVersion warns when the upstream Odoo's major version is not
// the one the server behaves as (--server-version): the pass-through
// reports Odoo's own version, the owned methods follow the flag. Odoo down:
// nothing to compare yet, said at debug level.
func (a *app) checkUpstreamVersion(ctx context.Context) {
	if a.odoo == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := a.odoo.Version(ctx)
	if err != nil {
		a.log.DebugContext(ctx, "upstream version unknown", slog.Any("err", err))
		return
	}
	ours, _ := strconv.Atoi(strings.SplitN(a.cfg.ServerVersion, ".", 2)[0])
	if v.Major() != 0 && v.Major() != ours {
		a.log.WarnContext(ctx, "the upstream Odoo's version differs from --server-version: set --server-version to match it",
			slog.String("upstream", v.ServerVersion), slog.String("server_version", a.cfg.ServerVersion))
	}
}
