package models

import "strings"

// The fields and orderby arguments of read_group, annotated as Odoo does:
// fields become aggregates keyed by their result name, the order's terms
// are rewritten onto the annotated groupbys and aggregates.

// defaultAggregate reports whether a plain "field" entry is aggregated:
// stored integer, float and monetary fields sum (Odoo's group_operator).
func defaultAggregate(f *Field) bool {
	return f.Stored() && f.Name != "id" && (f.Type == Integer || f.Type == Float || f.Type == Monetary)
}

// setAggregate adds or replaces the aggregate named key, keeping the
// position of a key seen before (a Python dict).
func (r *groupRequest) setAggregate(key, spec string) {
	for i := range r.aggs {
		if r.aggs[i].key == key {
			r.aggs[i].spec = spec
			return
		}
	}
	r.aggs = append(r.aggs, aggregate{key: key, spec: spec})
}

// annotateFields turns the fields argument into aggregates.
func (r *groupRequest) annotateFields(specs []string) error {
	if r.version != 0 && r.version < 17 {
		return r.annotateFields16(specs)
	}
	for _, spec := range specs {
		if spec == "__count" {
			continue
		}
		g := fieldAggRE.FindStringSubmatch(spec)
		if g == nil {
			return ValueErrorf("Invalid field specification %s.", reprStr(spec))
		}
		name, fn, fname := g[1], g[2], g[3]
		switch {
		case fname != "":
			r.setAggregate(name, fname+":"+fn)
			continue
		case fn != "":
			r.setAggregate(name, name+":"+fn)
			continue
		}
		f := r.m.Field(name)
		if f == nil {
			return ValueErrorf("Invalid field %s on model %s", reprStr(name), reprStr(r.m.Name))
		}
		if defaultAggregate(f) && !r.isGroupKey(spec) {
			r.setAggregate(name, name+":sum")
		}
	}
	return nil
}

// aggregates16 are Odoo 16's VALID_AGGREGATE_FUNCTIONS.
var aggregates16 = map[string]bool{"array_agg": true, "count": true, "count_distinct": true, "bool_and": true,
	"bool_or": true, "max": true, "min": true, "avg": true, "sum": true}

// annotateFields16 is Odoo 16's reading of fields, with its UserErrors.
func (r *groupRequest) annotateFields16(specs []string) error {
	named := map[string]bool{}
	for _, spec := range specs {
		if spec == "__count" || spec == "sequence" {
			continue
		}
		g := fieldAggRE.FindStringSubmatch(spec)
		if g == nil {
			return UserErrorf("Invalid field specification %s.", reprStr(spec))
		}
		name, fn, fname := g[1], g[2], g[3]
		if fname == "" {
			fname = name
		}
		f := r.m.Field(fname)
		if f == nil {
			return ValueErrorf("Invalid field %s on model %s", reprStr(fname), reprStr(r.m.Name))
		}
		switch {
		case fn != "" && !f.Stored() && f.Type != Many2many:
			return UserErrorf("Cannot aggregate field %s.", reprStr(fname))
		case fn != "" && !aggregates16[strings.ToLower(fn)]:
			return UserErrorf("Invalid aggregation function %s.", reprStr(fn))
		case fn == "" && !defaultAggregate(f):
			continue
		case fn == "":
			fn = "sum"
		}
		if r.isGroupField(fname) {
			continue
		}
		if named[name] {
			return UserErrorf("Output name %s is used twice.", reprStr(name))
		}
		named[name] = true
		r.setAggregate(name, fname+":"+strings.ToLower(fn))
	}
	return nil
}

// isGroupKey reports whether spec is one of the groupbys of this level.
func (r *groupRequest) isGroupKey(spec string) bool {
	for _, g := range r.groups {
		if g.key == spec {
			return true
		}
	}
	return false
}

// isGroupField reports whether a groupby of this level is on field name.
func (r *groupRequest) isGroupField(name string) bool {
	for _, g := range r.groups {
		if g.field.Name == name {
			return true
		}
	}
	return false
}

// rewriteOrder maps the terms of orderby onto the annotated groupbys and
// aggregates ("points desc" -> "points:sum desc", "create_date" ->
// "create_date:month") exactly as read_group does, textual replacement
// included; without orderby the order is the groupbys.
func (r *groupRequest) rewriteOrder(order string) string {
	if order == "" {
		specs := make([]string, len(r.groups))
		for i, g := range r.groups {
			specs[i] = g.spec
		}
		return strings.Join(specs, ",")
	}
	type pair struct{ key, spec string }
	var pairs []pair
	for i := len(r.groups) - 1; i >= 0; i-- {
		pairs = append(pairs, pair{r.groups[i].key, r.groups[i].spec})
	}
	for _, a := range r.aggs {
		pairs = append(pairs, pair{a.key, a.spec})
	}
	terms := strings.Split(order, ",")
	for i, term := range terms {
		term = strings.TrimSpace(term)
		for _, p := range pairs {
			name, _, _ := strings.Cut(p.key, ":")
			if strings.HasPrefix(term, name+" ") || term == name {
				term = strings.ReplaceAll(term, name, p.spec)
				break
			}
		}
		terms[i] = term
	}
	return strings.Join(terms, ",")
}
