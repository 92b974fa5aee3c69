package models

import (
	"regexp"
	"strings"
	"sync"
)

// Order strings, as search/search_read take them: a comma-separated list
// of terms "field [asc|desc] [nulls first|nulls last]", case-insensitive
// (Odoo 17's regex_order). Fields are checked against the model; a
// many2one sorts by its comodel's own order; non-stored fields are
// ignored, as Odoo does. id is always the last tiebreaker, so pages are
// stable. NULLs sort as PostgreSQL puts them by default (last ascending,
// first descending) on both backends.

// orderTermRE is one term of regex_order, quotes around the field allowed.
var orderTermRE = regexp.MustCompile(`(?i)^\s*("?)([a-z0-9_]+)("?)(\.[a-z0-9_]+)?(:[a-z_]+)?(?:\s+(asc|desc))?(?:\s+(nulls first|nulls last))?\s*$`)

// maxOrderDepth bounds the many2one hops of an order.
const maxOrderDepth = 3

// orderTerm is one ORDER BY item.
type orderTerm struct {
	expr  string
	desc  bool
	nulls string // "", "first" or "last"
}

// parsedTerm is one term of an order string.
type parsedTerm struct {
	field string
	desc  bool
	nulls string
	extra string // ".property" or ":func", which we do not support
}

// parsedOrders caches parseOrder's results (read-only slices) for the
// order strings seen, models' default orders and clients' usual ones; it
// stops growing at maxParsedOrders entries.
var parsedOrders struct {
	sync.RWMutex
	m map[string][]parsedTerm
}

const maxParsedOrders = 1024

// parseOrder splits and checks an order string (syntax only). The result
// is shared: callers must not modify it.
func parseOrder(order string) ([]parsedTerm, error) {
	parsedOrders.RLock()
	terms, ok := parsedOrders.m[order]
	parsedOrders.RUnlock()
	if ok {
		return terms, nil
	}
	terms, err := parseOrderTerms(order)
	if err != nil {
		return nil, err
	}
	parsedOrders.Lock()
	if parsedOrders.m == nil {
		parsedOrders.m = make(map[string][]parsedTerm)
	}
	if len(parsedOrders.m) < maxParsedOrders {
		parsedOrders.m[order] = terms
	}
	parsedOrders.Unlock()
	return terms, nil
}

func parseOrderTerms(order string) ([]parsedTerm, error) {
	bad := UserErrorf(`Invalid "order" specified (%s). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`, order)
	parts := strings.Split(order, ",")
	out := make([]parsedTerm, 0, len(parts))
	for _, p := range parts {
		g := orderTermRE.FindStringSubmatch(p)
		if g == nil || g[1] != g[3] {
			return nil, bad
		}
		t := parsedTerm{field: g[2], desc: strings.EqualFold(g[6], "desc"), extra: g[4] + g[5]}
		switch strings.ToLower(g[7]) {
		case "nulls first":
			t.nulls = "first"
		case "nulls last":
			t.nulls = "last"
		}
		out = append(out, t)
	}
	return out, nil
}

// OrderBy compiles an order string for model m (its default order when
// empty) into an ORDER BY list on the table aliased "t0". A bad string is
// Odoo's UserError, an unknown field its ValueError.
func (r *Registry) OrderBy(m *Model, dialect, order string) (string, error) {
	return newCompiler(r, nil, dialect).orderBy(m, rootAlias, order)
}

func (c *compiler) orderBy(m *Model, alias, order string) (string, error) {
	if order == "" {
		order = m.Order
	}
	terms, hasID, err := c.orderTerms(m, alias, order, false, 0, map[string]bool{m.Name: true})
	if err != nil {
		return "", err
	}
	if !hasID {
		terms = append(terms, orderTerm{expr: qcol(alias, "id")})
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		s := t.expr + " ASC"
		if t.desc {
			s = t.expr + " DESC"
		}
		nulls := t.nulls
		if nulls == "" && c.dialect == DialectSQLite {
			// PostgreSQL's defaults, spelt out for SQLite.
			nulls = "last"
			if t.desc {
				nulls = "first"
			}
		}
		switch nulls {
		case "first":
			s += " NULLS FIRST"
		case "last":
			s += " NULLS LAST"
		}
		parts[i] = s
	}
	return strings.Join(parts, ", "), nil
}

// orderTerms compiles the terms of order on m; reverse flips directions
// (a many2one sorted descending sorts by its comodel's order reversed).
// hasID reports whether m's id is among the terms.
func (c *compiler) orderTerms(m *Model, alias, order string, reverse bool, depth int, seen map[string]bool) ([]orderTerm, bool, error) {
	parsed, err := parseOrder(order)
	if err != nil {
		return nil, false, err
	}
	var out []orderTerm
	hasID := false
	for _, p := range parsed {
		f := m.Field(p.field)
		if f == nil || p.extra != "" {
			return nil, false, ValueErrorf("Invalid field %s on model %s", reprStr(p.field+p.extra), reprStr(m.Name))
		}
		desc, nulls := p.desc, p.nulls
		if reverse {
			desc = !desc
			switch nulls {
			case "first":
				nulls = "last"
			case "last":
				nulls = "first"
			}
		}
		if !f.Stored() {
			continue // Odoo: "cannot be sorted on field (not a column)"
		}
		if f.Name == "id" {
			hasID = true
		}
		cm := c.reg.modelOrNil(f.Relation)
		if f.Type != Many2one || cm == nil || depth >= maxOrderDepth || seen[cm.Name] {
			out = append(out, orderTerm{expr: qcol(alias, f.Column), desc: desc, nulls: nulls})
			continue
		}
		a := c.newAlias()
		inner := make(map[string]bool, len(seen)+1)
		for k := range seen {
			inner[k] = true
		}
		inner[cm.Name] = true
		sub, _, err := c.orderTerms(cm, a, cm.Order, desc, depth+1, inner)
		if err != nil {
			return nil, false, err
		}
		for _, st := range sub {
			if nulls != "" {
				st.nulls = nulls
			}
			st.expr = "(SELECT " + st.expr + " FROM " + qi(cm.Table) + " AS " + qi(a) +
				" WHERE " + qcol(a, "id") + " = " + qcol(alias, f.Column) + ")"
			out = append(out, st)
		}
	}
	return out, hasID, nil
}

// modelOrNil is Model that tolerates a nil registry and an empty name.
func (r *Registry) modelOrNil(name string) *Model {
	if r == nil || name == "" {
		return nil
	}
	return r.models[name]
}
