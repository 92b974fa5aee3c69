package models

import (
	"context"
	"fmt"
)

// Display names and the dicts read and search_read return.

// foreignDisplayNames formats the display name of records of models this
// server does not serve but fields point at (a POS order that created a
// card); other unserved models read as Odoo's fallback "model,id".
var foreignDisplayNames = map[string]string{
	"pos.order": "Order %d",
}

func foreignName(model string, id int64) string {
	if f, ok := foreignDisplayNames[model]; ok {
		return fmt.Sprintf(f, id)
	}
	return fmt.Sprintf("%s,%d", model, id)
}

// displayNames computes display_name for rows of m without a compute of
// its own: Model.DisplayName, else the rec name's value (False when
// empty, as Odoo's convert_to_display_name), else "model,id".
func (o *orm) displayNames(ctx context.Context, m *Model, ids []int64, rows []Row) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	switch {
	case m.DisplayName != nil:
		for i, id := range ids {
			out[id] = m.DisplayName(o.env, rows[i])
		}
	case m.RecName != "" && m.RecName != "display_name" && m.Field(m.RecName) != nil:
		vals, err := o.fieldValues(ctx, m, m.Field(m.RecName), ids, rows)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			if s := recNameString(vals[i]); s != "" {
				out[id] = s
			}
		}
	default:
		for _, id := range ids {
			out[id] = fmt.Sprintf("%s,%d", m.Name, id)
		}
	}
	return out, nil
}

// recNameString is a rec name's value as a display name ("" when empty).
func recNameString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return ""
	}
	return strPy(v)
}

// targetNames returns the display names of ids of model (served or not);
// False stands for an empty name. Served models read only the columns
// their display name needs, in one query per thousand ids.
func (o *orm) targetNames(ctx context.Context, model string, ids []int64) (map[int64]any, error) {
	out := make(map[int64]any, len(ids))
	if cm := o.reg.modelOrNil(model); cm != nil && len(ids) > 0 {
		rs, err := o.readIDs(ctx, cm, ids, []*Field{cm.Field("display_name")})
		if err != nil {
			return nil, err
		}
		for i, id := range rs.ids {
			if s, ok := rs.vals[0][i].(string); ok && s != "" {
				out[id] = s
			} else {
				out[id] = false
			}
		}
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = foreignName(model, id)
		}
	}
	return out, nil
}

// readDicts reads ids of m as read() returns them: one Dict per existing
// record in the order of ids, "id" first, then fields; many2one values as
// [id, name] when classic (load='_classic_read'), as ids otherwise.
func (o *orm) readDicts(ctx context.Context, m *Model, ids []int64, fields []*Field, classic bool) ([]any, error) {
	rs, err := o.readRecords(ctx, m, ids, fields, classic)
	if err != nil {
		return nil, err
	}
	var order []int
	if len(rs.ids) != len(ids) {
		// Missing ids are skipped, repeated ones repeated.
		at := make(map[int64]int, len(rs.ids))
		for i, id := range rs.ids {
			at[id] = i
		}
		order = make([]int, 0, len(ids))
		for _, id := range ids {
			if i, ok := at[id]; ok {
				order = append(order, i)
			}
		}
	}
	return o.dicts(ctx, m, rs, order, fields, classic)
}

// dicts formats the records of rs as read() returns them, in the order of
// the record indexes order (every record in turn when nil); see readDicts.
// Many2one names cost one query per comodel.
func (o *orm) dicts(ctx context.Context, m *Model, rs *readSet, order []int, fields []*Field, classic bool) ([]any, error) {
	var names map[string]map[int64]any
	if classic {
		targets := map[string][]int64{}
		for j, f := range fields {
			if _, joined := rs.names[f.Name]; joined || f.Type != Many2one {
				continue
			}
			for _, v := range rs.vals[j] {
				if t, ok := wireInt(v); ok && t != 0 {
					targets[f.Relation] = append(targets[f.Relation], t)
				}
			}
		}
		names = make(map[string]map[int64]any, len(targets))
		for model, tids := range targets {
			var err error
			if names[model], err = o.targetNames(ctx, model, uniqueIDs(tids)); err != nil {
				return nil, err
			}
		}
	}
	n := len(rs.ids)
	if order != nil {
		n = len(order)
	}
	out := make([]any, n)
	for k := range out {
		i := k
		if order != nil {
			i = order[k]
		}
		d := NewDict(len(fields) + 1)
		d.Set("id", rs.ids[i])
		for j, f := range fields {
			if f.Name == "id" {
				continue
			}
			var name func(int64) any
			if joined, ok := rs.names[f.Name]; ok {
				name = func(int64) any { return joined[i] }
			} else if f.Type == Many2one && classic {
				nm := names[f.Relation]
				name = func(t int64) any { return nm[t] }
			}
			d.Set(f.Name, wireValue(f, rs.vals[j][i], classic, name))
		}
		out[k] = d
	}
	return out, nil
}

// readFields resolves read's fields argument: all the fields the caller
// may see when empty; unknown names are Odoo's ValueError, names hidden by
// groups its AccessError.
func (o *orm) readFields(m *Model, names []string) ([]*Field, error) {
	if len(names) == 0 {
		var out []*Field
		for _, f := range m.Fields {
			if o.fieldAccessible(f) {
				out = append(out, f)
			}
		}
		return out, nil
	}
	out := make([]*Field, 0, len(names))
	var hidden []string
	for _, n := range names {
		f := m.Field(n)
		if f == nil {
			return nil, ValueErrorf("Invalid field %s on model %s", reprStr(n), reprStr(m.Name))
		}
		if !o.fieldAccessible(f) {
			hidden = append(hidden, n)
			continue
		}
		out = append(out, f)
	}
	if len(hidden) > 0 {
		return nil, fieldsAccessError(m, OpRead, hidden)
	}
	return out, nil
}
