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
			switch v := vals[i].(type) {
			case nil:
			case string:
				out[id] = v
			case bool:
				if v {
					out[id] = "True"
				}
			default:
				out[id] = strPy(v)
			}
		}
	default:
		for _, id := range ids {
			out[id] = fmt.Sprintf("%s,%d", m.Name, id)
		}
	}
	return out, nil
}

// targetNames returns the display names of ids of model (served or not);
// False stands for an empty name.
func (o *orm) targetNames(ctx context.Context, model string, ids []int64) (map[int64]any, error) {
	out := make(map[int64]any, len(ids))
	if cm := o.reg.modelOrNil(model); cm != nil && len(ids) > 0 {
		fx, err := o.fetch(ctx, cm, uniqueIDs(ids), []*Field{cm.Field("display_name")})
		if err != nil {
			return nil, err
		}
		for _, id := range fx.ids {
			n := fx.vals[id]["display_name"]
			if s, ok := n.(string); ok && s != "" {
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
	fx, err := o.fetch(ctx, m, ids, fields)
	if err != nil {
		return nil, err
	}
	names := map[string]map[int64]any{}
	if classic {
		targets := map[string][]int64{}
		for _, f := range fields {
			if f.Type != Many2one {
				continue
			}
			for _, id := range fx.ids {
				if t, ok := wireInt(fx.vals[id][f.Name]); ok && t != 0 {
					targets[f.Relation] = append(targets[f.Relation], t)
				}
			}
		}
		for model, tids := range targets {
			if names[model], err = o.targetNames(ctx, model, uniqueIDs(tids)); err != nil {
				return nil, err
			}
		}
	}
	out := make([]any, 0, len(fx.ids))
	for _, id := range fx.ids {
		d := NewDict(len(fields) + 1)
		d.Set("id", id)
		for _, f := range fields {
			if f.Name == "id" {
				continue
			}
			nm := names[f.Relation]
			d.Set(f.Name, wireValue(f, fx.vals[id][f.Name], classic, func(t int64) any { return nm[t] }))
		}
		out = append(out, d)
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
