package models

import (
	"context"
	"sort"
	"strings"
)

// Access rights, as Odoo's ir.model.access: Model.Access lists per
// operation the groups allowed; the refusal is Odoo's three-paragraph
// AccessError naming the groups by "Category/Name" (read from res_groups).

// accessVerbs are the verbs of the refusal's first line.
var accessVerbs = map[Op]string{OpRead: "access", OpWrite: "modify", OpCreate: "create", OpUnlink: "delete"}

// allowed reports whether the caller may run op on m.
func (o *orm) allowed(m *Model, op Op) bool {
	if o.env.Superuser {
		return true
	}
	for _, g := range m.Access[op] {
		if o.env.HasGroup(g) {
			return true
		}
	}
	return false
}

// checkAccess returns Odoo's AccessError when the caller may not run op.
func (o *orm) checkAccess(ctx context.Context, m *Model, op Op) error {
	if o.allowed(m, op) {
		return nil
	}
	return o.accessError(ctx, m, op)
}

func (o *orm) accessError(ctx context.Context, m *Model, op Op) error {
	names := o.groupNames(ctx, m.Access[op])
	tail := "No group currently allows this operation."
	if len(names) > 0 {
		tail = "This operation is allowed for the following groups:\n\t- " + strings.Join(names, "\n\t- ")
	}
	return AccessErrorf("You are not allowed to %s '%s' (%s) records.\n\n%s\n\nContact your administrator to request access if necessary.",
		accessVerbs[op], m.Description, m.Name, tail)
}

// groupNames returns the sorted full names ("Point of Sale/Administrator")
// of the groups with the given xml ids; an unknown group shows its xml id.
func (o *orm) groupNames(ctx context.Context, xmlids []string) []string {
	if len(xmlids) == 0 {
		return nil
	}
	full := map[string]string{}
	ph := make([]string, len(xmlids))
	args := make([]any, len(xmlids))
	for i, x := range xmlids {
		ph[i], args[i] = "?", x
	}
	rows, err := o.db.QueryContext(ctx, `SELECT xml_id, name, category FROM res_groups WHERE xml_id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err == nil {
		for rows.Next() {
			var x, name, cat string
			if rows.Scan(&x, &name, &cat) == nil {
				if cat != "" {
					name = cat + "/" + name
				}
				full[x] = name
			}
		}
		rows.Close()
	}
	seen := map[string]bool{}
	var out []string
	for _, x := range xmlids {
		n := full[x]
		if n == "" {
			n = x
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// fieldAccessible reports whether the caller sees field f (Field.Groups).
func (o *orm) fieldAccessible(f *Field) bool {
	if f.Groups == "" || o.env.Superuser {
		return true
	}
	for _, g := range strings.Split(f.Groups, ",") {
		if o.env.HasGroup(strings.TrimSpace(g)) {
			return true
		}
	}
	return false
}

// fieldsAccessError is Odoo 17's refusal to read or write fields
// restricted by groups.
func fieldsAccessError(m *Model, op Op, names []string) error {
	return AccessErrorf("You do not have enough rights to access the fields \"%s\" on %s (%s). Please contact your system administrator.\n\n(Operation: %s)",
		strings.Join(names, ","), m.Description, m.Name, op)
}
