package models

import (
	"context"
	"maps"
)

// search, search_count, search_read, read, name_search, name_get, exists.

// search(domain, offset=0, limit=None, order=None): a list of ids. Odoo 16
// also takes count=False (an int when true); 17+ reject it.
func ormSearch(ctx context.Context, c *Call) (any, error) {
	sig := signature{name: "search", params: []param{
		{name: "domain", required: true}, {name: "offset", def: int64(0)}, {name: "limit"}, {name: "order"},
	}}
	if c.Env.Version != 0 && c.Env.Version < 17 {
		sig.params = append(sig.params, param{name: "count", def: false})
	}
	b, err := bind(c, sig)
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	if err := o.checkAccess(ctx, c.Model, OpRead); err != nil {
		return nil, err
	}
	e, err := ParseDomain(b.get("domain"))
	if err != nil {
		return nil, err
	}
	limit, offset, err := argLimitOffset(b)
	if err != nil {
		return nil, err
	}
	order, err := argOrder(b.get("order"))
	if err != nil {
		return nil, err
	}
	if pyTruth(b.get("count")) {
		return o.count(ctx, c.Model, e, 0)
	}
	return o.searchIDs(ctx, c.Model, e, true, order, offset, limit)
}

// search_count(domain, limit=None): the number of matching records.
func ormSearchCount(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "search_count", params: []param{{name: "domain", required: true}, {name: "limit"}}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	if err := o.checkAccess(ctx, c.Model, OpRead); err != nil {
		return nil, err
	}
	e, err := ParseDomain(b.get("domain"))
	if err != nil {
		return nil, err
	}
	limit, err := argInt("limit", b.get("limit"), 0)
	if err != nil {
		return nil, err
	}
	return o.count(ctx, c.Model, e, limit)
}

// search_read(domain=None, fields=None, offset=0, limit=None, order=None,
// **read_kwargs): search then read; read_kwargs is load.
func ormSearchRead(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "search_read", varKw: true, params: []param{
		{name: "domain"}, {name: "fields"}, {name: "offset", def: int64(0)}, {name: "limit"}, {name: "order"},
	}})
	if err != nil {
		return nil, err
	}
	load := any("_classic_read")
	for k, v := range b.extra {
		if k != "load" {
			return nil, TypeErrorf("BaseModel.read() got an unexpected keyword argument '%s'", k)
		}
		load = v
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	if err := o.checkAccess(ctx, c.Model, OpRead); err != nil {
		return nil, err
	}
	names, err := argNames("fields", b.get("fields"))
	if err != nil {
		return nil, err
	}
	fields, err := o.readFields(c.Model, names)
	if err != nil {
		return nil, err
	}
	e, err := ParseDomain(b.get("domain"))
	if err != nil {
		return nil, err
	}
	limit, offset, err := argLimitOffset(b)
	if err != nil {
		return nil, err
	}
	order, err := argOrder(b.get("order"))
	if err != nil {
		return nil, err
	}
	if len(names) == 1 && names[0] == "id" {
		ids, err := o.searchIDs(ctx, c.Model, e, true, order, offset, limit)
		if err != nil || len(ids) == 0 {
			return []any{}, err
		}
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = D("id", id)
		}
		return out, nil
	}
	classic := load == "_classic_read"
	rs, err := o.searchRecords(ctx, c.Model, e, order, offset, limit, fields, classic)
	if err != nil || len(rs.ids) == 0 {
		return []any{}, err
	}
	// active_test was meant for the search only, not the reads after it.
	if _, ok := o.env.Context["active_test"]; ok {
		env := *o.env
		env.Context = maps.Clone(env.Context)
		delete(env.Context, "active_test")
		o.env = &env
	}
	if err := o.computeValues(ctx, c.Model, rs, fields); err != nil {
		return nil, err
	}
	return o.dicts(ctx, c.Model, rs, nil, fields, classic)
}

// read(ids, fields=None, load='_classic_read'): missing ids are skipped.
func ormRead(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "read", record: true, params: []param{
		{name: "fields"}, {name: "load", def: "_classic_read"},
	}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	if err := o.checkAccess(ctx, c.Model, OpRead); err != nil {
		return nil, err
	}
	names, err := argNames("fields", b.get("fields"))
	if err != nil {
		return nil, err
	}
	fields, err := o.readFields(c.Model, names)
	if err != nil {
		return nil, err
	}
	return o.readDicts(ctx, c.Model, b.ids, fields, b.get("load") == "_classic_read")
}

// name_search(name="", args=None, operator="ilike", limit=100): a list of
// [id, display_name] of the records whose rec name matches.
func ormNameSearch(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "name_search", params: []param{
		{name: "name", def: ""}, {name: "args"}, {name: "operator", def: "ilike"}, {name: "limit", def: int64(100)},
	}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	m := c.Model
	if err := o.checkAccess(ctx, m, OpRead); err != nil {
		return nil, err
	}
	e, err := ParseDomain(b.get("args"))
	if err != nil {
		return nil, err
	}
	name := b.get("name")
	if name == nil || name == false {
		name = ""
	}
	op, _ := b.get("operator").(string)
	if !(name == "" && (op == "ilike" || op == "like")) {
		rec := m.RecName
		if rec == "" {
			rec = "display_name"
		}
		leaf, err := ParseDomain([]any{[]any{rec, b.get("operator"), name}})
		if err != nil {
			return nil, err
		}
		e = andExpr(e, leaf)
	}
	limit, err := argInt("limit", b.get("limit"), 0)
	if err != nil {
		return nil, err
	}
	ids, err := o.searchIDs(ctx, m, e, true, "", 0, max(limit, 0))
	if err != nil {
		return nil, err
	}
	return o.namePairs(ctx, m, ids)
}

// namePairs returns [[id, display_name], ...] for existing ids.
func (o *orm) namePairs(ctx context.Context, m *Model, ids []int64) ([]any, error) {
	fx, err := o.fetch(ctx, m, ids, []*Field{m.Field("display_name")})
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(fx.ids))
	for _, id := range fx.ids {
		out = append(out, []any{id, wireValue(m.Field("display_name"), fx.vals[id]["display_name"], false, nil)})
	}
	return out, nil
}

// name_get(ids): [[id, display_name], ...] (17 and before).
func ormNameGet(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "name_get", record: true})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	if err := o.checkAccess(ctx, c.Model, OpRead); err != nil {
		return nil, err
	}
	if err := o.checkExist(ctx, c.Model, b.ids); err != nil {
		return nil, err
	}
	return o.namePairs(ctx, c.Model, b.ids)
}

// exists(ids): the ids that exist, in the order given.
func ormExists(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "exists", record: true})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	return o.existing(ctx, c.Model, b.ids)
}
