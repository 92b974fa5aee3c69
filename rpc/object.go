package rpc

import (
	"net/http"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// objectService is Odoo's "object" service: execute_kw and execute.
type objectService struct{ s *Server }

// ExecuteKw answers object.execute_kw(db, uid, password, model, method,
// args, kwargs=None).
func (o *objectService) ExecuteKw(r *http.Request, a *Args, reply *Reply) error {
	if err := arity("execute_kw", a.Params, "db", "uid", "password", "model", "method", "args"); err != nil {
		return err
	}
	args, ok := a.Params[5].([]any)
	if !ok {
		return models.TypeErrorf("odoo.service.model.execute() argument after * must be an iterable, not %s", pyType(a.Params[5]))
	}
	var kwargs map[string]any
	if len(a.Params) > 6 {
		switch k := a.Params[6].(type) {
		case map[string]any:
			kwargs = k
		case nil, bool:
			if truthy(k) {
				return models.TypeErrorf("odoo.service.model.execute() argument after ** must be a mapping, not bool")
			}
		default:
			return models.TypeErrorf("odoo.service.model.execute() argument after ** must be a mapping, not %s", pyType(k))
		}
	}
	if len(a.Params) > 7 {
		return models.TypeErrorf("execute_kw() takes from 6 to 7 positional arguments but %d were given", len(a.Params))
	}
	return o.run(r, a.Params, args, kwargs, reply)
}

// Execute answers object.execute(db, uid, password, model, method, *args).
func (o *objectService) Execute(r *http.Request, a *Args, reply *Reply) error {
	if err := arity("execute", a.Params, "db", "uid", "password", "model", "method"); err != nil {
		return err
	}
	return o.run(r, a.Params, a.Params[5:], nil, reply)
}

func (o *objectService) run(r *http.Request, p []any, args []any, kwargs map[string]any, reply *Reply) error {
	ctx := r.Context()
	uid, err := toUID(p[1])
	if err != nil {
		return err
	}
	if err := o.s.checkDB(p[0]); err != nil {
		return err
	}
	pr, err := o.s.auth.Check(ctx, uid, str(p[2]))
	if err != nil {
		return err
	}
	model, ok := p[3].(string)
	if !ok {
		return models.TypeErrorf("model name must be a string, not %s", pyType(p[3]))
	}
	method, ok := p[4].(string)
	if !ok {
		return models.TypeErrorf("method name must be a string, not %s", pyType(p[4]))
	}
	env := o.s.env(pr, nil)
	out, err := o.s.exec.Execute(ctx, env, model, method, args, kwargs)
	if err != nil {
		return err
	}
	setReply(reply, out)
	return nil
}

// env builds the call environment of an authenticated user.
func (s *Server) env(p *Principal, ctxt map[string]any) *models.Env {
	if ctxt == nil {
		ctxt = map[string]any{}
	}
	return &models.Env{DB: s.cfg.DBName, UID: p.UID, Groups: p.Groups, Context: ctxt, Version: s.version.major}
}

// setReply stores a method's result; a nil result is Python's None.
func setReply(reply *Reply, out any) {
	if out == nil {
		reply.None = true
		return
	}
	reply.Value = out
}

// pyType names the Python type of a decoded value, for TypeError texts.
func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	case []byte:
		return "Binary"
	}
	return "object"
}
