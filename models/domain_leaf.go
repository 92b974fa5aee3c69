package models

import (
	"math"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Leaves on plain columns, with Odoo 17's NULL rules:
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

// asID reads an integer id from the number shapes the codecs produce.
func asID(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

// argList adds ids as arguments and returns their placeholders.
func (c *compiler) argList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.arg(id))
	}
	return b.String()
}

// sqlArg makes a ToColumn result safe for bun's formatter: decimals as
// their text, times as the text PostgreSQL casts to DATE/TIMESTAMP.
func sqlArg(f *Field, v any) any {
	switch x := v.(type) {
	case decimal.Decimal:
		return x.String()
	case time.Time:
		if f.Type == Date {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.DateTime)
	}
	return v
}
