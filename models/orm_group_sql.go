package models

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The GROUP BY query of read_group: one SELECT of the group terms then the
// aggregates, grouped and ordered by position, so each expression is
// written once. Every identifier comes from a descriptor; values (the time
// zone, its offsets) are placeholders. Differences between PostgreSQL and
// SQLite are confined to the date buckets (orm_group_time.go), booleans
// and the aggregates PostgreSQL has and SQLite lacks.

// groupOrderRE is one term of Odoo 17's regex_order, as _read_group
// checks each comma-separated part of its order.
var groupOrderRE = regexp.MustCompile(`(?i)^\s*((?:[a-z0-9_]+|"[a-z0-9_]+")(?:\.[a-z0-9_]+)?(?::[a-z_]+)?)(?:\s+(desc|asc))?(?:\s+(nulls first|nulls last))?\s*$`)

// aggregateFuncs are Odoo 17's READ_GROUP_AGGREGATE.
var aggregateFuncs = map[string]bool{"sum": true, "avg": true, "max": true, "min": true, "bool_and": true,
	"bool_or": true, "array_agg": true, "recordset": true, "count": true, "count_distinct": true}

// sqlPart is a fragment of SQL with the arguments of its placeholders.
type sqlPart struct {
	sql  string
	args []any
}

// aggTerm is one compiled aggregate.
type aggTerm struct {
	sqlPart
	field *Field // nil for __count
	fn    string // "__count", "sum", "count"...
}

// groupQuery is a compiled read_group.
type groupQuery struct {
	o      *orm
	req    *groupRequest
	c      *compiler
	joins  []string          // LEFT JOINs of many2many link tables
	joinOf map[string]string // many2many field -> link table alias
	where  sqlPart
	groups []sqlPart // one per req.groups
	aggs   []aggTerm // one per req.aggs
	order  sqlPart
	loc    *time.Location // the context's time zone for datetime buckets, or nil
	used   []string       // fields the query reads, for the field access check
}

// capture compiles a fragment with its own arguments.
func (q *groupQuery) capture(fn func() (string, error)) (sqlPart, error) {
	q.c.args = nil
	s, err := fn()
	return sqlPart{sql: s, args: q.c.args}, err
}

// compileGroups compiles req over the domain e, in Odoo's order of checks:
// domain, groupbys, aggregates, order, then the fields' groups.
func (o *orm) compileGroups(req *groupRequest, e Expr) (*groupQuery, error) {
	q := &groupQuery{o: o, req: req, c: o.compiler(), joinOf: map[string]string{}, loc: contextZone(o.env)}
	var err error
	q.where, err = q.capture(func() (string, error) {
		s, _, err := q.c.where(req.m, e, true)
		return s, err
	})
	if err != nil {
		return nil, err
	}
	for _, g := range req.groups {
		p, err := q.capture(func() (string, error) { return q.groupTerm(g) })
		if err != nil {
			return nil, err
		}
		q.groups = append(q.groups, p)
	}
	for _, a := range req.aggs {
		var t aggTerm
		p, err := q.capture(func() (string, error) {
			s, f, fn, err := q.aggSQL(a.spec)
			t.field, t.fn = f, fn
			return s, err
		})
		if err != nil {
			return nil, err
		}
		t.sqlPart = p
		q.aggs = append(q.aggs, t)
	}
	if q.order, err = q.capture(func() (string, error) { return q.orderSQL(req.order) }); err != nil {
		return nil, err
	}
	return q, q.checkFields()
}

// column is the SQL of field f's value: its column, or the comodel id of
// a many2many through a LEFT JOIN of its link table (one per field).
func (q *groupQuery) column(f *Field) (string, error) {
	m := q.req.m
	if f.Type == Many2many && f.RelTable != "" {
		a := q.joinOf[f.Name]
		if a == "" {
			a = q.c.newAlias()
			q.joinOf[f.Name] = a
			q.joins = append(q.joins, " LEFT JOIN "+qi(f.RelTable)+" AS "+qi(a)+" ON "+qcol(rootAlias, "id")+" = "+qcol(a, f.RelColumn1))
		}
		q.use(f.Name)
		return qcol(a, f.RelColumn2), nil
	}
	if !f.Stored() {
		return "", ValueErrorf("Cannot convert field %s.%s to SQL", m.Name, f.Name)
	}
	q.use(f.Name)
	return qcol(rootAlias, f.Column), nil
}

