package main

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// pullPart is the inbound pull's state on the app (H2 owns this file).
type pullPart struct{}

// openPull makes the puller when an upstream is configured.
func (a *app) openPull(ctx context.Context) error { return nil }

// startPull starts the interval pull; the returned func waits for it after
// ctx ends.
func (a *app) startPull(ctx context.Context) (wait func()) { return func() {} }

// webhookHandler serves /loyaltyd/webhook, nil when it is off.
func (a *app) webhookHandler() http.Handler { return nil }

// cmdImport is `loyaltyd import`.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return errors.New("not built yet")
}
