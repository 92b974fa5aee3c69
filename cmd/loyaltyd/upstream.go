package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/odoo-loyalty/loyaltyd/odoo/proxy"
	"github.com/odoo-loyalty/loyaltyd/odoo/upstreamauth"
)

// upstreamPart is the pass-through's state on the app (H3 owns this file).
type upstreamPart struct {
	// upAuth checks the callers of the owned calls against Odoo.
	upAuth *upstreamauth.Auth
	// upProxy is the pass-through's configuration (Local set by
	// frontHandler); nil when standalone.
	upProxy *proxy.Config
	// OnReferenceWrite, when set (by the pull's wiring), is called after a
	// create, write or unlink of a reference model passed through to Odoo
	// succeeded, with the ids; it should queue the refresh, not run it.
	OnReferenceWrite func(ctx context.Context, model string, ids []int64)
}

// openUpstream wires upstream authentication and sessions when an upstream
// is configured: the owned calls are checked against Odoo's users, groups
// and web sessions, and clients send Odoo's database name.
func (a *app) openUpstream(ctx context.Context) error {
	if a.odoo == nil {
		return nil
	}
	au, err := upstreamauth.New(upstreamauth.Config{URL: a.cfg.OdooURL, DB: a.cfg.OdooDB, Account: a.odoo,
		Cache: a.cache, Timeout: a.cfg.OdooTimeout, Log: a.log})
	if err != nil {
		return err
	}
	a.parts.upAuth = au
	a.handler.UseUpstream(au, au.Sessions(), a.cfg.OdooDB)
	pc := &proxy.Config{Upstream: a.cfg.OdooURL, MaxBodyBytes: a.cfg.MaxBodyBytes, Timeout: a.cfg.OdooTimeout,
		OnReferenceWrite: a.referenceWritten, Log: a.log,
		OnSessionEnd: func(ctx context.Context, id string) { _ = au.Sessions().Delete(ctx, id) }}
	check := *pc
	check.Local = http.NotFoundHandler()
	if _, err := proxy.New(check); err != nil {
		return err
	}
	a.parts.upProxy = pc
	return nil
}

// referenceWritten passes a reference write to OnReferenceWrite.
func (a *app) referenceWritten(ctx context.Context, model string, ids []int64) {
	a.log.DebugContext(ctx, "reference write passed through", slog.String("model", model), slog.Any("ids", ids))
	if f := a.parts.OnReferenceWrite; f != nil {
		f(ctx, model, ids)
	}
}

// frontHandler puts the pass-through in front of the local API.
func (a *app) frontHandler(local http.Handler) http.Handler {
	if a.parts.upProxy == nil {
		return local
	}
	cfg := *a.parts.upProxy
	cfg.Local = local
	h, err := proxy.New(cfg) // checked by openUpstream
	if err != nil {
		panic(err)
	}
	return h
}
