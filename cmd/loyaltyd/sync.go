package main

import (
	"context"
	"errors"
	"io"
)

// syncPart is the outbox's state on the app (H1 owns this file).
type syncPart struct{}

// openSync turns the engine's outbox on when an upstream is configured.
func (a *app) openSync(ctx context.Context) error { return nil }

// startSync starts the delivery workers; the returned func waits for them
// after ctx ends.
func (a *app) startSync(ctx context.Context) (wait func()) { return func() {} }

// cmdSync is `loyaltyd sync`.
func cmdSync(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	return errors.New("not built yet")
}
