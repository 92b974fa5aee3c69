package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The rows of read_group: values read back from the drivers, then the
// dicts Odoo 17 returns (16's key and domain orders where they differ).

// groupValue normalises a group value: ids (int64) for many2one,
// many2many and id, the bucket start (wall time in UTC) for dates, the
// FromColumn value otherwise; nil when empty.
func (q *groupQuery) groupValue(g groupBy, raw any) (any, error) {
	f := g.field
	if b, ok := raw.([]byte); ok {
		raw = string(b)
	}
	switch {
	case raw == nil && f.Type == Boolean:
		return false, nil
	case raw == nil:
		return nil, nil
	case f.Type == Date || f.Type == Datetime:
		t, ok := readTime(raw)
		if !ok {
			return nil, Internal(fmt.Errorf("read_group %s: bucket %T %v", g.spec, raw, raw))
		}
		return t, nil
	case f.Type == Many2many:
		id, ok := readInt(raw)
		if !ok {
			return nil, Internal(fmt.Errorf("read_group %s: id %T %v", g.spec, raw, raw))
		}
		return id, nil
	}
	return FromColumn(q.o.dialect, f, raw)
}

// aggValue converts an aggregate: counts are ints, avg a float, sums and
// extremes the field's value (exact decimals stay decimal.Decimal),
// array_agg a list; an empty aggregate is False, as in Odoo.
func (q *groupQuery) aggValue(a aggTerm, raw any) (any, error) {
	if b, ok := raw.([]byte); ok {
		raw = string(b)
	}
	switch a.fn {
	case "__count", "count", "count_distinct":
		if raw == nil {
			return int64(0), nil
		}
		if n, ok := readInt(raw); ok {
			return n, nil
		}
	case "bool_and", "bool_or":
		if raw == nil {
			return false, nil
		}
		if b, ok := readBool(raw); ok {
			return b, nil
		}
	case "array_agg":
		return q.arrayValue(a.field, raw)
	case "avg":
		if raw == nil {
			return false, nil
		}
		if d, ok := readDecimal(raw); ok {
			if a.field.Decimal && q.o.dialect == DialectSQLite {
				d = d.Shift(-2)
			}
			return d.InexactFloat64(), nil
		}
	default:
		v, err := q.fieldValue(a.field, raw)
		if err != nil {
			return nil, err
		}
		return aggWire(a.field, v), nil
	}
	return nil, Internal(fmt.Errorf("read_group %s: %s gave %T %v", q.req.m.Name, a.fn, raw, raw))
}

// fieldValue reads one stored value of f (a many2many's comodel id).
func (q *groupQuery) fieldValue(f *Field, raw any) (any, error) {
	if raw == nil {
		return nil, nil
	}
	if f.Type == Many2many {
		if id, ok := readInt(raw); ok {
			return id, nil
		}
		return nil, Internal(fmt.Errorf("read_group %s: id %T %v", f.Name, raw, raw))
	}
	return FromColumn(q.o.dialect, f, raw)
}

// aggWire is a value of f as an aggregate returns it: numbers as they
// are (ids included), the rest as read() shows them; nil is False.
func aggWire(f *Field, v any) any {
	switch x := v.(type) {
	case nil:
		return false
	case int64, float64, decimal.Decimal:
		return x
	}
	return wireValue(f, v, false, nil)
}

