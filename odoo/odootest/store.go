package odootest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// table holds the records of one model.
type table struct {
	rows map[int64]map[string]any
	next int64
}

// fault is an error the fake answers as an Odoo fault.
type fault struct {
	code int
	name string // Python class, for code 1 tracebacks
	msg  string
}

func (f *fault) Error() string { return f.msg }

func userError(format string, args ...any) *fault {
	return &fault{code: 2, name: "odoo.exceptions.UserError", msg: fmt.Sprintf(format, args...)}
}

func valueError(format string, args ...any) *fault {
	return &fault{code: 1, name: "ValueError", msg: fmt.Sprintf(format, args...)}
}

// execute runs one ORM method on the store. s.mu is held.
func (s *Server) execute(uid int64, model, method string, args []any, kw map[string]any) (any, error) {
	if strings.HasPrefix(method, "_") || method == "init" {
		return nil, &fault{code: 4, msg: fmt.Sprintf("Private methods (such as %s) cannot be called remotely.", method)}
	}
	t, ok := s.tables[model]
	if !ok {
		return nil, userError("Object %s doesn't exist", model)
	}
	switch method {
	case "load":
		return s.load(t, model, args, kw)
	case "fields_get":
		return s.fieldsGet(model), nil
	case "create":
		return s.create(t, model, args)
	case "write":
		ids, err := idsArg(args)
		if err != nil {
			return nil, err
		}
		vals, _ := arg(args, kw, 1, "vals").(map[string]any)
		if vals == nil {
			return nil, &fault{code: 1, name: "TypeError", msg: "BaseModel.write() missing 1 required positional argument: 'vals'"}
		}
		for _, id := range ids {
			if _, ok := t.rows[id]; !ok {
				return nil, &fault{code: 2, name: "odoo.exceptions.MissingError", msg: fmt.Sprintf(
					"Record does not exist or has been deleted.\n(Record: %s(%d,), User: %d)", model, id, uid)}
			}
		}
		now := s.now()
		for _, id := range ids {
			r := t.rows[id]
			for k, v := range vals {
				if k != "id" {
					r[k] = v
				}
			}
			r["write_date"], r["write_uid"] = now, uid
		}
		return true, nil
	case "unlink":
		ids, err := idsArg(args)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			delete(t.rows, id)
		}
		return true, nil
	case "read":
		ids, err := idsArg(args)
		if err != nil {
			return nil, err
		}
		fields := stringsArg(arg(args, kw, 1, "fields"))
		out := make([]*models.Dict, 0, len(ids))
		for _, id := range ids {
			if r, ok := t.rows[id]; ok {
				out = append(out, s.render(model, r, fields))
			}
		}
		return out, nil
	case "search", "search_read", "search_count":
		dom, _ := arg(args, kw, 0, "domain").([]any)
		match, err := compileDomain(dom)
		if err != nil {
			return nil, valueError("%s", err.Error())
		}
		var rows []map[string]any
		for _, r := range t.rows {
			if match(r) {
				rows = append(rows, r)
			}
		}
		if method == "search_count" {
			return int64(len(rows)), nil
		}
		pos := 1 // search(domain, offset, limit, order)
		if method == "search_read" {
			pos = 2 // search_read(domain, fields, offset, limit, order)
		}
		order, _ := arg(args, kw, pos+2, "order").(string)
		keys, err := parseOrder(order)
		if err != nil {
			return nil, &fault{code: 2, msg: err.Error()}
		}
		off, _ := arg(args, kw, pos, "offset").(int64)
		lim, _ := arg(args, kw, pos+1, "limit").(int64)
		rows = pageRows(rows, keys, int(off), int(lim))
		if method == "search" {
			ids := make([]int64, len(rows))
			for i, r := range rows {
				ids[i] = r["id"].(int64)
			}
			return ids, nil
		}
		fields := stringsArg(arg(args, kw, 1, "fields"))
		out := make([]*models.Dict, len(rows))
		for i, r := range rows {
			out[i] = s.render(model, r, fields)
		}
		return out, nil
	}
	return nil, &fault{code: 1, name: "AttributeError",
		msg: fmt.Sprintf("The method '%s' does not exist on the model '%s'", method, model)}
}

