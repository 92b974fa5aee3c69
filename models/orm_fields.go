package models

import (
	"context"
	"sort"
)

// fields_get, check_access_rights and copy.

// fieldDescription is Odoo 17's Field.get_description: the attributes of
// f, keys sorted as Odoo's description attributes are.
func fieldDescription(m *Model, f *Field) map[string]any {
	x2m := f.Type == One2many || f.Type == Many2many
	computed := f.Compute != nil || f.ComputeDB != nil
	d := map[string]any{
		"change_default":            false,
		"company_dependent":         false,
		"default_export_compatible": false,
		"exportable":                true,
		"manual":                    false,
		"name":                      f.Name,
		"readonly":                  f.Readonly || f.Related != "" || computed || f.Name == "display_name",
		"required":                  f.Required,
		"searchable":                f.Stored() || f.Related != "" || x2m,
		"sortable":                  f.Stored(),
		"store":                     f.Stored() || x2m,
		"string":                    f.String,
		"type":                      string(f.Type),
	}
	depends := f.Depends
	switch {
	case f.Related != "":
		depends = []string{f.Related}
	case f.Name == "display_name" && len(depends) == 0 && m.RecName != "" && m.RecName != "display_name":
		depends = []string{m.RecName}
	case !computed && f.Name != "display_name":
		depends = nil
	}
	dl := make([]any, len(depends))
	for i, s := range depends {
		dl[i] = s
	}
	d["depends"] = dl
	if f.Relational() {
		d["relation"] = f.Relation
		d["context"] = NewDict(0)
		d["domain"] = []any{}
	}
	if f.Type == One2many {
		d["relation_field"] = f.RelationField
	}
	if f.Help != "" {
		d["help"] = f.Help
	}
	if f.Related != "" {
		d["related"] = f.Related
	}
	if f.Groups != "" {
		d["groups"] = f.Groups
	}
	switch f.Type {
	case Integer, Float, Monetary:
		if f.Name != "id" {
			d["group_operator"] = "sum"
		}
	case Char:
		d["trim"] = true
		d["translate"] = f.Translate
		if f.Size > 0 {
			d["size"] = int64(f.Size)
		}
	case Text, HTML:
		d["translate"] = f.Translate
	case Selection:
		sel := make([]any, len(f.Selection))
		for i, kv := range f.Selection {
			sel[i] = []any{kv[0], kv[1]}
		}
		d["selection"] = sel
	}
	if f.Type == Monetary {
		d["currency_field"] = "currency_id"
	}
	if (f.Type == Float || f.Type == Monetary) && f.Digits != [2]int{} {
		d["digits"] = []any{int64(f.Digits[0]), int64(f.Digits[1])}
	}
	return d
}

// fields_get(allfields=None, attributes=None): {field: {attribute: value}}
// in field order, attributes sorted; only the fields and attributes asked
// for when given; fields hidden by groups left out.
func ormFieldsGet(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "fields_get", params: []param{{name: "allfields"}, {name: "attributes"}}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	only, err := argNames("allfields", b.get("allfields"))
	if err != nil {
		return nil, err
	}
	attrs, err := argNames("attributes", b.get("attributes"))
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range only {
		want[n] = true
	}
	out := NewDict(len(c.Model.Fields))
	for _, f := range c.Model.Fields {
		if (len(only) > 0 && !want[f.Name]) || !o.fieldAccessible(f) {
			continue
		}
		desc := fieldDescription(c.Model, f)
		keys := attrs
		if len(keys) == 0 {
			keys = make([]string, 0, len(desc))
			for k := range desc {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		d := NewDict(len(keys))
		for _, k := range keys {
			if v, ok := desc[k]; ok {
				d.Set(k, v)
			}
		}
		out.Set(f.Name, d)
	}
	return out, nil
}

// check_access_rights(operation, raise_exception=True): True, or the
// AccessError (False when raise_exception is false).
func ormCheckAccessRights(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "check_access_rights", params: []param{
		{name: "operation", required: true}, {name: "raise_exception", def: true},
	}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	op, _ := b.get("operation").(string)
	if _, ok := accessVerbs[Op(op)]; !ok {
		return nil, ValueErrorf("Invalid access mode")
	}
	if o.allowed(c.Model, Op(op)) {
		return true, nil
	}
	if !pyTruth(b.get("raise_exception")) {
		return false, nil
	}
	return nil, o.accessError(ctx, c.Model, Op(op))
}

// copy(ids, default=None): 17 copies one record and returns its id
// (several ids are Odoo's "Expected singleton"); 18 copies each and
// returns the list.
func ormCopy(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "copy", record: true, params: []param{{name: "default"}}})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	m := c.Model
	multi := c.Env.Version >= 18
	if !multi && len(b.ids) != 1 {
		return nil, ValueErrorf("Expected singleton: %s", reprRecords(m.Name, b.ids))
	}
	def, _ := b.get("default").(map[string]any)
	if err := o.checkAccess(ctx, m, OpRead); err != nil {
		return nil, err
	}
	if err := o.checkAccess(ctx, m, OpCreate); err != nil {
		return nil, err
	}
	if err := o.checkExist(ctx, m, b.ids); err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(b.ids))
	for _, id := range b.ids {
		vals, err := o.copyData(ctx, m, id, def)
		if err != nil {
			return nil, err
		}
		nid, err := o.create(ctx, m, vals)
		if err != nil {
			return nil, err
		}
		ids = append(ids, nid)
	}
	if multi {
		return ids, nil
	}
	return ids[0], nil
}