// arrayValue decodes array_agg's JSON array (json_agg on PostgreSQL,
// json_group_array on SQLite).
func (q *groupQuery) arrayValue(f *Field, raw any) (any, error) {
	s, _ := raw.(string)
	if raw == nil || s == "" {
		return []any{}, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var elems []any
	if err := dec.Decode(&elems); err != nil {
		return nil, Internal(fmt.Errorf("read_group %s: array_agg: %w", f.Name, err))
	}
	out := make([]any, len(elems))
	for i, e := range elems {
		if n, ok := e.(json.Number); ok {
			if iv, err := n.Int64(); err == nil {
				e = iv
			} else {
				e = n.String()
			}
		}
		v, err := q.fieldValue(f, e)
		if err != nil {
			return nil, err
		}
		out[i] = aggWire(f, v)
	}
	return out, nil
}

// groupNames reads the display names of the many2one, many2many and id
// groups, one read per comodel.
func (q *groupQuery) groupNames(ctx context.Context, rows []groupRow) (map[string]map[int64]any, error) {
	ids := map[string][]int64{}
	for i, g := range q.req.groups {
		model := groupComodel(q.req.m, g.field)
		if model == "" {
			continue
		}
		for _, r := range rows {
			if id, ok := r.groups[i].(int64); ok && id != 0 {
				ids[model] = append(ids[model], id)
			}
		}
	}
	out := map[string]map[int64]any{}
	for model, list := range ids {
		names, err := q.o.targetNames(ctx, model, uniqueIDs(list))
		if err != nil {
			return nil, err
		}
		out[model] = names
	}
	return out, nil
}

// groupComodel names the model whose records a group of f stands for
// ("" when the group is a plain value).
func groupComodel(m *Model, f *Field) string {
	switch {
	case f.Type == Many2one || f.Type == Many2many:
		return f.Relation
	case f.Name == "id":
		return m.Name
	}
	return ""
}

// format builds the result dicts.
func (q *groupQuery) format(ctx context.Context, rows []groupRow) ([]any, error) {
	names, err := q.groupNames(ctx, rows)
	if err != nil {
		return nil, err
	}
	v16 := q.req.version != 0 && q.req.version < 17
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		d := NewDict(len(q.req.groups) + len(q.req.aggs) + 3)
		if !v16 {
			for _, g := range q.req.groups {
				d.Set(g.key, false)
			}
		}
		for j, a := range q.req.aggs {
			d.Set(a.key, r.aggs[j])
		}
		var ranges *Dict
		var conds []any
		for i, g := range q.req.groups {
			val, rng, cond := q.groupCell(g, r.groups[i], i, rows, names)
			d.Set(g.key, val)
			if g.field.Type == Date || g.field.Type == Datetime {
				if ranges == nil {
					ranges = NewDict(1)
				}
				ranges.Set(g.key, rng)
			}
			conds = append(conds, cond)
		}
		var ctxDict *Dict
		if rest := q.req.groupby[len(q.req.lazy):]; len(rest) > 0 {
			list := make([]any, len(rest))
			for i, s := range rest {
				list[i] = s
			}
			ctxDict = D("group_by", list)
		}
		if v16 {
			if ranges != nil {
				d.Set("__range", ranges)
			}
			d.Set("__domain", domainAND(false, append(conds, q.req.domain)...))
		} else {
			dom := q.req.domain
			if dom == nil {
				dom = []any{}
			}
			for _, c := range conds {
				dom = domainAND(true, dom, c)
			}
			d.Set("__domain", dom)
		}
		if ctxDict != nil {
			d.Set("__context", ctxDict)
		}
		if !v16 && ranges != nil {
			d.Set("__range", ranges)
		}
		out = append(out, d)
	}
	return out, nil
}

// groupCell formats group i of a row: its value, its __range entry (date
// groups) and the domain selecting it.
func (q *groupQuery) groupCell(g groupBy, v any, i int, rows []groupRow, names map[string]map[int64]any) (any, any, []any) {
	f := g.field
	if model := groupComodel(q.req.m, f); model != "" {
		id, ok := v.(int64)
		if ok && id != 0 {
			return []any{id, names[model][id]}, nil, []any{[]any{f.Name, "=", id}}
		}
		if f.Type != Many2many {
			return false, nil, []any{[]any{f.Name, "=", false}}
		}
		others := []any{}
		for _, r := range rows {
			if o, ok := r.groups[i].(int64); ok && o != 0 {
				others = append(others, o)
			}
		}
		return false, nil, []any{[]any{f.Name, "not in", others}}
	}
	if f.Type == Date || f.Type == Datetime {
		t, ok := v.(time.Time)
		if !ok {
			return false, false, []any{[]any{f.Name, "=", false}}
		}
		from, to := q.timeRange(f, t, g.gran)
		return groupLabel(t, g.gran), D("from", from, "to", to),
			[]any{"&", []any{f.Name, ">=", from}, []any{f.Name, "<", to}}
	}
	if v == nil {
		v = false
	}
	return v, nil, []any{[]any{f.Name, "=", v}}
}

// domainAND is Odoo's expression.AND over wire domains: empty ones (and
// False, None) are skipped, the others normalised and joined by '&'s in
// front; nothing left is the TRUE domain.
func domainAND(recurse bool, domains ...any) []any {
	var out []any
	n := 0
	for _, d := range domains {
		l, ok := d.([]any)
		if !ok || len(l) == 0 {
			continue
		}
		out = append(out, normalizeDomain(l, recurse)...)
		n++
	}
	if n == 0 {
		return []any{[]any{int64(1), "=", int64(1)}}
	}
	head := make([]any, n-1, n-1+len(out))
	for i := range head {
		head[i] = "&"
	}
	return append(head, out...)
}

// normalizeDomain is Odoo's normalize_domain: the implicit '&'s made
// explicit (17+ also normalises the sub-domains of 'any').
func normalizeDomain(d []any, recurse bool) []any {
	if len(d) == 0 {
		return []any{[]any{int64(1), "=", int64(1)}}
	}
	var out []any
	expected := 1
	for _, tok := range d {
		if expected == 0 {
			out = append([]any{"&"}, out...)
			expected = 1
		}
		if leaf, ok := tok.([]any); ok {
			expected--
			if sub, ok := anySub(leaf); ok && recurse {
				leaf = []any{leaf[0], leaf[1], normalizeDomain(sub, true)}
			}
			out = append(out, leaf)
			continue
		}
		switch tok {
		case "!":
		case "&", "|":
			expected++
		default:
			expected--
		}
		out = append(out, tok)
	}
	return out
}

// anySub returns the sub-domain of an ('f', 'any', [...]) leaf.
func anySub(leaf []any) ([]any, bool) {
	if len(leaf) != 3 || (leaf[1] != "any" && leaf[1] != "not any") {
		return nil, false
	}
	sub, ok := leaf[2].([]any)
	return sub, ok
}
