package models

import (
	"fmt"
	"math"
	"strings"
)

// Arguments of the generic methods are bound the way Python binds them to
// Odoo's signatures, positionally or by keyword, with Python's TypeError
// texts for mistakes ("BaseModel.search() got an unexpected keyword
// argument 'count'"). Record methods take the ids as args[0], as call_kw
// does.

// param is one parameter of a signature; required ones have no default.
type param struct {
	name     string
	def      any
	required bool
}

// signature is a Python method signature.
type signature struct {
	name   string // method name, for messages
	record bool   // args[0] holds the ids
	params []param
	varKw  bool // **kwargs: unknown keywords are kept in extra
}

// bound holds the arguments of one call.
type bound struct {
	ids   []int64
	vals  map[string]any
	extra map[string]any
}

func (b *bound) get(name string) any { return b.vals[name] }

// bind matches c's arguments to sig.
func bind(c *Call, sig signature) (*bound, error) {
	args := c.Args
	b := &bound{vals: map[string]any{}, extra: map[string]any{}}
	qual := "BaseModel." + sig.name + "()"
	if sig.record {
		if len(args) == 0 {
			return nil, Errorf(KindException, "list index out of range")
		}
		ids, err := parseIDs(args[0])
		if err != nil {
			return nil, err
		}
		b.ids, args = ids, args[1:]
	}
	set := map[string]bool{}
	for i, a := range args {
		if i < len(sig.params) {
			b.vals[sig.params[i].name] = a
			set[sig.params[i].name] = true
		}
	}
	for k, v := range c.Kwargs {
		known := false
		for _, p := range sig.params {
			if p.name == k {
				known = true
				break
			}
		}
		switch {
		case known && set[k]:
			return nil, TypeErrorf("%s got multiple values for argument '%s'", qual, k)
		case known:
			b.vals[k] = v
			set[k] = true
		case sig.varKw:
			b.extra[k] = v
		default:
			return nil, TypeErrorf("%s got an unexpected keyword argument '%s'", qual, k)
		}
	}
	if len(args) > len(sig.params) {
		lo := 1
		for _, p := range sig.params {
			if p.required {
				lo++
			}
		}
		hi := 1 + len(sig.params)
		takes := fmt.Sprintf("from %d to %d positional arguments", lo, hi)
		if lo == hi {
			takes = fmt.Sprintf("%d positional argument", hi)
			if hi != 1 {
				takes += "s"
			}
		}
		were := "were"
		if len(args)+1 == 1 {
			were = "was"
		}
		return nil, TypeErrorf("%s takes %s but %d %s given", qual, takes, len(args)+1, were)
	}
	var missing []string
	for _, p := range sig.params {
		if set[p.name] {
			continue
		}
		if p.required {
			missing = append(missing, "'"+p.name+"'")
			continue
		}
		b.vals[p.name] = p.def
	}
	if len(missing) > 0 {
		s := "s"
		if len(missing) == 1 {
			s = ""
		}
		return nil, TypeErrorf("%s missing %d required positional argument%s: %s", qual, len(missing), s, pyJoin(missing))
	}
	return b, nil
}

// pyJoin joins names as Python's missing-argument message does.
func pyJoin(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + ", and " + names[len(names)-1]
}

// argInt reads an integer argument where False and None mean def.
func argInt(name string, v any, def int64) (int64, error) {
	if v == nil || v == false {
		return def, nil
	}
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	case bool:
		return 1, nil
	}
	return 0, TypeErrorf("'%s' must be an integer, not %s", name, reprPy(v))
}

// argLimitOffset reads limit and offset: False, None and 0 mean none.
func argLimitOffset(b *bound) (limit, offset int64, err error) {
	if limit, err = argInt("limit", b.get("limit"), 0); err != nil {
		return 0, 0, err
	}
	if offset, err = argInt("offset", b.get("offset"), 0); err != nil {
		return 0, 0, err
	}
	if limit < 0 {
		return 0, 0, ValueErrorf("LIMIT must not be negative")
	}
	if offset < 0 {
		return 0, 0, ValueErrorf("OFFSET must not be negative")
	}
	return limit, offset, nil
}

// argOrder reads an order argument: False and None mean the default.
func argOrder(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case bool:
		if !x {
			return "", nil
		}
	case string:
		return x, nil
	}
	return "", TypeErrorf("expected string or bytes-like object, got '%s'", pyTypeName(v))
}

// argNames reads a list of field names; False, None and [] mean none.
func argNames(name string, v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		if !x {
			return nil, nil
		}
	case string:
		return []string{x}, nil
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, TypeErrorf("%s: field names must be strings, not %s", name, reprPy(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, TypeErrorf("'%s' object is not iterable", pyTypeName(v))
}