// create handles create(vals) and create([vals...]).
func (s *Server) create(t *table, model string, args []any) (any, error) {
	if len(args) == 0 {
		return nil, &fault{code: 1, name: "TypeError", msg: "BaseModel.create() missing 1 required positional argument: 'vals_list'"}
	}
	var list []map[string]any
	single := false
	switch v := args[0].(type) {
	case map[string]any:
		list, single = []map[string]any{v}, true
	case []any:
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, valueError("create: expected dicts, got %s", pyRepr(e))
			}
			list = append(list, m)
		}
	default:
		return nil, valueError("create: expected dicts, got %s", pyRepr(args[0]))
	}
	if model == "ir.model.data" {
		for i, vals := range list {
			for _, r := range t.rows {
				if r["module"] == vals["module"] && r["name"] == vals["name"] {
					return nil, &fault{code: 1, name: "psycopg2.errors.UniqueViolation", msg: fmt.Sprintf(
						"duplicate key value violates unique constraint \"ir_model_data_module_name_uniq_index\"\n"+
							"DETAIL:  Key (module, name)=(%v, %v) already exists.", vals["module"], vals["name"])}
				}
			}
			for _, prev := range list[:i] {
				if prev["module"] == vals["module"] && prev["name"] == vals["name"] {
					return nil, &fault{code: 1, name: "psycopg2.errors.UniqueViolation",
						msg: "duplicate key value violates unique constraint \"ir_model_data_module_name_uniq_index\""}
				}
			}
		}
	}
	ids := make([]int64, len(list))
	now := s.now()
	for i, vals := range list {
		ids[i] = s.insert(t, vals, now)
	}
	if single {
		return ids[0], nil
	}
	return ids, nil
}

// insert adds a record; s.mu is held.
func (s *Server) insert(t *table, vals map[string]any, now string) int64 {
	t.next++
	r := maps.Clone(vals)
	if r == nil {
		r = map[string]any{}
	}
	r["id"] = t.next
	r["create_date"], r["write_date"] = now, now
	r["create_uid"], r["write_uid"] = s.opt.UID, s.opt.UID
	t.rows[t.next] = r
	return t.next
}

// render gives a record as read/search_read return it: id first, then the
// asked fields (all stored ones, sorted, when none), False for fields the
// record never got, many2one as [id, display_name].
func (s *Server) render(model string, r map[string]any, fields []string) *models.Dict {
	if len(fields) == 0 {
		fields = slices.Sorted(maps.Keys(r))
	}
	d := models.NewDict(len(fields) + 1)
	d.Set("id", r["id"])
	for _, f := range fields {
		if f == "id" {
			continue
		}
		v, ok := r[f]
		if !ok || v == nil {
			v = false
		}
		if str, ok := v.(string); ok && (f == "write_date" || f == "create_date") && len(str) > 19 {
			v = str[:19] // Odoo sends datetimes to the second
		}
		if co := s.opt.Relations[model][f]; co != "" {
			v = s.many2one(co, v)
		}
		d.Set(f, v)
	}
	return d
}

// many2one renders a stored id as [id, display_name], False when unset.
func (s *Server) many2one(comodel string, v any) any {
	id, ok := v.(int64)
	if !ok || id == 0 {
		return false
	}
	name := ""
	if t := s.tables[comodel]; t != nil {
		if r := t.rows[id]; r != nil {
			name, _ = r["name"].(string)
		}
	}
	return []any{id, name}
}

// arg returns positional argument i, or kwargs[name].
func arg(args []any, kw map[string]any, i int, name string) any {
	if v, ok := kw[name]; ok {
		return v
	}
	if i < len(args) {
		return args[i]
	}
	return nil
}

// idsArg reads args[0] as an id or a list of ids.
func idsArg(args []any) ([]int64, error) {
	if len(args) == 0 {
		return nil, &fault{code: 1, name: "IndexError", msg: "list index out of range"}
	}
	switch v := args[0].(type) {
	case int64:
		return []int64{v}, nil
	case []any:
		ids := make([]int64, 0, len(v))
		for _, e := range v {
			id, ok := e.(int64)
			if !ok {
				return nil, valueError("Invalid id %s", pyRepr(e))
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	return nil, valueError("Invalid ids %s", pyRepr(args[0]))
}

// stringsArg reads a list of field names; False or absent means all.
func stringsArg(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
