package models

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
)

// Registry maps Odoo model names to their descriptors and methods, and
// executes ORM calls against the store. It implements rpc.Executor.
type Registry struct {
	DB     *DB
	Log    *slog.Logger
	models map[string]*Model
	auth   authorities // id and record sources (idauthority.go)
}

// NewRegistry returns an empty registry over db.
func NewRegistry(db *DB, log *slog.Logger) *Registry {
	if log == nil {
		log = slog.Default()
	}
	return &Registry{DB: db, Log: log, models: map[string]*Model{}}
}

// Register adds models; it fails on a duplicate name or a bad descriptor,
// so mistakes show at start-up, not at the first call.
func (r *Registry) Register(ms ...*Model) error {
	for _, m := range ms {
		if err := m.init(); err != nil {
			return err
		}
		if _, dup := r.models[m.Name]; dup {
			return fmt.Errorf("model %s registered twice", m.Name)
		}
		r.models[m.Name] = m
	}
	return nil
}

// RegisterAlias makes the registered model name reachable as alias too
// (the seed system's "point.move" for "loyalty.point.move").
func (r *Registry) RegisterAlias(alias, name string) error {
	m := r.models[name]
	if m == nil {
		return fmt.Errorf("alias %s: model %s is not registered", alias, name)
	}
	if _, dup := r.models[alias]; dup {
		return fmt.Errorf("alias %s: name already registered", alias)
	}
	r.models[alias] = m
	return nil
}

// MustRegister is Register that panics; for start-up wiring.
func (r *Registry) MustRegister(ms ...*Model) {
	if err := r.Register(ms...); err != nil {
		panic(err)
	}
}

// Model returns the model named name, or nil.
func (r *Registry) Model(name string) *Model { return r.models[name] }

// Models returns every registered model once (aliases left out), sorted
// by name.
func (r *Registry) Models() []*Model {
	out := make([]*Model, 0, len(r.models))
	for name, m := range r.models {
		if name == m.Name {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Execute runs model.method(*args, **kwargs) as Odoo's execute_kw does:
// private names are refused before the model is looked up, an unknown model
// is a UserError, an unknown method an AttributeError, kwargs["context"]
// replaces the call's context, and the call runs in one transaction (read
// methods run outside one).
func (r *Registry) Execute(ctx context.Context, env *Env, model, method string, args []any, kwargs map[string]any) (any, error) {
	if isPrivate(method) {
		return nil, AccessErrorf("Private methods (such as %s) cannot be called remotely.", method)
	}
	m := r.models[model]
	if m == nil {
		return nil, UserErrorf("Object %s doesn't exist", model)
	}
	fn := m.Methods[method]
	if fn == nil {
		fn = genericMethods[method]
	}
	if fn == nil || !methodInVersion(method, env.Version) {
		return nil, AttributeErrorf("The method '%s' does not exist on the model '%s'", method, model)
	}
	if kwargs == nil {
		kwargs = map[string]any{}
	}
	callEnv := *env
	if c, ok := kwargs["context"]; ok {
		cm, _ := c.(map[string]any)
		if cm == nil {
			cm = map[string]any{}
		}
		callEnv.Context = cm
		rest := make(map[string]any, len(kwargs)-1)
		for k, v := range kwargs {
			if k != "context" {
				rest[k] = v
			}
		}
		kwargs = rest
	}
	if callEnv.Context == nil {
		callEnv.Context = map[string]any{}
	}
	call := &Call{Env: &callEnv, Model: m, Method: method, Args: args, Kwargs: kwargs, Registry: r}
	ctx = WithEnv(ctx, &callEnv)
	if readOnlyMethods[method] && m.Methods[method] == nil || m.ReadOnly[method] {
		call.DB = r.DB.DB
		return fn(ctx, call)
	}
	var out any
	err := r.DB.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		call.DB = tx
		var err error
		out, err = fn(ctx, call)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// methodInVersion hides methods a given Odoo version does not have.
func methodInVersion(method string, version int) bool {
	switch method {
	case "name_get":
		return version == 0 || version < 18
	case "fields_get_keys":
		return version != 0 && version < 17
	case "web_read", "web_save", "search_fetch":
		return version == 0 || version >= 17
	}
	return true
}

// recordMethods are the generic methods whose first argument is the
// record ids (Odoo's record methods); the others are @api.model.
var recordMethods = map[string]bool{
	"read": true, "write": true, "unlink": true, "copy": true, "exists": true, "name_get": true,
	"web_read": true, "web_save": true, "get_metadata": true, "check_access_rule": true,
	"action_archive": true, "action_unarchive": true, "toggle_active": true,
}

// IsRecordMethod reports whether model.method takes record ids first, as
// JSON-2 needs to know where its "ids" member goes.
func (r *Registry) IsRecordMethod(model, method string) bool {
	if m := r.models[model]; m != nil && m.Methods[method] != nil {
		return m.RecordMethods[method]
	}
	return recordMethods[method]
}
