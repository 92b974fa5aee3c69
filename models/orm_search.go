package models

import (
	"context"
	"fmt"
	"maps"
	"strconv"
)

// search, search_count, search_read, read, name_search, name_get, exists.

// searchIDs runs a compiled search and returns the ids in order.
func (o *orm) searchIDs(ctx context.Context, m *Model, e Expr, activeTest bool, order string, offset, limit int64) ([]int64, error) {
	c := o.compiler()
	cond, _, err := c.where(m, e, activeTest)
	if err != nil {
		return nil, err
	}
	ob, err := c.orderBy(m, rootAlias, order)
	if err != nil {
		return nil, err
	}
	q := "SELECT " + qcol(rootAlias, "id") + " FROM " + qi(m.Table) + " AS " + qi(rootAlias) +
		" WHERE " + cond + " ORDER BY " + ob
	switch {
	case limit > 0:
		q += " LIMIT " + strconv.FormatInt(limit, 10)
	case offset > 0 && o.dialect == DialectSQLite:
		q += " LIMIT -1"
	}
	if offset > 0 {
		q += " OFFSET " + strconv.FormatInt(offset, 10)
	}
	rows, err := o.db.QueryContext(ctx, q, c.args...)
	if err != nil {
		return nil, Internal(fmt.Errorf("search %s: %w", m.Name, err))
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, Internal(fmt.Errorf("search %s: %w", m.Name, err))
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, Internal(fmt.Errorf("search %s: %w", m.Name, err))
	}
	return ids, nil
}

// count counts the records matching e, at most limit when limit > 0.
func (o *orm) count(ctx context.Context, m *Model, e Expr, limit int64) (int64, error) {
	c := o.compiler()
	cond, _, err := c.where(m, e, true)
	if err != nil {
		return 0, err
	}
	from := " FROM " + qi(m.Table) + " AS " + qi(rootAlias) + " WHERE " + cond
	q := "SELECT count(*)" + from
	if limit > 0 {
		q = "SELECT count(*) FROM (SELECT 1" + from + " LIMIT " + strconv.FormatInt(limit, 10) + ") AS " + qi("sub")
	}
	var n int64
	if err := o.db.QueryRowContext(ctx, q, c.args...).Scan(&n); err != nil {
		return 0, Internal(fmt.Errorf("search_count %s: %w", m.Name, err))
	}
	return n, nil
}

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
	if pyTruthy(b.get("count")) {
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
	ids, err := o.searchIDs(ctx, c.Model, e, true, order, offset, limit)
	if err != nil || len(ids) == 0 {
		return []any{}, err
	}
	if len(names) == 1 && names[0] == "id" {
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = D("id", id)
		}
		return out, nil
	}
	// active_test was meant for the search only, not the reads after it.
	env := *o.env
	env.Context = maps.Clone(env.Context)
	delete(env.Context, "active_test")
	o.env = &env
	return o.readDicts(ctx, c.Model, ids, fields, load == "_classic_read")
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

// pyTruthy is Python's bool() for wire values.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	n, ok := constNumber(v)
	return !ok || n != 0
}
