package main

import (
	"context"
	"net/http"
)

// upstreamPart is the pass-through's state on the app (H3 owns this file).
type upstreamPart struct{}

// openUpstream wires upstream authentication and sessions when an upstream
// is configured.
func (a *app) openUpstream(ctx context.Context) error { return nil }

// frontHandler puts the pass-through in front of the local API.
func (a *app) frontHandler(local http.Handler) http.Handler { return local }