func (q *groupQuery) use(name string) {
	for _, n := range q.used {
		if n == name {
			return
		}
	}
	q.used = append(q.used, name)
}

// checkFields refuses fields hidden from the caller by groups.
func (q *groupQuery) checkFields() error {
	var hidden []string
	for _, n := range q.used {
		if !q.o.fieldAccessible(q.req.m.Field(n)) {
			hidden = append(hidden, n)
		}
	}
	if len(hidden) == 0 {
		return nil
	}
	sort.Strings(hidden)
	return fieldsAccessError(q.req.m, OpRead, hidden)
}

// groupTerm is the SQL of one groupby (Odoo's _read_group_groupby).
func (q *groupQuery) groupTerm(g groupBy) (string, error) {
	f := g.field
	isTime := f.Type == Date || f.Type == Datetime
	if g.gran != "" && !isTime {
		return "", ValueErrorf("Granularity set on a no-datetime field or property: %s", reprStr(g.spec))
	}
	if q.req.version != 0 && q.req.version < 17 && !f.Stored() && f.Type != Many2many {
		return "", UserErrorf("Field %s.%s is not a stored field, only stored fields (regular or many2many) are valid for the 'groupby' parameter", q.req.m.Name, f.Name)
	}
	col, err := q.column(f)
	if err != nil {
		return "", err
	}
	switch {
	case isTime:
		if !granularities[g.gran] {
			return "", ValueErrorf("Granularity specification isn't correct: %s", reprStr(g.gran))
		}
		return q.timeBucket(f, col, g.gran), nil
	case f.Type == Boolean && q.o.dialect == DialectPG:
		return "COALESCE(" + col + ", FALSE)", nil
	case f.Type == Boolean:
		return "COALESCE(" + col + ", 0)", nil
	}
	return col, nil
}

// aggSQL compiles an aggregate specification ("__count", "field:func")
// with _read_group_select's checks; it also serves the order's terms.
func (q *groupQuery) aggSQL(spec string) (string, *Field, string, error) {
	if spec == "__count" {
		return "COUNT(*)", nil, "__count", nil
	}
	m := q.req.m
	g := groupSpecRE.FindStringSubmatch(spec)
	if g == nil {
		return "", nil, "", invalidSpecError(spec)
	}
	fname, prop, fn := g[1], g[3], g[4]
	f := m.Field(fname)
	if f == nil {
		return "", nil, "", ValueErrorf("Invalid field %s on model %s for %s.", reprStr(fname), reprStr(m.Name), reprStr(spec))
	}
	access := fname
	if prop != "" {
		access += "." + prop
	}
	switch {
	case fn == "":
		return "", nil, "", ValueErrorf("Aggregate method is mandatory for %s", reprStr(access))
	case !aggregateFuncs[fn]:
		return "", nil, "", ValueErrorf("Invalid aggregate method %s for %s.", reprStr(fn), reprStr(spec))
	case fn == "recordset" && !f.Relational() && fname != "id":
		return "", nil, "", ValueErrorf("Aggregate method %s can be only used on relational field (or id) (for %s).", reprStr(fn), reprStr(spec))
	}
	col, err := q.column(f)
	if err != nil {
		return "", nil, "", err
	}
	if fn == "recordset" {
		model := f.Relation
		if model == "" {
			model = m.Name
		}
		return "", nil, "", TypeErrorf("cannot marshal <class 'odoo.api.%s'> objects", model)
	}
	if err := aggTypeError(fn, f); err != nil {
		return "", nil, "", err
	}
	pg := q.o.dialect == DialectPG
	var s string
	switch fn {
	case "sum", "avg", "min", "max", "count":
		s = strings.ToUpper(fn) + "(" + col + ")"
	case "count_distinct":
		s = "COUNT(DISTINCT " + col + ")"
	case "bool_and":
		s = "MIN(" + col + ")"
		if pg {
			s = "BOOL_AND(" + col + ")"
		}
	case "bool_or":
		s = "MAX(" + col + ")"
		if pg {
			s = "BOOL_OR(" + col + ")"
		}
	case "array_agg":
		s = "json_group_array(" + col + " ORDER BY " + qcol(rootAlias, "id") + ")"
		if pg {
			s = "json_agg(" + col + " ORDER BY " + qcol(rootAlias, "id") + ")::text"
		}
	}
	return s, f, fn, nil
}

