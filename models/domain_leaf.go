package models

import (
	"strings"
)

// Leaves on plain columns and hierarchies, with Odoo 17's NULL rules:
// (f, '=', False) is IS NULL (for booleans: false or NULL), negative
// operators (!=, not like, not ilike, not in) also match NULL, and 'in'
// lists holding False also match NULL.

// plain compiles a leaf on a stored column (id and many2one ids included).
func (c *compiler) plain(alias string, f *Field, l *Leaf) (string, error) {
	col := qcol(alias, f.Column)
	op, right := l.Op, l.Right
	if op == "=?" {
		if right == nil || right == false {
			return "TRUE", nil
		}
		op = "="
	}
	if s, ok := right.(string); ok && f.Type == Datetime && len(s) == 10 {
		// A date compared with a datetime covers the whole day.
		if op == ">" || op == "<=" {
			right = s + " 23:59:59"
		} else {
			right = s + " 00:00:00"
		}
	}
	switch op {
	case "in", "not in":
		return c.inList(col, f, l, op == "not in")
	case "=", "!=":
		if right == nil || right == false {
			switch {
			case f.Type == Boolean && op == "=":
				return "(" + col + " IS NULL OR " + col + " = FALSE)", nil
			case f.Type == Boolean:
				return "(" + col + " IS NOT NULL AND " + col + " != FALSE)", nil
			case op == "=":
				return col + " IS NULL", nil
			default:
				return col + " IS NOT NULL", nil
			}
		}
		v, err := c.value(f, right)
		if err != nil {
			return "", err
		}
		if op == "=" {
			return col + " = " + c.arg(v), nil
		}
		return "(" + col + " != " + c.arg(v) + " OR " + col + " IS NULL)", nil
	case "<", "<=", ">", ">=":
		if isListValue(right) {
			return "", ValueErrorf("Invalid leaf %s", l)
		}
		v, err := c.value(f, right)
		if err != nil {
			return "", err
		}
		return col + " " + op + " " + c.arg(v), nil
	case "like", "ilike", "not like", "not ilike", "=like", "=ilike":
		return c.like(col, f, op, right)
	}
	return "", ValueErrorf("Invalid leaf %s", l)
}

// value converts a right side to the column's representation.
func (c *compiler) value(f *Field, v any) (any, error) {
	if isListValue(v) {
		return nil, ValueErrorf("Invalid value %s for field %s", reprPy(v), f.Name)
	}
	switch f.Type {
	case Char, Text, HTML, Selection:
		// Compared as text; a selection need not hold a known value here.
		if v == nil || v == false {
			return nil, nil
		}
		s := strPy(v)
		if strings.IndexByte(s, 0) >= 0 {
			return nil, ValueErrorf("A string literal cannot contain NUL (0x00) characters.")
		}
		return s, nil
	}
	if s, ok := v.(string); ok && strings.IndexByte(s, 0) >= 0 {
		return nil, ValueErrorf("A string literal cannot contain NUL (0x00) characters.")
	}
	x, err := ToColumn(c.dialect, f, v)
	if err != nil {
		return nil, err
	}
	return sqlArg(f, x), nil
}

// inList compiles 'in' / 'not in' as Odoo 17's __leaf_to_sql does.
func (c *compiler) inList(col string, f *Field, l *Leaf, notIn bool) (string, error) {
	var list []any
	switch x := l.Right.(type) {
	case []any:
		list = x
	case []int64:
		for _, id := range x {
			list = append(list, id)
		}
	case []string:
		for _, s := range x {
			list = append(list, s)
		}
	default:
		list = []any{x}
	}
	if len(list) == 0 {
		if notIn {
			return "TRUE", nil
		}
		return "FALSE", nil
	}
	var params []any
	checkNull := false
	if f.Type == Boolean {
		// Python: True in [1] and False in [0] hold.
		hasTrue, hasFalse := false, false
		for _, v := range list {
			n, isNum := constNumber(v)
			switch {
			case isNum && n == 1:
				hasTrue = true
			case isNum && n == 0:
				hasFalse = true
			}
		}
		for _, b := range []bool{true, false} {
			if (b && hasTrue) || (!b && hasFalse) {
				v, err := c.value(f, b)
				if err != nil {
					return "", err
				}
				params = append(params, v)
			}
		}
		checkNull = hasFalse
	} else {
		for _, v := range list {
			if v == nil || v == false {
				checkNull = true
				continue
			}
			x, err := c.value(f, v)
			if err != nil {
				return "", err
			}
			params = append(params, x)
		}
	}
	var q string
	if len(params) > 0 {
		kw := " IN ("
		if notIn {
			kw = " NOT IN ("
		}
		ph := make([]string, len(params))
		for i, p := range params {
			ph[i] = c.arg(p)
		}
		q = col + kw + strings.Join(ph, ", ") + ")"
	} else if notIn {
		q = "TRUE"
	} else {
		q = "FALSE"
	}
	if f.Name == "id" {
		return q, nil // never NULL
	}
	switch {
	case !notIn && checkNull, notIn && !checkNull:
		return "(" + q + " OR " + col + " IS NULL)", nil
	case notIn && checkNull:
		return "(" + q + " AND " + col + " IS NOT NULL)", nil
	}
	return q, nil
}

// like compiles the pattern operators. like/ilike wrap the value in %...%
// and keep its % and _ wildcards; =like/=ilike take a raw pattern.
// PostgreSQL: LIKE / ILIKE (text cast for non-text columns). SQLite: GLOB
// for the case-sensitive forms, lower() LIKE lower() ESCAPE '\' for the
// others, so both backends agree on case and on backslash escapes.
func (c *compiler) like(col string, f *Field, op string, right any) (string, error) {
	negative := strings.HasPrefix(op, "not ")
	base := strings.TrimPrefix(strings.TrimPrefix(op, "not "), "=")
	var pattern any
	switch {
	case op == "=like" || op == "=ilike":
		if right != nil && right != false {
			pattern = strPy(right)
		}
	default:
		s := ""
		if right != nil && right != false {
			s = strPy(right)
		}
		pattern = "%" + s + "%"
	}
	if s, ok := pattern.(string); ok && strings.IndexByte(s, 0) >= 0 {
		return "", ValueErrorf("A string literal cannot contain NUL (0x00) characters.")
	}
	not := ""
	if negative {
		not = "NOT "
	}
	var s string
	switch {
	case c.dialect == DialectSQLite && base == "like":
		if p, ok := pattern.(string); ok {
			pattern = likeToGlob(p)
		}
		s = col + " " + not + "GLOB " + c.arg(pattern)
	case c.dialect == DialectSQLite:
		s = "lower(" + col + ") " + not + "LIKE lower(" + c.arg(pattern) + `) ESCAPE '\'`
	default:
		text := col
		switch f.Type {
		case Char, Text, HTML, Selection:
		default:
			text = col + "::text"
		}
		kw := "LIKE "
		if base == "ilike" {
			kw = "ILIKE "
		}
		s = text + " " + not + kw + c.arg(pattern)
	}
	if negative {
		s = "(" + s + " OR " + col + " IS NULL)"
	}
	return s, nil
}

// likeToGlob turns a LIKE pattern (with PostgreSQL's backslash escape)
// into the equivalent case-sensitive GLOB pattern.
func likeToGlob(p string) string {
	var b strings.Builder
	lit := func(r rune) {
		switch r {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '\\':
			if i+1 < len(rs) {
				i++
				lit(rs[i])
			} else {
				lit(r)
			}
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		default:
			lit(r)
		}
	}
	return b.String()
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
