package models

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// dom decodes a domain written as JSON, the way the JSON codec hands it
// over (numbers as int64 when integral).
func dom(t testing.TB, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	require.NoError(t, d.Decode(&v), s)
	return fromJSON(v)
}

func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fromJSON(e)
		}
		return out
	}
	return v
}

// show prints an Expr compactly for assertions.
func show(e Expr) string {
	switch x := e.(type) {
	case Const:
		if x {
			return "TRUE"
		}
		return "FALSE"
	case *BoolOp:
		parts := make([]string, len(x.Args))
		for i, a := range x.Args {
			parts[i] = show(a)
		}
		return x.Op + "(" + strings.Join(parts, ", ") + ")"
	case *Not:
		return "!(" + show(x.Arg) + ")"
	case *Leaf:
		s := x.String()
		if x.Sub != nil {
			s += "{" + show(x.Sub) + "}"
		}
		return s
	}
	return "?"
}

func TestParseDomain(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, domain, want string
	}{
		{"empty", `[]`, "TRUE"},
		{"null", `null`, "TRUE"},
		{"false", `false`, "TRUE"},
		{"one leaf", `[["a", "=", 1]]`, "('a', '=', 1)"},
		{"implicit and", `[["a", "=", 1], ["b", "=", 2], ["c", "=", 3]]`, "&(('a', '=', 1), ('b', '=', 2), ('c', '=', 3))"},
		{"or then implicit and", `["|", ["a", "=", 1], ["b", "=", 2], ["c", "=", 3]]`, "&(|(('a', '=', 1), ('b', '=', 2)), ('c', '=', 3))"},
		{"nested", `["|", ["a", "=", 1], "&", ["b", "=", 2], ["c", "=", 3]]`, "|(('a', '=', 1), &(('b', '=', 2), ('c', '=', 3)))"},
		{"not pushed into leaf", `["!", ["a", "=", 1]]`, "('a', '!=', 1)"},
		{"not de morgan", `["!", "|", ["a", "<", 1], ["b", "ilike", "x"]]`, "&(('a', '>=', 1), ('b', 'not ilike', 'x'))"},
		{"not kept", `["!", ["a", "=?", 1]]`, "!(('a', '=?', 1))"},
		{"double not", `["!", "!", ["a", "=", 1]]`, "('a', '=', 1)"},
		{"not any", `["!", ["l", "any", [["x", "=", 1]]]]`, "('l', 'not any', [['x', '=', 1]]){('x', '=', 1)}"},
		{"upper operator", `[["a", "ILIKE", "x"]]`, "('a', 'ilike', 'x')"},
		{"diamond", `[["a", "<>", 1]]`, "('a', '!=', 1)"},
		{"eq list is in", `[["a", "=", [1, 2]]]`, "('a', 'in', [1, 2])"},
		{"ne list is not in", `[["a", "!=", [1]]]`, "('a', 'not in', [1])"},
		{"in bool is eq", `[["a", "in", true]]`, "('a', '=', True)"},
		{"not in bool is ne", `[["a", "not in", false]]`, "('a', '!=', False)"},
		{"true leaf", `[[1, "=", 1]]`, "TRUE"},
		{"false leaf", `[[0, "=", 1]]`, "FALSE"},
		{"python true is 1", `[[true, "=", 1]]`, "TRUE"},
		{"not false leaf", `["!", [0, "=", 1]]`, "TRUE"},
		{"any", `[["rule_ids", "any", [["code", "=", "x"], ["active", "=", true]]]]`,
			"('rule_ids', 'any', [['code', '=', 'x'], ['active', '=', True]]){&(('code', '=', 'x'), ('active', '=', True))}"},
		{"path", `[["partner_id.name", "ilike", "mat"]]`, "('partner_id.name', 'ilike', 'mat')"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := ParseDomain(dom(t, tc.domain))
			require.NoError(t, err)
			require.Equal(t, tc.want, show(e))
		})
	}
}

func TestParseDomainErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		domain any
		want   string
	}{
		{"missing operand", dom(t, `["&", ["a", "=", 1]]`), "Domain ['&', ['a', '=', 1]] is syntactically not correct."},
		{"trailing operator", dom(t, `[["a", "=", 1], "|"]`), "Domain [['a', '=', 1], '|'] is syntactically not correct."},
		{"lone not", dom(t, `["!"]`), "Domain ['!'] is syntactically not correct."},
		{"bad operator", dom(t, `[["a", "bad", 1]]`), "Invalid leaf ('a', 'bad', 1)"},
		{"operator injection", dom(t, `[["a", "= 1 OR 1=1 --", 1]]`), "Invalid leaf ('a', '= 1 OR 1=1 --', 1)"},
		{"short leaf", dom(t, `[["a", "="]]`), "Invalid leaf ('a', '=')"},
		{"one-item leaf", dom(t, `[["a"]]`), "Invalid leaf ('a',)"},
		{"empty field", dom(t, `[["", "=", 1]]`), "Invalid leaf ('', '=', 1)"},
		{"number field", dom(t, `[[2, "=", 1]]`), "Invalid leaf (2, '=', 1)"},
		{"string token", dom(t, `["a"]`), "Invalid leaf a"},
		{"quote in repr", dom(t, `[["it's", "bad", "x"]]`), `Invalid leaf ("it's", 'bad', 'x')`},
		{"not a list", "[('a', '=', 1)]", "Domains to normalize must have a 'domain' form: a list or tuple of domain components"},
		{"any on non-list", dom(t, `[["l", "any", 3]]`), "Invalid leaf ('l', 'any', 3)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseDomain(tc.domain)
			require.Error(t, err)
			require.Equal(t, KindValue, KindOf(err))
			require.Equal(t, tc.want, MessageOf(err))
		})
	}
}

func TestParseDomainLimits(t *testing.T) {
	t.Parallel()
	leaf := []any{"a", "=", int64(1)}
	long := make([]any, maxDomainTerms+1)
	for i := range long {
		long[i] = leaf
	}
	_, err := ParseDomain(long)
	require.ErrorContains(t, err, "too long")

	ok := long[:maxDomainTerms]
	_, err = ParseDomain(ok)
	require.NoError(t, err, "10000 leaves are fine")

	var deep []any
	for i := 0; i < 2*maxDomainDepth; i++ {
		deep = append(deep, []string{"&", "|"}[i%2], leaf)
	}
	deep = append(deep, leaf)
	_, err = ParseDomain(deep)
	require.ErrorContains(t, err, "too deeply nested")

	sub := []any{leaf}
	for i := 0; i < maxAnyDepth+2; i++ {
		sub = []any{[]any{"l", "any", sub}}
	}
	_, err = ParseDomain(sub)
	require.ErrorContains(t, err, "too deeply nested")
}

func TestReprPy(t *testing.T) {
	t.Parallel()
	require.Equal(t, `['a', 1, 2.5, True, None, [1e-05, 'it\'s "x"']]`,
		reprPy([]any{"a", int64(1), 2.5, true, nil, []any{1e-05, `it's "x"`}}))
	require.Equal(t, "(43,)", reprTuple(int64(43)))
	require.Equal(t, "res.partner(1, 2)", reprRecords("res.partner", []int64{1, 2}))
	require.Equal(t, "res.partner()", reprRecords("res.partner", nil))
	require.Equal(t, "{'a': 1.0}", reprPy(map[string]any{"a": 1.0}))
	require.Equal(t, "1e+16", reprFloat(1e16))
}

// FuzzParseDomain checks that no input makes the parser or the compiler
// panic, and that whatever compiles yields a placeholder per argument.
func FuzzParseDomain(f *testing.F) {
	seeds := []string{
		`[]`, `[["code", "=", "x"]]`, `["|", ["code", "ilike", "a"], "!", ["points", ">", 1]]`,
		`["&", ["a", "=", 1]]`, `[["partner_id.name", "not ilike", "x"]]`, `[["program_id", "in", ["A", false]]]`,
		`[["program_id", "any", [["rule_ids.product_ids", "child_of", [1]]]]]`, `[[1, "=", 1]]`,
		`[["display_name", "=like", "0%"]]`, `[["expiration_date", "<=", "2024-01-01"]]`, `"x"`, `[["a"]]`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	reg := NewRegistry(nil, nil)
	reg.MustRegister(Builtin()...)
	card := reg.Model("loyalty.card")
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		if d.Decode(&v) != nil {
			return
		}
		v = fromJSON(v)
		e, err := ParseDomain(v)
		if err != nil {
			return
		}
		for _, dialect := range []string{DialectPG, DialectSQLite} {
			c := newCompiler(reg, &Env{Version: 17}, dialect)
			sql, args, err := c.where(card, e, true)
			if err == nil && strings.Count(sql, "?") != len(args) {
				t.Fatalf("%s: %d placeholders for %d args: %s", s, strings.Count(sql, "?"), len(args), sql)
			}
		}
	})
}
