package models

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"
)

// create, name_create, default_get and the values preparation shared with
// write.

// magicFields are dropped from create/write values, as Odoo does.
var magicFields = map[string]bool{
	"id": true, "create_date": true, "write_date": true, "create_uid": true, "write_uid": true, "display_name": true,
}

// prepared are the values of one create or write, checked and converted.
type prepared struct {
	cols   []string         // column names, in field order
	args   []any            // driver arguments, aligned with cols
	fields []*Field         // the field of each column
	x2m    []x2mValue       // x2many values, applied after the row exists
	m2o    map[*Field]int64 // non-null many2one values, for existence checks
}

type x2mValue struct {
	f *Field
	v any
}

func (p *prepared) set(f *Field, arg any) {
	for i, c := range p.cols {
		if c == f.Column {
			p.args[i], p.fields[i] = arg, f
			return
		}
	}
	p.cols = append(p.cols, f.Column)
	p.args = append(p.args, arg)
	p.fields = append(p.fields, f)
}

func (p *prepared) value(col string) (any, bool) {
	for i, c := range p.cols {
		if c == col {
			return p.args[i], true
		}
	}
	return nil, false
}

// prepare checks and converts vals for m. Unknown fields are Odoo's
// ValueError; fields without storage (computed, related, display_name)
// and the magic columns are ignored, as Odoo does; readonly stored fields
// are written (readonly is a UI hint in Odoo).
func (o *orm) prepare(m *Model, vals map[string]any) (*prepared, error) {
	p := &prepared{m2o: map[*Field]int64{}}
	var hidden []string
	for _, k := range sortedKeys(m, vals) {
		f := m.Field(k)
		if f == nil {
			return nil, ValueErrorf("Invalid field %s on model %s", reprStr(k), reprStr(m.Name))
		}
		if !o.fieldAccessible(f) {
			hidden = append(hidden, k)
		}
	}
	if len(hidden) > 0 {
		return nil, fieldsAccessError(m, OpWrite, hidden)
	}
	for _, k := range sortedKeys(m, vals) {
		f, v := m.Field(k), vals[k]
		switch {
		case magicFields[k]:
			continue
		case f.Type == One2many || f.Type == Many2many:
			p.x2m = append(p.x2m, x2mValue{f: f, v: v})
			continue
		case !f.Stored() || f.Related != "":
			continue
		}
		arg, err := o.columnValue(m, f, v)
		if err != nil {
			return nil, err
		}
		if f.Type == Many2one {
			if id, ok := arg.(int64); ok {
				p.m2o[f] = id
			} else {
				delete(p.m2o, f)
			}
		}
		p.set(f, arg)
	}
	return p, nil
}

