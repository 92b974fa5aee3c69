package main

import (
	"fmt"
	"net/http"

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
