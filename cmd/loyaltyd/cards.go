package main

import "context"

// cardsPart is the card id authority's state on the app (H4 owns this file).
type cardsPart struct{}

// openCards makes Odoo the id authority of new cards when an upstream is
// configured.
func (a *app) openCards(ctx context.Context) error { return nil }
