package models

import (
	"context"
	"fmt"
)

// The web client's methods: web_search_read (16 and 17+ signatures),
// web_read, search_fetch and web_save (17+). web_read takes a
// specification {field: spec}: {} for a plain value; for a many2one
// {"fields": {...}, "context": {...}} gives a nested dict, without
// "fields" the id; for an x2many {"fields": {...}, "limit": n, "order":
// "...", "context": {...}} gives a list of nested dicts, without "fields"
// the ids. Nested records are read in one batch per field, not per record
// (orm_web_read.go).

// legacyWeb reports Odoo 16, whose web_search_read takes field names and
// which lacks web_read, web_save and search_fetch.
func legacyWeb(env *Env) bool { return env.Version != 0 && env.Version < 17 }

// sibling runs another method of c's model in c's transaction and
// environment: the model's own when it has one, else generic.
func sibling(ctx context.Context, c *Call, method string, generic MethodFunc, args []any, kwargs map[string]any) (any, error) {
	fn := c.Model.Methods[method]
	if fn == nil {
		fn = generic
	}
	if kwargs == nil {
		kwargs = map[string]any{}
	}
	sc := *c
	sc.Method, sc.Args, sc.Kwargs = method, args, kwargs
	return fn(ctx, &sc)
}

// web_search_read: 16 (domain=None, fields=None, offset=0, limit=None,
// order=None, count_limit=None) with search_read rows; 17+ (domain,
// specification, offset=0, limit=None, order=None, count_limit=None) with
// web_read rows. {"length": n, "records": [...]}.
func ormWebSearchRead(ctx context.Context, c *Call) (any, error) {
	if legacyWeb(c.Env) {
		return webSearchRead16(ctx, c)
	}
	b, err := bind(c, signature{name: "web_search_read", params: []param{
		{name: "domain", required: true}, {name: "specification", required: true}, {name: "offset", def: int64(0)},
		{name: "limit"}, {name: "order"}, {name: "count_limit"},
	}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	spec, err := parseSpec(c.Model, b.get("specification"), "keys")
	if err != nil {
		return nil, err
	}
	ids, e, err := o.searchFetch(ctx, c.Model, b, spec.names)
	if err != nil {
		return nil, err
	}
	recs, err := o.webRead(ctx, c.Model, ids, spec)
	if err != nil {
		return nil, err
	}
	return o.webSearchResult(ctx, c.Model, e, b, recs)
}

// webSearchRead16 is Odoo 16's web_search_read: search_read, then the
// length.
func webSearchRead16(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "web_search_read", params: []param{
		{name: "domain"}, {name: "fields"}, {name: "offset", def: int64(0)}, {name: "limit"}, {name: "order"},
		{name: "count_limit"},
	}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	recs, err := sibling(ctx, c, "search_read", ormSearchRead, nil, map[string]any{"domain": b.get("domain"), "fields": b.get("fields"),
		"offset": b.get("offset"), "limit": b.get("limit"), "order": b.get("order")})
	if err != nil {
		return nil, err
	}
	e, err := ParseDomain(b.get("domain"))
	if err != nil {
		return nil, err
	}
	rows, ok := recs.([]any)
	if !ok {
		return nil, Internal(fmt.Errorf("%s.search_read returned %T", c.Model.Name, recs))
	}
	return o.webSearchResult(ctx, c.Model, e, b, rows)
}

// webSearchResult is Odoo's _format_web_search_read_results: the length
// is offset + records unless the page is full (and count_limit not yet
// reached) or the context has force_search_count, when it is
// search_count(domain, limit=count_limit).
func (o *orm) webSearchResult(ctx context.Context, m *Model, e Expr, b *bound, recs []any) (any, error) {
	if len(recs) == 0 {
		return D("length", int64(0), "records", []any{}), nil
	}
	limit, offset, err := argLimitOffset(b)
	if err != nil {
		return nil, err
	}
	countLimit, err := argInt("count_limit", b.get("count_limit"), 0)
	if err != nil {
		return nil, err
	}
	length := int64(len(recs)) + offset
	full := int64(len(recs)) == limit
	countReached := countLimit != 0 && countLimit <= length
	if limit > 0 && (full && !countReached || pyTruth(o.env.Context["force_search_count"])) {
		if length, err = o.count(ctx, m, e, countLimit); err != nil {
			return nil, err
		}
	}
	return D("length", length, "records", recs), nil
}

// searchFetch checks read access and the field names, then searches with
// b's domain, offset, limit and order.
func (o *orm) searchFetch(ctx context.Context, m *Model, b *bound, names []string) ([]int64, Expr, error) {
	if err := o.checkAccess(ctx, m, OpRead); err != nil {
		return nil, nil, err
	}
	if _, err := o.readFields(m, names); err != nil {
		return nil, nil, err
	}
	e, err := ParseDomain(b.get("domain"))
	if err != nil {
		return nil, nil, err
	}
	limit, offset, err := argLimitOffset(b)
	if err != nil {
		return nil, nil, err
	}
	order, err := argOrder(b.get("order"))
	if err != nil {
		return nil, nil, err
	}
	ids, err := o.searchIDs(ctx, m, e, true, order, offset, limit)
	return ids, e, err
}

// search_fetch(domain, field_names, offset=0, limit=None, order=None):
// the ids found (17+; the fields only prefetch in Odoo).
func ormSearchFetch(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "search_fetch", params: []param{
		{name: "domain", required: true}, {name: "field_names", required: true}, {name: "offset", def: int64(0)},
		{name: "limit"}, {name: "order"},
	}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	names, err := argNames("field_names", b.get("field_names"))
	if err != nil {
		return nil, err
	}
	ids, _, err := o.searchFetch(ctx, c.Model, b, names)
	return ids, err
}

// web_read(ids, specification) (17+).
func ormWebRead(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "web_read", record: true, params: []param{{name: "specification", required: true}}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	sv := b.get("specification")
	switch sv.(type) {
	case *Dict, map[string]any, []any, string:
	default:
		return nil, TypeErrorf("'%s' object is not iterable", pyTypeName(sv))
	}
	spec, err := parseSpec(c.Model, sv, "items")
	if err != nil {
		return nil, err
	}
	return o.webRead(ctx, c.Model, b.ids, spec)
}

// web_save(ids, vals, specification, next_id=None) (17+): writes vals on
// ids, or creates a record when there are none, then returns web_read of
// the records (of next_id when given).
func ormWebSave(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "web_save", record: true, params: []param{
		{name: "vals", required: true}, {name: "specification", required: true}, {name: "next_id"},
	}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	ids, m := b.ids, c.Model
	if len(ids) > 0 {
		if _, err := sibling(ctx, c, "write", ormWrite, []any{ids, b.get("vals")}, nil); err != nil {
			return nil, err
		}
	} else {
		out, err := sibling(ctx, c, "create", ormCreate, []any{b.get("vals")}, nil)
		if err != nil {
			return nil, err
		}
		if ids, err = parseIDs(out); err != nil {
			return nil, Internal(err)
		}
	}
	if next, ok := asID(b.get("next_id")); ok && next != 0 {
		ids = []int64{next}
	}
	spec, err := parseSpec(m, b.get("specification"), "items")
	if err != nil {
		return nil, err
	}
	return o.webRead(ctx, m, ids, spec)
}
