package xmlrpc

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	kolo "github.com/kolo/xmlrpc"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// These tests cross-check the codec with github.com/kolo/xmlrpc, an
// independent Go implementation: calls kolo encodes must decode here, and
// responses encoded here must parse there.

func TestKoloCallsDecode(t *testing.T) {
	when := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name string
		args []any
		want []any
	}{
		{"scalars", []any{"peer", 2, int64(-5), 1.5, true, false}, []any{"peer", int64(2), int64(-5), 1.5, true, false}},
		{"escaping", []any{"a & <b> \"c\" 'd'\t\n\r"}, []any{"a & <b> \"c\" 'd'\t\n\r"}},
		{"unsigned becomes i4", []any{uint(7)}, []any{int64(7)}},
		{"big double", []any{1e16}, []any{1e16}},
		{"time", []any{when}, []any{when}},
		{"base64", []any{kolo.Base64("aGVsbG8=")}, []any{[]byte("hello")}},
		{"bytes become an int array", []any{[]byte("hi")}, []any{[]any{int64('h'), int64('i')}}},
		{"domain", []any{[]any{[]any{"points", ">", 0}, "|", []any{"active", "=", true}}},
			[]any{[]any{[]any{"points", ">", int64(0)}, "|", []any{"active", "=", true}}}},
		{"kwargs", []any{map[string]any{"fields": []string{"code", "points"}, "limit": 3, "context": map[string]any{"lang": "en_US"}}},
			[]any{map[string]any{"fields": []any{"code", "points"}, "limit": int64(3), "context": map[string]any{"lang": "en_US"}}}},
		{"go struct becomes a struct", []any{struct {
			Name  string `xmlrpc:"name"`
			Count int    `xmlrpc:"count"`
		}{"x", 2}}, []any{map[string]any{"name": "x", "count": int64(2)}}},
		{"nil pointer is an empty value", []any{(*int)(nil)}, []any{""}},
		{"no args", nil, []any{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, err := kolo.EncodeMethodCall("execute_kw", tc.args...)
			require.NoError(t, err)
			method, params, err := DecodeCall(bytes.NewReader(body), Limits{})
			require.NoError(t, err, "%s", body)
			require.Equal(t, "execute_kw", method)
			requireSameValue(t, tc.want, params)
		})
	}
}

// TestKoloCallsDecodeRandom sends random values through kolo's encoder.
func TestKoloCallsDecodeRandom(t *testing.T) {
	g := valueGen{rng: rand.New(rand.NewPCG(1, 2)), keys: callKeyRunes}
	for i := range 2000 {
		v := g.value(0)
		body, err := kolo.EncodeMethodCall("m", v)
		require.NoError(t, err)
		_, params, err := DecodeCall(bytes.NewReader(body), Limits{})
		require.NoError(t, err, "case %d: %s", i, body)
		requireSameValue(t, []any{koloSent(v)}, params)
	}
}

// TestKoloParsesResponses encodes random values and reads them back with
// kolo's Response.Unmarshal.
func TestKoloParsesResponses(t *testing.T) {
	g := valueGen{rng: rand.New(rand.NewPCG(3, 4)), keys: responseKeyRunes}
	for i := range 2000 {
		v := g.value(0)
		if i%2 == 0 {
			v = asDicts(v) // the same data, as our models layer holds it
		}
		var buf bytes.Buffer
		require.NoError(t, EncodeResponse(&buf, v))
		resp := kolo.Response(buf.Bytes())
		require.NoError(t, resp.Err())
		var got any
		require.NoError(t, resp.Unmarshal(&got), "case %d: %s", i, buf.Bytes())
		requireSameValue(t, koloReceived(v), got)
	}
}

