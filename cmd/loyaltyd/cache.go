package main

import "context"

// openCache makes a.cache: Redis when --redis-url is set, in-process
// otherwise (H4 owns this file).
func (a *app) openCache(ctx context.Context) error { return nil }
