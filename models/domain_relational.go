package models

import (
	"strings"
)

// Leaves on relational fields: many2one (ids or names), one2many and
// many2many (at least one / none linked), and the hierarchy operators.

// stringsValue reports a string or a non-empty list of strings: a right
// side Odoo resolves through the comodel's name search.
func stringsValue(v any) bool {
	switch x := v.(type) {
	case string:
		return true
	case []string:
		return len(x) > 0
	case []any:
		if len(x) == 0 {
			return false
		}
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// many2one compiles a leaf on a many2one column: names are matched on the
// comodel's rec name, anything else compares the id column.
func (c *compiler) many2one(alias string, f *Field, cm *Model, l *Leaf) (string, error) {
	if !stringsValue(l.Right) {
		return c.plain(alias, f, l)
	}
	if cm == nil || cm.RecName == "" {
		return "", ValueErrorf("Invalid leaf %s", l)
	}
	op := l.Op
	_, scalar := l.Right.(string)
	switch {
	case op == "<" || op == ">" || op == "<=" || op == ">=":
		op = "in"
	case scalar && op == "in":
		op = "="
	case scalar && op == "not in":
		op = "!="
	}
	col := qcol(alias, f.Column)
	a := c.newAlias()
	head := col + " IN (SELECT " + qcol(a, "id") + " FROM " + qi(cm.Table) + " AS " + qi(a) + " WHERE "
	cond, err := c.leaf(cm, a, &Leaf{Left: cm.RecName, Op: op, Right: l.Right})
	if err != nil {
		return "", err
	}
	s := head + cond + ")"
	if negativeOperators[op] {
		s = "(" + s + " OR " + col + " IS NULL)"
	}
	return s, nil
}

// x2many compiles a leaf on a one2many or many2many: positive operators
// mean "linked to at least one", negative ones "linked to none".
func (c *compiler) x2many(alias string, f *Field, cm *Model, l *Leaf) (string, error) {
	negative := negativeOperators[l.Op]
	if l.Right == nil || l.Right == false {
		// (f, '=', False): no links; (f, '!=', False): some links.
		if f.Type == One2many {
			return c.existsO2M(alias, f, cm, c.newAlias(), !negative, nil)
		}
		return c.existsM2M(alias, f, cm, !negative, nil)
	}
	if stringsValue(l.Right) {
		if cm.RecName == "" {
			return "", ValueErrorf("Invalid leaf %s", l)
		}
		op := l.Op
		if negative {
			op = negation[op]
		}
		if _, scalar := l.Right.(string); !scalar && (op == "=" || op == "like" || op == "ilike") {
			op = "in"
		}
		name := &Leaf{Left: cm.RecName, Op: op, Right: l.Right}
		a := c.newAlias()
		if f.Type == One2many {
			return c.existsO2M(alias, f, cm, a, negative, func() (string, error) {
				return c.expr(cm, a, c.withActive(cm, name))
			})
		}
		return c.existsM2M(alias, f, cm, negative, func(r string) (string, error) {
			head := qcol(r, f.RelColumn2) + " IN (SELECT " + qcol(a, "id") + " FROM " + qi(cm.Table) + " AS " + qi(a) + " WHERE "
			cond, err := c.expr(cm, a, c.withActive(cm, name))
			return head + cond + ")", err
		})
	}
	ids, err := leafIDs(l)
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		if negative {
			return "TRUE", nil
		}
		return "FALSE", nil
	}
	if f.Type == One2many {
		a := c.newAlias()
		return c.existsO2M(alias, f, cm, a, negative, func() (string, error) {
			return qcol(a, "id") + " IN (" + c.argList(ids) + ")", nil
		})
	}
	return c.existsM2M(alias, f, cm, negative, func(r string) (string, error) {
		return qcol(r, f.RelColumn2) + " IN (" + c.argList(ids) + ")", nil
	})
}

// leafIDs reads a right side of ids: one id or a list; falsy items are
// dropped as Odoo does.
func leafIDs(l *Leaf) ([]int64, error) {
	var list []any
	switch x := l.Right.(type) {
	case []any:
		list = x
	case []int64:
		return x, nil
	default:
		list = []any{x}
	}
	out := make([]int64, 0, len(list))
	for _, v := range list {
		if v == nil || v == false {
			continue
		}
		id, ok := asID(v)
		if !ok {
			return nil, ValueErrorf("Invalid leaf %s", l)
		}
		if id != 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

// hierarchy compiles child_of / parent_of: on id, a many2one or an x2many.
// The right side is ids or names (matched with ilike on the rec name, as
// Odoo's to_ids); on a model with a parent_id the set is closed over the
// hierarchy with a recursive query, otherwise it is the records named.
func (c *compiler) hierarchy(m *Model, alias string, f *Field, cm *Model, l *Leaf) (string, error) {
	h := m
	if f.Name != "id" {
		if cm == nil {
			return "", ValueErrorf("Invalid leaf %s", l)
		}
		h = cm
	}
	a := c.newAlias()
	var cond string
	if stringsValue(l.Right) {
		if h.RecName == "" {
			return "", ValueErrorf("Invalid leaf %s", l)
		}
		names, ok := l.Right.([]any)
		if !ok {
			names = []any{l.Right}
		}
		var parts []string
		for _, n := range names {
			s, err := c.leaf(h, a, &Leaf{Left: h.RecName, Op: "ilike", Right: n})
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		cond = "(" + strings.Join(parts, " OR ") + ")"
	} else {
		ids, err := leafIDs(l)
		if err != nil {
			return "", err
		}
		if len(ids) == 0 {
			return "FALSE", nil
		}
		cond = qcol(a, "id") + " IN (" + c.argList(ids) + ")"
	}
	from := " FROM " + qi(h.Table) + " AS " + qi(a) + " WHERE " + cond
	set := "SELECT " + qcol(a, "id") + from
	if p := h.Field("parent_id"); p != nil && p.Type == Many2one && p.Relation == h.Name && p.Stored() {
		rec, x := qi(c.newAlias()), c.newAlias()
		if l.Op == "child_of" {
			// The records and their descendants.
			set = "WITH RECURSIVE " + rec + "(id) AS (" + set + " UNION SELECT " + qcol(x, "id") +
				" FROM " + qi(h.Table) + " AS " + qi(x) + " JOIN " + rec + " ON " + qcol(x, p.Column) +
				" = " + rec + ".id) SELECT id FROM " + rec
		} else {
			// The records and their ancestors.
			set = "WITH RECURSIVE " + rec + "(id, pid) AS (SELECT " + qcol(a, "id") + ", " + qcol(a, p.Column) +
				from + " UNION SELECT " + qcol(x, "id") + ", " + qcol(x, p.Column) + " FROM " + qi(h.Table) +
				" AS " + qi(x) + " JOIN " + rec + " ON " + qcol(x, "id") + " = " + rec + ".pid) SELECT id FROM " + rec
		}
	}
	switch f.Type {
	case One2many:
		b := c.newAlias()
		return c.existsO2M(alias, f, cm, b, false, func() (string, error) {
			return qcol(b, "id") + " IN (" + set + ")", nil
		})
	case Many2many:
		return c.existsM2M(alias, f, cm, false, func(r string) (string, error) {
			return qcol(r, f.RelColumn2) + " IN (" + set + ")", nil
		})
	}
	return qcol(alias, f.Column) + " IN (" + set + ")", nil
}
