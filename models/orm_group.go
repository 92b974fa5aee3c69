package models

import (
	"context"
	"regexp"
	"strings"
)

// read_group and web_read_group, as Odoo 17 answers them: the request is
// annotated the way BaseModel.read_group does (dates default to months,
// fields become "field:func" aggregates, the order is rewritten onto
// them), compiled into one GROUP BY query (orm_group_sql.go) and each row
// formatted into Odoo's dict (orm_group_format.go): group values, count,
// aggregates, __domain, __context and __range, in that key order.
// Odoo 16 differs in the key order and the order of __domain's terms,
// and in a few messages about aggregates.

// groupSpecRE is Odoo's regex_read_group_spec ("field", "field:granularity",
// "field.property:granularity"); Python's \w is Unicode-aware.
var groupSpecRE = regexp.MustCompile(`^([\p{L}\p{N}_]+)(\.([\p{L}\p{N}_]+))?(?::([\p{L}\p{N}_]+))?$`)

// fieldAggRE is Odoo's regex_field_agg ("field", "field:agg",
// "name:agg(field)"); like Odoo it only anchors at the start.
var fieldAggRE = regexp.MustCompile(`^([\p{L}\p{N}_]+)(?::([\p{L}\p{N}_]+)(?:\(([\p{L}\p{N}_]+)\))?)?`)

// groupBy is one groupby of the request, as read_group annotates it.
type groupBy struct {
	key   string // as the client sent it, the key of the result
	spec  string // annotated: "create_date:month" for "create_date"
	field *Field
	gran  string // granularity of a date/datetime ("" otherwise)
}

// aggregate is one aggregate of the request: the key of the result and
// its specification ("__count" or "field:func").
type aggregate struct {
	key, spec string
}

// groupRequest is a read_group call after the annotation.
type groupRequest struct {
	m       *Model
	domain  any      // as sent, for __domain
	groupby []string // every groupby as sent
	lazy    []string // the groupbys of this level (the first when lazy)
	groups  []groupBy
	aggs    []aggregate // the count first
	order   string      // rewritten onto the annotated specs
	offset  int64
	limit   int64
	isLazy  bool
	version int
}

// readGroupSig is read_group's signature; web_read_group takes limit
// before offset.
var readGroupSig = signature{name: "read_group", params: []param{
	{name: "domain", required: true}, {name: "fields", required: true}, {name: "groupby", required: true},
	{name: "offset", def: int64(0)}, {name: "limit"}, {name: "orderby", def: false}, {name: "lazy", def: true},
}}

// ormReadGroup is read_group(domain, fields, groupby, offset=0, limit=None,
// orderby=False, lazy=True): a list of group dicts.
func ormReadGroup(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, readGroupSig)
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	rows, _, err := o.readGroup(ctx, c.Model, b)
	return rows, err
}

// ormWebReadGroup is web_read_group(domain, fields, groupby, limit=None,
// offset=0, orderby=False, lazy=True): {"groups": [...], "length": n}
// where length counts every group, past the limit and the offset. Odoo 16
// also takes expand, expand_limit and expand_orderby, accepted and
// ignored here.
func ormWebReadGroup(ctx context.Context, c *Call) (any, error) {
	sig := signature{name: "web_read_group", params: []param{
		{name: "domain", required: true}, {name: "fields", required: true}, {name: "groupby", required: true},
		{name: "limit"}, {name: "offset", def: int64(0)}, {name: "orderby", def: false}, {name: "lazy", def: true},
	}}
	if c.Env.Version != 0 && c.Env.Version < 17 {
		sig.params = append(sig.params, param{name: "expand", def: false}, param{name: "expand_limit"},
			param{name: "expand_orderby", def: false})
	}
	b, err := bind(c, sig)
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	rows, q, err := o.readGroup(ctx, c.Model, b)
	if err != nil {
		return nil, err
	}
	var length int64
	switch {
	case len(rows) == 0:
		length = 0 // as Odoo, even when only the offset is past the end
	case q.req.limit > 0 && int64(len(rows)) == q.req.limit:
		if length, err = q.countGroups(ctx); err != nil {
			return nil, err
		}
	default:
		length = int64(len(rows)) + q.req.offset
	}
	return D("groups", rows, "length", length), nil
}

