package models

import (
	"context"
	"sync"
)

// commitHooks are the functions to run once the WriteTx they were
// registered in has committed.
type commitHooks struct {
	mu  sync.Mutex
	fns []func(ctx context.Context)
}

type commitHooksKey struct{}

// AfterCommit registers fn to run after the commit of the WriteTx whose
// ctx this is (not when it rolls back), outside the transaction and after
// SQLite's writer lock is released. It reports false, and does nothing,
// when ctx is not inside a WriteTx: the caller decides what to do then.
// Use it for side effects that must not be seen before the commit, such
// as invalidating a cache.
func AfterCommit(ctx context.Context, fn func(ctx context.Context)) bool {
	h, _ := ctx.Value(commitHooksKey{}).(*commitHooks)
	if h == nil {
		return false
	}
	h.mu.Lock()
	h.fns = append(h.fns, fn)
	h.mu.Unlock()
	return true
}

// withCommitHooks gives ctx a fresh hook list (a nested WriteTx has its
// own).
func withCommitHooks(ctx context.Context) (context.Context, *commitHooks) {
	h := &commitHooks{}
	return context.WithValue(ctx, commitHooksKey{}, h), h
}

// run calls the hooks in registration order.
func (h *commitHooks) run(ctx context.Context) {
	h.mu.Lock()
	fns := h.fns
	h.fns = nil
	h.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	for _, fn := range fns {
		fn(ctx)
	}
}