// aggTypeError is PostgreSQL's refusal of an aggregate over a column type
// it does not take, given on both backends.
func aggTypeError(fn string, f *Field) error {
	numeric := f.Type == Integer || f.Type == Float || f.Type == Monetary || f.Type == Many2one || f.Type == Many2many
	ok := true
	switch fn {
	case "sum", "avg":
		ok = numeric
	case "min", "max":
		ok = f.Type != Boolean && f.Type != Binary
	case "bool_and", "bool_or":
		ok = f.Type == Boolean
	}
	if ok {
		return nil
	}
	return Errorf(KindException, "function %s(%s) does not exist", fn, pgTypeName(f))
}

// pgTypeName is the PostgreSQL type of f's column, for messages.
func pgTypeName(f *Field) string {
	switch f.Type {
	case Char, Selection:
		return "character varying"
	case Text, HTML:
		return "text"
	case Float, Monetary:
		if f.Decimal {
			return "numeric"
		}
		return "double precision"
	case Boolean:
		return "boolean"
	case Date:
		return "date"
	case Datetime:
		return "timestamp without time zone"
	case Binary:
		return "bytea"
	}
	return "integer"
}

// orderSQL compiles the rewritten order as _read_group_orderby does: a
// groupby sorts by its value (a many2one by its comodel's order), any
// other term must be an aggregate. The groupbys not mentioned follow, so
// the order is total on both backends.
func (q *groupQuery) orderSQL(order string) (string, error) {
	if order == "" {
		return "", nil
	}
	index := map[string]int{}
	for i, g := range q.req.groups {
		index[g.spec] = i
	}
	var parts []string
	ordered := map[int]bool{}
	for _, part := range strings.Split(order, ",") {
		mm := groupOrderRE.FindStringSubmatch(part)
		if mm == nil {
			return "", ValueErrorf("Invalid order %s for _read_group()", reprStr(order))
		}
		term, desc, nulls := mm[1], strings.EqualFold(mm[2], "desc"), ""
		if mm[3] != "" {
			nulls = strings.ToLower(mm[3])[len("nulls "):]
		}
		if i, ok := index[term]; ok {
			ordered[i] = true
			if f := q.req.m.Field(term); f != nil && f.Type == Many2one {
				if cm := q.o.reg.modelOrNil(f.Relation); cm != nil && cm.Order != "id" {
					spec := f.Name
					if desc {
						spec += " desc"
					}
					if nulls != "" {
						spec += " nulls " + nulls
					}
					terms, _, err := q.c.orderTerms(q.req.m, rootAlias, spec, false, 0, map[string]bool{q.req.m.Name: true})
					if err != nil {
						return "", err
					}
					for _, t := range terms {
						parts = append(parts, q.orderItem(t.expr, t.desc, t.nulls))
					}
					continue
				}
			}
			parts = append(parts, q.orderItem(strconv.Itoa(i+1), desc, nulls))
			continue
		}
		expr, _, _, err := q.aggSQL(term)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Kind == KindValue {
				return "", ValueErrorf("Order term %s is not a valid aggregate nor valid groupby", reprStr(part))
			}
			return "", err
		}
		parts = append(parts, q.orderItem(expr, desc, nulls))
	}
	for i := range q.req.groups {
		if !ordered[i] {
			parts = append(parts, q.orderItem(strconv.Itoa(i+1), false, ""))
		}
	}
	return strings.Join(parts, ", "), nil
}

// orderItem is one ORDER BY item; NULLs go where PostgreSQL puts them by
// default (last ascending, first descending) on SQLite too.
func (q *groupQuery) orderItem(expr string, desc bool, nulls string) string {
	s := expr + " ASC"
	if desc {
		s = expr + " DESC"
	}
	if nulls == "" && q.o.dialect == DialectSQLite {
		nulls = "last"
		if desc {
			nulls = "first"
		}
	}
	switch nulls {
	case "first":
		s += " NULLS FIRST"
	case "last":
		s += " NULLS LAST"
	}
	return s
}
