package models

import (
	"context"
	"fmt"
)

// copySpec says how copy treats a model, as Odoo's copy=False/True field
// attributes and copy() overrides do: fields not copied (so their default
// applies), one2many fields whose records are duplicated, and whether the
// rec name gets Odoo's " (copy)" suffix.
type copySpec struct {
	skip   []string
	o2m    []string
	suffix bool
}

// copySpecs are the copy rules of the built-in models.
var copySpecs = map[string]copySpec{
	"loyalty.program": {skip: []string{"sequence"}, o2m: []string{"rule_ids", "reward_ids"}},
	"loyalty.card":    {skip: []string{"code"}},
	"res.partner":     {skip: []string{"barcode"}, suffix: true},
	"product.product": {skip: []string{"barcode", "default_code"}, suffix: true},
}

// copyData returns the create values duplicating record id of m, with
// the default values applied on top.
func (o *orm) copyData(ctx context.Context, m *Model, id int64, def map[string]any) (map[string]any, error) {
	leave, err := o.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	spec := copySpecs[m.Name]
	skip := map[string]bool{}
	for _, n := range spec.skip {
		skip[n] = true
	}
	o2m := map[string]bool{}
	for _, n := range spec.o2m {
		o2m[n] = true
	}
	var fields []*Field
	for _, f := range m.Fields {
		switch {
		case magicFields[f.Name] || skip[f.Name]:
		case f.Type == Many2many, f.Type == One2many && o2m[f.Name]:
			fields = append(fields, f)
		case f.Stored() && f.Related == "":
			fields = append(fields, f)
		}
	}
	fx, err := o.fetch(ctx, m, []int64{id}, fields)
	if err != nil {
		return nil, err
	}
	if len(fx.ids) == 0 {
		return nil, o.missingError(m, []int64{id})
	}
	vals := map[string]any{}
	for _, f := range fields {
		v := fx.vals[id][f.Name]
		switch f.Type {
		case One2many:
			cm := o.reg.modelOrNil(f.Relation)
			if cm == nil {
				continue
			}
			children, _ := v.([]int64)
			cmds := make([]any, 0, len(children))
			for _, child := range children {
				cv, err := o.copyData(ctx, cm, child, nil)
				if err != nil {
					return nil, err
				}
				delete(cv, f.RelationField)
				cmds = append(cmds, []any{int64(0), int64(0), cv})
			}
			vals[f.Name] = cmds
		case Many2one, Many2many:
			vals[f.Name] = writeValue(f, v)
		default:
			if v != nil {
				vals[f.Name] = v
			}
		}
	}
	if spec.suffix && m.RecName != "" {
		if _, given := def[m.RecName]; !given {
			if s, ok := vals[m.RecName].(string); ok {
				vals[m.RecName] = fmt.Sprintf("%s (copy)", s)
			}
		}
	}
	for k, v := range def {
		vals[k] = v
	}
	return vals, nil
}
