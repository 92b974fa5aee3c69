package models

import (
	"math"
	"time"

	"github.com/shopspring/decimal"
)

// Go values -> wire values, as Odoo's convert_to_read does (protocol
// section 4.1). The input is what FromColumn, Compute and the reader give:
// decimal.Decimal, float64, int64, bool, string, time.Time, nil, int64 ids
// for many2one and []int64 for x2many. Empty values are False except for
// numbers (0, 0.0) and x2many ([]); None never leaves the server.

// wireValue converts v, the value of field f, for read. classic is
// load='_classic_read' (many2one as [id, name]); name gives the display
// name of a many2one target.
func wireValue(f *Field, v any, classic bool, name func(id int64) any) any {
	switch f.Type {
	case Integer:
		n, ok := wireInt(v)
		if !ok {
			return int64(0)
		}
		if n > math.MaxInt32 {
			return float64(n) // Integer.convert_to_read: beyond XML-RPC's int
		}
		if _, same := v.(int64); same {
			return v // already boxed: no new allocation
		}
		return n
	case Float, Monetary:
		return wireFloat(f, v)
	case Boolean:
		b, _ := v.(bool)
		return b
	case Many2one:
		id, ok := wireInt(v)
		if !ok || id == 0 {
			return false
		}
		boxed := v // already boxed: no new allocation
		if _, same := v.(int64); !same {
			boxed = id
		}
		if !classic {
			return boxed
		}
		var n any = false
		if name != nil {
			n = name(id)
		}
		return []any{boxed, n}
	case One2many, Many2many:
		switch ids := v.(type) {
		case []int64:
			if ids != nil {
				return ids
			}
		case []any:
			out := make([]int64, 0, len(ids))
			for _, x := range ids {
				if id, ok := wireInt(x); ok {
					out = append(out, id)
				}
			}
			return out
		}
		return []int64{}
	case Date, Datetime:
		t, ok := v.(time.Time)
		if !ok {
			if s, ok := v.(string); ok && s != "" {
				return s
			}
			return false
		}
		if t.IsZero() {
			return false
		}
		if f.Type == Date {
			return t.Format(time.DateOnly)
		}
		return t.UTC().Format(time.DateTime)
	default: // char, text, html, selection, binary
		switch s := v.(type) {
		case string:
			return s
		case []byte:
			return string(s)
		case nil:
			return false
		case bool:
			if !s {
				return false
			}
		}
		return strPy(v)
	}
}

// wireInt reads the integer shapes values come in.
func wireInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return int64(x), true
		}
	case decimal.Decimal:
		return x.IntPart(), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// wireFloat is a float field's read value: decimal.Decimal (rounded to the
// field's digits) for exact fields, float64 otherwise; 0 when empty.
func wireFloat(f *Field, v any) any {
	if f.Decimal {
		var d decimal.Decimal
		switch x := v.(type) {
		case decimal.Decimal:
			d = x
		case float64:
			d = decimal.NewFromFloat(x)
		case int64:
			d = decimal.NewFromInt(x)
		case int:
			d = decimal.NewFromInt(int64(x))
		}
		if f.Digits[1] > 0 {
			d = d.Round(int32(f.Digits[1]))
		}
		return d
	}
	var x float64
	switch n := v.(type) {
	case float64:
		x = n
	case decimal.Decimal:
		x = n.InexactFloat64()
	case int64:
		x = float64(n)
	case int:
		x = float64(n)
	}
	if f.Digits[1] > 0 {
		x = decimal.NewFromFloat(x).Round(int32(f.Digits[1])).InexactFloat64()
	}
	return x
}

// writeValue converts a Go value of field f to what Odoo's write methods
// take (default_get, copy): ids for many2one, [[6, 0, ids]] for x2many,
// date strings, floats for decimals.
func writeValue(f *Field, v any) any {
	switch f.Type {
	case Many2one:
		id, ok := wireInt(v)
		if !ok || id == 0 {
			return false
		}
		return id
	case One2many, Many2many:
		ids := wireValue(f, v, false, nil).([]int64)
		list := make([]any, len(ids))
		for i, id := range ids {
			list[i] = id
		}
		return []any{[]any{int64(6), int64(0), list}}
	case Float, Monetary:
		switch x := wireFloat(f, v).(type) {
		case decimal.Decimal:
			return x.InexactFloat64()
		default:
			return x
		}
	}
	return wireValue(f, v, false, nil)
}
