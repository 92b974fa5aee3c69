package models

import (
	"context"
	"maps"
	"slices"
	"sort"
)

// web_read's machinery: specifications, nested many2one and x2many
// values, each field's co-records read in one batch.

// webSpec is a parsed specification: field names in order and the spec
// of each, as sent.
type webSpec struct {
	names []string
	subs  map[string]any
}

// specDict is a dict of the wire: its keys in order and its values.
type specDict struct {
	keys []string
	vals map[string]any
}

func (d *specDict) get(k string) (any, bool) {
	if d == nil {
		return nil, false
	}
	v, ok := d.vals[k]
	return v, ok
}

// asSpecDict reads a dict of the wire (a JSON object or XML-RPC struct,
// or an ordered *Dict); keys of a plain map are ordered by m's fields
// (unknown ones last, sorted) when m is given, sorted otherwise.
func asSpecDict(m *Model, v any) (*specDict, bool) {
	switch x := v.(type) {
	case *Dict:
		d := &specDict{keys: slices.Clone(x.Keys()), vals: make(map[string]any, x.Len())}
		for _, k := range d.keys {
			d.vals[k], _ = x.Get(k)
		}
		return d, true
	case map[string]any:
		d := &specDict{vals: x}
		if m != nil {
			d.keys = sortedKeys(m, x)
		} else {
			d.keys = slices.Sorted(maps.Keys(x))
		}
		return d, true
	}
	return nil, false
}

// parseSpec reads a specification for m. method names the dict method
// Python would call on it ("keys", "items"), for the AttributeError of a
// value that is not a dict. Field specs are read where used (fieldSpec):
// Odoo looks only at those of relational fields.
func parseSpec(m *Model, v any, method string) (*webSpec, error) {
	d, ok := asSpecDict(m, v)
	if !ok {
		return nil, AttributeErrorf("'%s' object has no attribute '%s'", pyTypeName(v), method)
	}
	return &webSpec{names: d.keys, subs: d.vals}, nil
}

// fieldSpec reads the spec of a relational field: nil for an x2many
// with an empty one (its ids are kept), a TypeError for what is not a dict.
func fieldSpec(f *Field, v any) (*specDict, error) {
	if f.Type != Many2one && !pyTruth(v) {
		return nil, nil
	}
	d, ok := asSpecDict(nil, v)
	if !ok {
		return nil, TypeErrorf("argument of type '%s' is not iterable", pyTypeName(v))
	}
	return d, nil
}

// idsOnly reports a specification that asks for nothing but the ids.
func (s *webSpec) idsOnly() bool {
	return len(s.names) == 0 || len(s.names) == 1 && s.names[0] == "id"
}

// withContext returns o with the field spec's "context" merged into the
// context (with_context(**context)), or o itself without one.
func (o *orm) withContext(fs *specDict) (*orm, error) {
	v, ok := fs.get("context")
	if !ok {
		return o, nil
	}
	cd, ok := asSpecDict(nil, v)
	if !ok {
		return nil, TypeErrorf("odoo.models.BaseModel.with_context() argument after ** must be a mapping, not %s", pyTypeName(v))
	}
	env := *o.env
	env.Context = maps.Clone(env.Context)
	if env.Context == nil {
		env.Context = map[string]any{}
	}
	for _, k := range cd.keys {
		env.Context[k] = cd.vals[k]
	}
	sub := *o
	sub.env = &env
	return &sub, nil
}