// sortedKeys lists the keys of vals in m's field order, unknown ones
// last (sorted), so statements are deterministic.
func sortedKeys(m *Model, vals map[string]any) []string {
	out := make([]string, 0, len(vals))
	for _, f := range m.Fields {
		if _, ok := vals[f.Name]; ok {
			out = append(out, f.Name)
		}
	}
	var unknown []string
	for k := range vals {
		if m.Field(k) == nil {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	return append(out, unknown...)
}

// columnValue converts one value for f's column.
func (o *orm) columnValue(m *Model, f *Field, v any) (any, error) {
	wrong := func() error { return ValueErrorf("Wrong value for %s.%s: %s", m.Name, f.Name, reprPy(v)) }
	if s, ok := v.(string); ok && strings.IndexByte(s, 0) >= 0 {
		return nil, ValueErrorf("A string literal cannot contain NUL (0x00) characters.")
	}
	switch f.Type {
	case Many2one:
		if v == nil || v == false {
			return nil, nil
		}
		id, ok := asID(v)
		if !ok {
			return nil, wrong()
		}
		if id == 0 {
			return nil, nil
		}
		return id, nil
	case Selection:
		if len(f.Selection) > 0 && pyTruth(v) {
			s, _ := v.(string)
			known := false
			for _, kv := range f.Selection {
				known = known || kv[0] == s
			}
			if !known {
				return nil, wrong()
			}
		}
	case One2many, Many2many:
		return nil, wrong()
	}
	x, err := ToColumn(o.dialect, f, v)
	if err != nil {
		return nil, err
	}
	return sqlArg(f, x), nil
}

// withDefaults completes vals with the context's default_<field> values
// and the fields' defaults, for the fields vals lacks.
func (o *orm) withDefaults(m *Model, vals map[string]any) map[string]any {
	out := maps.Clone(vals)
	if out == nil {
		out = map[string]any{}
	}
	for _, f := range m.Fields {
		if _, ok := out[f.Name]; ok || magicFields[f.Name] {
			continue
		}
		if v, ok := o.env.Context["default_"+f.Name]; ok {
			out[f.Name] = v
			continue
		}
		if f.Default != nil {
			if v := f.Default(o.env); v != nil {
				out[f.Name] = v
			}
		}
	}
	return out
}

// create inserts one record of m (no access check: callers do it).
func (o *orm) create(ctx context.Context, m *Model, vals map[string]any) (int64, error) {
	leave, err := o.enter()
	if err != nil {
		return 0, err
	}
	defer leave()
	p, err := o.prepare(m, o.withDefaults(m, vals))
	if err != nil {
		return 0, err
	}
	for _, f := range m.Fields {
		if v, ok := p.value(f.Column); f.Required && f.Stored() && f.Related == "" && (!ok || v == nil) {
			return 0, notNullError(m, f)
		}
	}
	if err := o.checkTargets(ctx, m, p); err != nil {
		return 0, err
	}
	if err := o.storedRelated(ctx, m, p); err != nil {
		return 0, err
	}
	o.setUserLog(m, p, "create_uid", "write_uid")
	if err := o.externalID(ctx, m, p); err != nil {
		return 0, err
	}
	q := "INSERT INTO " + qi(m.Table) + " DEFAULT VALUES RETURNING " + qi("id")
	if len(p.cols) > 0 {
		cols := make([]string, len(p.cols))
		ph := make([]string, len(p.cols))
		for i, c := range p.cols {
			cols[i], ph[i] = qi(c), "?"
		}
		q = "INSERT INTO " + qi(m.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" +
			strings.Join(ph, ", ") + ") RETURNING " + qi("id")
	}
	var id int64
	if err := o.db.QueryRowContext(ctx, q, p.args...).Scan(&id); err != nil {
		return 0, o.dbError(m, err)
	}
	for _, x := range p.x2m {
		if err := o.applyX2many(ctx, m, id, x.f, x.v); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// checkTargets fails, as PostgreSQL's foreign keys make Odoo fail, when a
// many2one points at a record that does not exist.
func (o *orm) checkTargets(ctx context.Context, m *Model, p *prepared) error {
	for _, f := range m.Fields {
		id, ok := p.m2o[f]
		cm := o.reg.modelOrNil(f.Relation)
		if !ok || cm == nil {
			continue
		}
		ex, err := o.existing(ctx, cm, []int64{id})
		if err != nil {
			return err
		}
		if len(ex) == 0 {
			return fkError(m, strings.ReplaceAll(m.Name, ".", "_")+"_"+f.Name+"_fkey")
		}
	}
	return nil
}

// storedRelated fills stored related columns ("program_id.company_id")
// from the first hop, when the values set it.
func (o *orm) storedRelated(ctx context.Context, m *Model, p *prepared) error {
	for _, f := range m.Fields {
		if !f.Stored() || f.Related == "" {
			continue
		}
		first, rest, ok := strings.Cut(f.Related, ".")
		hop := m.Field(first)
		if !ok || hop == nil || hop.Type != Many2one || !hop.Stored() || strings.Contains(rest, ".") {
			continue
		}
		target, set := p.value(hop.Column)
		if !set {
			continue
		}
		var val any
		if id, ok := target.(int64); ok {
			cm := o.reg.modelOrNil(hop.Relation)
			if cm == nil || cm.Field(rest) == nil {
				continue
			}
			fx, err := o.fetch(ctx, cm, []int64{id}, []*Field{cm.Field(rest)})
			if err != nil {
				return err
			}
			if len(fx.ids) > 0 {
				val = writeValue(f, fx.vals[id][rest])
			}
		}
		arg, err := o.columnValue(m, f, val)
		if err != nil {
			return err
		}
		p.set(f, arg)
	}
	return nil
}

// create(vals_list): an id for a dict, a list of ids for a list of dicts.
func ormCreate(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "create", params: []param{{name: "vals_list", required: true}}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	if err := o.checkAccess(ctx, c.Model, OpCreate); err != nil {
		return nil, err
	}
	switch v := b.get("vals_list").(type) {
	case map[string]any:
		return o.create(ctx, c.Model, v)
	case []any:
		ids := make([]int64, 0, len(v))
		for _, e := range v {
			vals, ok := e.(map[string]any)
			if !ok {
				return nil, AttributeErrorf("'%s' object has no attribute 'items'", pyTypeName(e))
			}
			id, err := o.create(ctx, c.Model, vals)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, nil
	case nil, bool:
		return []int64{}, nil
	default:
		return nil, AttributeErrorf("'%s' object has no attribute 'items'", pyTypeName(v))
	}
}

// name_create(name): creates a record from its rec name; [id, name].
func ormNameCreate(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "name_create", params: []param{{name: "name", required: true}}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	m := c.Model
	if err := o.checkAccess(ctx, m, OpCreate); err != nil {
		return nil, err
	}
	if m.RecName == "" || m.Field(m.RecName) == nil || !m.Field(m.RecName).Stored() {
		return false, nil
	}
	id, err := o.create(ctx, m, map[string]any{m.RecName: b.get("name")})
	if err != nil {
		return nil, err
	}
	pairs, err := o.namePairs(ctx, m, []int64{id})
	if err != nil || len(pairs) == 0 {
		return nil, err
	}
	return pairs[0], nil
}

// default_get(fields_list): the defaults of the fields listed, from the
// context's default_<field> keys then the fields' defaults, in write
// format.
func ormDefaultGet(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "default_get", params: []param{{name: "fields_list", required: true}}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	names, err := argNames("fields_list", b.get("fields_list"))
	if err != nil {
		return nil, err
	}
	out := NewDict(len(names))
	for _, n := range names {
		f := c.Model.Field(n)
		if v, ok := o.env.Context["default_"+n]; ok {
			if f != nil && f.Type == Many2many && isListValue(v) {
				if ids, err := parseIDs(v); err == nil {
					v = writeValue(f, ids)
				}
			}
			out.Set(n, v)
			continue
		}
		if f == nil || f.Default == nil {
			continue
		}
		if v := f.Default(o.env); v != nil {
			out.Set(n, writeValue(f, v))
		}
	}
	return out, nil
}

// nowColumn is the current time as an argument for a datetime field.
func (o *orm) nowColumn(f *Field) (any, error) {
	x, err := ToColumn(o.dialect, f, time.Now().UTC().Truncate(time.Second))
	if err != nil {
		return nil, Internal(fmt.Errorf("now: %w", err))
	}
	return sqlArg(f, x), nil
}

// setUserLog records the calling user in the stored create_uid/write_uid
// fields named (Odoo's log access fields).
func (o *orm) setUserLog(m *Model, p *prepared, names ...string) {
	if o.env.UID <= 0 {
		return
	}
	for _, n := range names {
		if f := m.Field(n); f != nil && f.Stored() {
			p.set(f, o.env.UID)
		}
	}
}