// readGroup runs read_group with bound arguments and returns the rows and
// the compiled query (web_read_group counts the groups with it).
func (o *orm) readGroup(ctx context.Context, m *Model, b *bound) ([]any, *groupQuery, error) {
	req, err := o.groupRequest(m, b)
	if err != nil {
		return nil, nil, err
	}
	if err := o.checkAccess(ctx, m, OpRead); err != nil {
		return nil, nil, err
	}
	e, err := ParseDomain(req.domain)
	if err != nil {
		return nil, nil, err
	}
	q, err := o.compileGroups(req, e)
	if err != nil {
		return nil, nil, err
	}
	res, err := q.run(ctx)
	if err != nil {
		return nil, nil, err
	}
	rows, err := q.format(ctx, res)
	if err != nil {
		return nil, nil, err
	}
	return rows, q, nil
}

// groupRequest annotates the arguments as read_group does, with its
// errors, before any access check.
func (o *orm) groupRequest(m *Model, b *bound) (*groupRequest, error) {
	req := &groupRequest{m: m, domain: b.get("domain"), isLazy: pyTruth(b.get("lazy")), version: o.env.Version}
	var err error
	if req.limit, req.offset, err = argLimitOffset(b); err != nil {
		return nil, err
	}
	if req.groupby, err = groupbyArg(b.get("groupby")); err != nil {
		return nil, err
	}
	req.lazy = req.groupby
	if req.isLazy && len(req.groupby) > 1 {
		req.lazy = req.groupby[:1]
	}
	seen := map[string]bool{}
	for _, spec := range req.lazy {
		if seen[spec] {
			continue
		}
		seen[spec] = true
		g, err := annotateGroupby(m, spec)
		if err != nil {
			return nil, err
		}
		req.groups = append(req.groups, g)
	}
	countKey := "__count"
	if req.isLazy && len(req.lazy) == 1 {
		countKey, _, _ = strings.Cut(req.lazy[0], ":")
		countKey += "_count"
	}
	req.aggs = []aggregate{{key: countKey, spec: "__count"}}
	specs, err := fieldsArg(b.get("fields"))
	if err != nil {
		return nil, err
	}
	if err := req.annotateFields(specs); err != nil {
		return nil, err
	}
	order, err := argOrder(b.get("orderby"))
	if err != nil {
		return nil, err
	}
	req.order = req.rewriteOrder(order)
	return req, nil
}

// groupbyArg reads groupby: a string or a list of strings.
func groupbyArg(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []string:
		return x, nil
	case []any:
		return stringList(x)
	}
	return nil, TypeErrorf("'%s' object is not subscriptable", pyTypeName(v))
}

// stringList converts a decoded list whose items must all be strings.
func stringList(x []any) ([]string, error) {
	out := make([]string, len(x))
	for i, e := range x {
		s, ok := e.(string)
		if !ok {
			return nil, TypeErrorf("expected string or bytes-like object, got '%s'", pyTypeName(e))
		}
		out[i] = s
	}
	return out, nil
}

// fieldsArg reads fields: a list of strings (a string is iterated by
// character, as Python would).
func fieldsArg(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		out := []string{}
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case []string:
		return x, nil
	case []any:
		return stringList(x)
	}
	return nil, TypeErrorf("'%s' object is not iterable", pyTypeName(v))
}

// invalidSpecError is parse_read_group_spec's refusal.
func invalidSpecError(spec string) error {
	return ValueErrorf("Invalid aggregate/groupby specification %s.\n"+
		"- Valid aggregate specification looks like \"<field_name>:<agg>\" example: \"quantity:sum\".\n"+
		"- Valid groupby specification looks like \"<no_datish_field_name>\" or \"<datish_field_name>:<granularity>\" "+
		"example: \"date:month\" or \"<properties_field_name>.<property>:<granularity>\".", reprStr(spec))
}

// annotateGroupby checks one groupby and gives dates their default month.
func annotateGroupby(m *Model, spec string) (groupBy, error) {
	g := groupSpecRE.FindStringSubmatch(spec)
	if g == nil {
		return groupBy{}, invalidSpecError(spec)
	}
	f := m.Field(g[1])
	if f == nil {
		return groupBy{}, ValueErrorf("Invalid field %s on model %s", reprStr(g[1]), reprStr(m.Name))
	}
	if g[3] != "" {
		return groupBy{}, ValueErrorf("Property name %s has to be used on a property field.", reprStr(g[3]))
	}
	out := groupBy{key: spec, spec: spec, field: f, gran: g[4]}
	if f.Type == Date || f.Type == Datetime {
		if out.gran == "" {
			out.gran = "month"
		}
		out.spec = f.Name + ":" + out.gran
	}
	return out, nil
}