// webRead is web_read of ids of m: one Dict per existing record in the
// order of ids ("id" first, then the fields of spec), many2one and x2many
// values expanded as spec says. A spec asking only for ids answers every
// id given, without reading, as Odoo does.
func (o *orm) webRead(ctx context.Context, m *Model, ids []int64, spec *webSpec) ([]any, error) {
	if spec.idsOnly() {
		out := make([]any, len(ids))
		for i, id := range ids {
			out[i] = D("id", id)
		}
		return out, nil
	}
	leave, err := o.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	if err := o.checkAccess(ctx, m, OpRead); err != nil {
		return nil, err
	}
	fields, err := o.readFields(m, spec.names)
	if err != nil {
		return nil, err
	}
	rows, err := o.readDicts(ctx, m, ids, fields, false)
	if err != nil || len(rows) == 0 {
		return rows, err
	}
	for _, f := range fields {
		if !f.Relational() {
			continue
		}
		fs, err := fieldSpec(f, spec.subs[f.Name])
		if err != nil {
			return nil, err
		}
		if fs == nil {
			continue
		}
		switch f.Type {
		case Many2one:
			err = o.webMany2one(ctx, f, rows, fs)
		case One2many, Many2many:
			err = o.webX2many(ctx, f, rows, fs)
		}
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// webMany2one replaces the ids of many2one f in rows by nested dicts when
// the field spec has "fields". display_name is computed without access
// checks on the comodel, as Odoo computes it as superuser; other fields
// are read with them.
func (o *orm) webMany2one(ctx context.Context, f *Field, rows []any, fs *specDict) error {
	sub, ok := fs.get("fields")
	if !ok {
		return nil
	}
	cm := o.reg.modelOrNil(f.Relation)
	spec, err := parseSpec(cm, sub, "items")
	if err != nil {
		return err
	}
	wantName := slices.Contains(spec.names, "display_name")
	spec.names = slices.DeleteFunc(slices.Clone(spec.names), func(n string) bool { return n == "display_name" })
	co, err := o.withContext(fs)
	if err != nil {
		return err
	}
	var targets []int64
	for _, r := range rows {
		v, _ := r.(*Dict).Get(f.Name)
		if id, ok := wireInt(v); ok && id != 0 && v != false {
			targets = append(targets, id)
		}
	}
	targets = uniqueIDs(targets)
	data := make(map[int64]*Dict, len(targets))
	if cm == nil && !spec.idsOnly() {
		return UserErrorf("Object %s doesn't exist", f.Relation)
	}
	if cm != nil {
		recs, err := co.webRead(ctx, cm, targets, spec)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			d := rec.(*Dict)
			id, _ := d.Get("id")
			data[id.(int64)] = d
		}
	}
	var names map[int64]any
	if wantName {
		if names, err = co.targetNames(ctx, f.Relation, targets); err != nil {
			return err
		}
	}
	for _, id := range targets {
		d := data[id]
		if d == nil {
			d = D("id", id)
			data[id] = d
		}
		if wantName {
			d.Set("display_name", names[id])
		}
	}
	for _, r := range rows {
		row := r.(*Dict)
		v, _ := row.Get(f.Name)
		if id, ok := wireInt(v); ok && id != 0 && v != false {
			row.Set(f.Name, data[id])
		}
	}
	return nil
}

// webX2many orders, limits and expands the ids of x2many f in rows as
// the field spec says: "order" re-sorts them (a search on the comodel),
// "fields" reads them as nested dicts, "limit" reads only the first ids
// of each record (the others stay {"id": n}).
func (o *orm) webX2many(ctx context.Context, f *Field, rows []any, fs *specDict) error {
	cm := o.reg.modelOrNil(f.Relation)
	if cm == nil {
		return nil
	}
	lists := make([][]int64, len(rows))
	var all []int64
	for i, r := range rows {
		v, _ := r.(*Dict).Get(f.Name)
		lists[i], _ = v.([]int64)
		all = append(all, lists[i]...)
	}
	all = uniqueIDs(all)
	if ov, _ := fs.get("order"); pyTruth(ov) {
		order, err := argOrder(ov)
		if err != nil {
			return err
		}
		sorted, err := o.searchIDs(ctx, cm, &Leaf{Left: "id", Op: "in", Right: all}, true, order, 0, 0)
		if err != nil {
			return err
		}
		rank := make(map[int64]int, len(sorted))
		for i, id := range sorted {
			rank[id] = i
		}
		for i, l := range lists {
			l = slices.DeleteFunc(slices.Clone(l), func(id int64) bool { _, ok := rank[id]; return !ok })
			sort.SliceStable(l, func(a, b int) bool { return rank[l[a]] < rank[l[b]] })
			lists[i] = l
		}
	}
	sub, expand := fs.get("fields")
	if !expand {
		for i, r := range rows {
			r.(*Dict).Set(f.Name, lists[i])
		}
		return nil
	}
	spec, err := parseSpec(cm, sub, "items")
	if err != nil {
		return err
	}
	co, err := o.withContext(fs)
	if err != nil {
		return err
	}
	toRead := all
	if lv, ok := fs.get("limit"); ok && lv != nil {
		n, err := sliceIndex(lv)
		if err != nil {
			return err
		}
		toRead = nil
		for _, l := range lists {
			toRead = append(toRead, pySliceHead(l, n)...)
		}
		toRead = uniqueIDs(toRead)
	}
	recs, err := co.webRead(ctx, cm, toRead, spec)
	if err != nil {
		return err
	}
	data := make(map[int64]*Dict, len(recs))
	for _, rec := range recs {
		d := rec.(*Dict)
		id, _ := d.Get("id")
		data[id.(int64)] = d
	}
	for i, r := range rows {
		out := make([]any, len(lists[i]))
		for j, id := range lists[i] {
			if d := data[id]; d != nil {
				out[j] = d
			} else {
				out[j] = D("id", id)
			}
		}
		r.(*Dict).Set(f.Name, out)
	}
	return nil
}

// sliceIndex reads a Python slice bound (False is 0).
func sliceIndex(v any) (int64, error) {
	if n, ok := wireInt(v); ok {
		if _, isDec := v.(float64); !isDec {
			return n, nil
		}
	}
	return 0, TypeErrorf("slice indices must be integers or None or have an __index__ method")
}

// pySliceHead is Python's l[:n].
func pySliceHead(l []int64, n int64) []int64 {
	if n < 0 {
		n += int64(len(l))
	}
	return l[:max(0, min(n, int64(len(l))))]
}
