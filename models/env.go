package models

import "context"

// Env is the Odoo environment of one call: who calls, in which database, with
// which context (lang, tz, active_test, default_*...). It travels in
// context.Context; see WithEnv and EnvFrom.
type Env struct {
	DB        string
	UID       int64
	Groups    map[string]bool // xml ids of the user's groups, implied ones included
	Context   map[string]any  // the call's context, replaced wholesale by kwargs.context
	Version   int             // major Odoo version the server reports (16, 17, 18...)
	Superuser bool            // internal calls that skip access rights
}

// HasGroup reports whether the user belongs to the group (an xml id such as
// "base.group_system").
func (e *Env) HasGroup(xmlid string) bool { return e.Superuser || e.Groups[xmlid] }

// ActiveTest is the context's active_test (default true).
func (e *Env) ActiveTest() bool {
	if v, ok := e.Context["active_test"]; ok {
		if b, ok := v.(bool); ok {
			return b
		}
	}
	return true
}

// Lang is the context's lang, "en_US" by default.
func (e *Env) Lang() string {
	if s, ok := e.Context["lang"].(string); ok && s != "" {
		return s
	}
	return "en_US"
}

type envKey struct{}

// WithEnv returns ctx carrying env.
func WithEnv(ctx context.Context, env *Env) context.Context {
	return context.WithValue(ctx, envKey{}, env)
}

// EnvFrom returns the env in ctx, or nil.
func EnvFrom(ctx context.Context) *Env {
	e, _ := ctx.Value(envKey{}).(*Env)
	return e
}
