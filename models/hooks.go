package models

import (
	"context"
	"sync"

	"github.com/uptrace/bun"
)

// WriteHook runs after an RPC write of its model has been applied, in the
// same transaction (tx), with the written ids and the vals as the client
// sent them; an error rolls the write back.
type WriteHook func(ctx context.Context, tx bun.IDB, ids []int64, vals map[string]any) error

// writeHooks holds the hooks per registry, model → hooks.
var writeHooks sync.Map // *Registry → *hookSet

type hookSet struct {
	mu    sync.RWMutex
	hooks map[string][]WriteHook
}

// OnWrite registers fn to run after every RPC write of model (for example
// the sync's outbox queueing a card's changed fields). Register hooks at
// start-up.
func (r *Registry) OnWrite(model string, fn WriteHook) {
	v, _ := writeHooks.LoadOrStore(r, &hookSet{hooks: map[string][]WriteHook{}})
	hs := v.(*hookSet)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	hs.hooks[model] = append(hs.hooks[model], fn)
}

// runWriteHooks runs the write hooks of model.
func (r *Registry) runWriteHooks(ctx context.Context, tx bun.IDB, model string, ids []int64, vals map[string]any) error {
	if r == nil {
		return nil
	}
	v, ok := writeHooks.Load(r)
	if !ok {
		return nil
	}
	hs := v.(*hookSet)
	hs.mu.RLock()
	hooks := hs.hooks[model]
	hs.mu.RUnlock()
	for _, fn := range hooks {
		if err := fn(ctx, tx, ids, vals); err != nil {
			return err
		}
	}
	return nil
}