func TestKoloParsesFaults(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, EncodeFault(&buf, 3, "Access Denied"))
	err := kolo.Response(buf.Bytes()).Err()
	require.Equal(t, kolo.FaultError{Code: 3, String: "Access Denied"}, err)

	buf.Reset()
	require.NoError(t, EncodeFault(&buf, 1, "Traceback (most recent call last):\n  ...\nValueError: <x> & 'y'\n"))
	require.Equal(t, kolo.FaultError{Code: 1, String: "Traceback (most recent call last):\n  ...\nValueError: <x> & 'y'\n"},
		kolo.Response(buf.Bytes()).Err())

	// kolo's FaultError has an int Code, so it cannot read the string
	// codes of the legacy paths; it still sees that it is a fault.
	buf.Reset()
	require.NoError(t, EncodeFault(&buf, "AccessDenied", "Access Denied"))
	require.Error(t, kolo.Response(buf.Bytes()).Err())
}

var (
	valueRunes = []rune("aZ9 &<>\"'\t\n\r\x00\x01\x1féß€😀]]>;")
	// Response keys have no control characters: Python writes those raw
	// into <name>, which no XML parser accepts; nor CR, which a parser
	// reads as LF, so two keys could merge.
	responseKeyRunes = []rune("aZ9 &<>\"'\t\néß€😀]]>;")
	// kolo writes call keys without escaping them.
	callKeyRunes = []rune("aZ9 \"'\t\néß€😀];")
)

// valueGen makes random values both encoders accept: nested []any and
// map[string]any of strings, int32-range ints, floats and bools.
type valueGen struct {
	rng  *rand.Rand
	keys []rune
}

func (g valueGen) string(runes []rune, minLen int) string {
	var b strings.Builder
	for range minLen + g.rng.IntN(8) {
		b.WriteRune(runes[g.rng.IntN(len(runes))])
	}
	return b.String()
}

func (g valueGen) value(depth int) any {
	k := g.rng.IntN(10)
	switch {
	case depth < 3 && k == 0:
		out := make([]any, g.rng.IntN(4))
		for i := range out {
			out[i] = g.value(depth + 1)
		}
		return out
	case depth < 3 && k == 1:
		out := map[string]any{}
		for range g.rng.IntN(4) {
			// kolo cannot read an empty <name></name>.
			out[g.string(g.keys, 1)] = g.value(depth + 1)
		}
		return out
	case k < 4:
		return g.string(valueRunes, 0)
	case k < 6:
		return int64(g.rng.Int32()) - int64(g.rng.Int32())/2
	case k < 8:
		return math.Float64frombits(g.rng.Uint64())
	}
	return g.rng.IntN(2) == 1
}

// asDicts turns maps into *models.Dict, keys in sorted order.
func asDicts(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = asDicts(e)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		d := models.NewDict(len(x))
		for _, k := range keys {
			d.Set(k, asDicts(x[k]))
		}
		return d
	}
	return v
}

// mapStrings applies f to every string of v, keys included.
func mapStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapStrings(e, f)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[f(k)] = mapStrings(e, f)
		}
		return out
	case *models.Dict:
		out := map[string]any{}
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out[f(k)] = mapStrings(e, f)
		}
		return out
	}
	return v
}

// koloSent is what a value becomes through kolo's encoder: xml.Escape
// replaces characters XML cannot hold with U+FFFD.
func koloSent(v any) any {
	return mapStrings(v, func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < ' ' && r != '\t' && r != '\n' && r != '\r' {
				return '\uFFFD'
			}
			return r
		}, s)
	})
}

// koloReceived is what kolo reads from our encoding of v: control
// characters removed (Odoo's rule), CR normalised to LF by the XML parser,
// and kolo's quirk of reading an empty <string> as nil.
func koloReceived(v any) any {
	clean := mapStrings(v, func(s string) string {
		s = strings.Map(func(r rune) rune {
			if r < ' ' && r != '\t' && r != '\n' && r != '\r' {
				return -1
			}
			return r
		}, s)
		return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	})
	var nilEmpty func(any) any
	nilEmpty = func(v any) any {
		switch x := v.(type) {
		case string:
			if x == "" {
				return nil
			}
		case []any:
			for i, e := range x {
				x[i] = nilEmpty(e)
			}
		case map[string]any:
			for k, e := range x {
				x[k] = nilEmpty(e)
			}
		}
		return v
	}
	return nilEmpty(clean)
}
