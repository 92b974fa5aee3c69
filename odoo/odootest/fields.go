package odootest

import (
	"maps"
	"slices"
)

// Fields declares model's fields as fields_get reports them (name → Odoo
// type: "char", "many2one", "many2many", "boolean"...), in addition to the
// ones fields_get infers from the stored records.
func (s *Server) Fields(model string, types map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fieldTypes == nil {
		s.fieldTypes = map[string]map[string]string{}
	}
	if s.fieldTypes[model] == nil {
		s.fieldTypes[model] = map[string]string{}
	}
	maps.Copy(s.fieldTypes[model], types)
}

// fieldsGet answers fields_get: the declared fields (Fields), the
// many2one fields of Options.Relations and every key of the stored
// records, typed from their values, each with Odoo's type, string, store
// and relation attributes. s.mu is held.
func (s *Server) fieldsGet(model string) map[string]any {
	types := map[string]string{"id": "integer", "create_date": "datetime", "write_date": "datetime",
		"create_uid": "many2one", "write_uid": "many2one", "display_name": "char"}
	if t := s.tables[model]; t != nil {
		seen := map[string]bool{}
		for _, r := range t.rows {
			for k, v := range r {
				if seen[k] || types[k] != "" {
					continue
				}
				if tp := typeOf(v); tp != "" {
					types[k] = tp
					seen[k] = true
				}
			}
			if len(seen) > 64 {
				break
			}
		}
	}
	for f := range s.opt.Relations[model] {
		types[f] = "many2one"
	}
	maps.Copy(types, s.fieldTypes[model])
	out := make(map[string]any, len(types))
	for _, name := range slices.Sorted(maps.Keys(types)) {
		attrs := map[string]any{"type": types[name], "string": name, "store": name != "display_name"}
		if co := s.opt.Relations[model][name]; co != "" {
			attrs["relation"] = co
		}
		out[name] = attrs
	}
	return out
}

// typeOf guesses an Odoo field type from a stored value ("" for False,
// which says nothing).
func typeOf(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "boolean"
		}
	case int64:
		return "integer"
	case float64:
		return "float"
	case string:
		return "char"
	case []any:
		return "many2many"
	}
	return ""
}
