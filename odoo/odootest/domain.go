package odootest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// pred is a compiled domain.
type pred func(row map[string]any) bool

// compileDomain turns an Odoo domain (Polish notation, '&' implied between
// top-level terms) into a predicate. It knows '&', '|', '!' and the
// operators =, !=, <>, >, >=, <, <=, in, not in, like, ilike, =like,
// =ilike, not like, not ilike.
func compileDomain(dom []any) (pred, error) {
	var preds []pred
	for i := 0; i < len(dom); {
		p, next, err := compileTerm(dom, i)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
		i = next
	}
	return func(row map[string]any) bool {
		for _, p := range preds {
			if !p(row) {
				return false
			}
		}
		return true
	}, nil
}

func compileTerm(dom []any, i int) (pred, int, error) {
	if i >= len(dom) {
		return nil, i, fmt.Errorf("Domain %s is syntactically not correct.", pyRepr(dom))
	}
	switch t := dom[i].(type) {
	case string:
		switch t {
		case "!":
			p, next, err := compileTerm(dom, i+1)
			if err != nil {
				return nil, next, err
			}
			return func(r map[string]any) bool { return !p(r) }, next, nil
		case "&", "|":
			a, next, err := compileTerm(dom, i+1)
			if err != nil {
				return nil, next, err
			}
			b, next, err := compileTerm(dom, next)
			if err != nil {
				return nil, next, err
			}
			if t == "&" {
				return func(r map[string]any) bool { return a(r) && b(r) }, next, nil
			}
			return func(r map[string]any) bool { return a(r) || b(r) }, next, nil
		}
	case []any:
		p, err := compileLeaf(t)
		return p, i + 1, err
	}
	return nil, i, fmt.Errorf("Invalid leaf %s", pyRepr(dom[i]))
}

func compileLeaf(leaf []any) (pred, error) {
	if len(leaf) != 3 {
		return nil, fmt.Errorf("Invalid leaf %s", pyRepr(leaf))
	}
	field, ok1 := leaf[0].(string)
	op, ok2 := leaf[1].(string)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("Invalid leaf %s", pyRepr(leaf))
	}
	want := leaf[2]
	switch strings.ToLower(op) {
	case "=", "==":
		return func(r map[string]any) bool { return equal(r[field], want) }, nil
	case "!=", "<>":
		return func(r map[string]any) bool { return !equal(r[field], want) }, nil
	case ">", ">=", "<", "<=":
		return func(r map[string]any) bool {
			c, ok := compare(r[field], want)
			if !ok {
				return false
			}
			switch op {
			case ">":
				return c > 0
			case ">=":
				return c >= 0
			case "<":
				return c < 0
			}
			return c <= 0
		}, nil
	case "in", "not in":
		list, ok := want.([]any)
		if !ok {
			list = []any{want}
		}
		neg := op == "not in"
		return func(r map[string]any) bool {
			in := slices.ContainsFunc(list, func(v any) bool { return equal(r[field], v) })
			return in != neg
		}, nil
	case "like", "ilike", "not like", "not ilike", "=like", "=ilike":
		pat, _ := want.(string)
		fold := strings.Contains(op, "ilike")
		neg := strings.HasPrefix(op, "not")
		exact := strings.HasPrefix(op, "=")
		return func(r map[string]any) bool {
			s, _ := r[field].(string)
			p := pat
			if fold {
				s, p = strings.ToLower(s), strings.ToLower(p)
			}
			var m bool
			if exact {
				m = likeMatch(s, p)
			} else {
				m = strings.Contains(s, p)
			}
			return m != neg
		}, nil
	}
	return nil, fmt.Errorf("Invalid leaf %s", pyRepr(leaf))
}

// likeMatch is SQL LIKE with % and _.
func likeMatch(s, p string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if likeMatch(s[i:], p[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && likeMatch(s[1:], p[1:])
	}
	return s != "" && s[0] == p[0] && likeMatch(s[1:], p[1:])
}

// falsy is Odoo's empty value: absent, nil or False.
func falsy(v any) bool {
	b, isBool := v.(bool)
	return v == nil || (isBool && !b)
}

func equal(a, b any) bool {
	if falsy(a) || falsy(b) {
		return falsy(a) && falsy(b)
	}
	if c, ok := compare(a, b); ok {
		return c == 0
	}
	return a == b
}

// compare orders numbers with numbers and strings with strings.
func compare(a, b any) (int, bool) {
	if x, ok := num(a); ok {
		if y, ok := num(b); ok {
			return cmp.Compare(x, y), true
		}
		return 0, false
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	}
	if x, ok := a.(bool); ok {
		if y, ok := b.(bool); ok && x == y {
			return 0, true
		}
	}
	return 0, false
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	case []any: // many2one as read: [id, name]
		if len(x) == 2 {
			return num(x[0])
		}
	}
	return 0, false
}

// orderKey is one "field [asc|desc]" of an order clause.
type orderKey struct {
	field string
	desc  bool
}

// parseOrder reads "write_date asc, id" (default "id").
func parseOrder(order string) ([]orderKey, error) {
	if strings.TrimSpace(order) == "" {
		return []orderKey{{field: "id"}}, nil
	}
	var keys []orderKey
	for part := range strings.SplitSeq(order, ",") {
		f := strings.Fields(part)
		if len(f) == 0 || len(f) > 2 || (len(f) == 2 && !slices.Contains([]string{"asc", "desc"}, strings.ToLower(f[1]))) {
			return nil, fmt.Errorf("Invalid \"order\" specified (%s). A valid \"order\" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)", order)
		}
		keys = append(keys, orderKey{field: f[0], desc: len(f) == 2 && strings.EqualFold(f[1], "desc")})
	}
	return keys, nil
}

// sortRows sorts rows by keys, then by id; False sorts first.
func sortRows(rows []map[string]any, keys []orderKey) {
	slices.SortStableFunc(rows, func(a, b map[string]any) int {
		for _, k := range keys {
			c := orderCompare(a[k.field], b[k.field])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a["id"].(int64), b["id"].(int64))
	})
}

func orderCompare(a, b any) int {
	switch {
	case falsy(a) && falsy(b):
		return 0
	case falsy(a):
		return -1
	case falsy(b):
		return 1
	}
	c, _ := compare(a, b)
	return c
}

// pyRepr renders a domain value about as Python would, for messages.
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case nil:
		return "None"
	}
	return fmt.Sprint(v)
}
