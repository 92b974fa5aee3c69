package models

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Odoo's messages embed Python reprs of what the client sent: domains
// ("Domain [['a', '=', 1]] is syntactically not correct."), leaves, which
// are tuples once normalised ("Invalid leaf ('a', 'bad', 1)"), names
// ("Invalid field 'foo' on model 'res.partner'") and recordsets
// ("res.partner(43,)"). The helpers here format wire values that way.

// reprPy formats a wire value as Python's repr(): lists as [a, b], dicts
// as {'k': v}, strings quoted, True/False/None.
func reprPy(v any) string {
	var b strings.Builder
	writeRepr(&b, v, 0)
	return b.String()
}

// reprTuple formats values as a Python tuple: (a,) for one, (a, b) else.
func reprTuple(vals ...any) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		writeRepr(&b, v, 0)
	}
	if len(vals) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// reprRecords formats a recordset as Odoo does: "res.partner(1, 2)".
func reprRecords(model string, ids []int64) string {
	vals := make([]any, len(ids))
	for i, id := range ids {
		vals[i] = id
	}
	return model + reprTuple(vals...)
}

// maxReprDepth stops runaway nesting in messages.
const maxReprDepth = 50

func writeRepr(b *strings.Builder, v any, depth int) {
	if depth > maxReprDepth {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case string:
		b.WriteString(reprStr(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(reprFloat(x))
	case decimal.Decimal:
		f, _ := x.Float64()
		b.WriteString(reprFloat(f))
	case time.Time:
		b.WriteString(strconv.Quote(x.UTC().Format(time.DateTime)))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e, depth+1)
		}
		b.WriteByte(']')
	case []int64:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatInt(e, 10))
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(reprStr(k))
			b.WriteString(": ")
			writeRepr(b, x[k], depth+1)
		}
		b.WriteByte('}')
	case *Dict:
		b.WriteByte('{')
		for i, k := range x.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(reprStr(k))
			b.WriteString(": ")
			val, _ := x.Get(k)
			writeRepr(b, val, depth+1)
		}
		b.WriteByte('}')
	default:
		fmt.Fprint(b, v)
	}
}

// strPy formats a value as Python's str(): strings bare, the rest as repr.
func strPy(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return reprPy(v)
}

// reprStr quotes s like Python's repr(str).
func reprStr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// reprFloat formats f like Python's repr(float).
func reprFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e // Go, like Python, writes at least two exponent digits
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
