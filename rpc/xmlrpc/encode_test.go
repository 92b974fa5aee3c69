package xmlrpc

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// encodeValue returns the <value> part of EncodeResponse's output.
func encodeValue(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, EncodeResponse(&buf, v))
	out := buf.String()
	require.True(t, strings.HasPrefix(out, responseHead), out)
	require.True(t, strings.HasSuffix(out, responseTail), out)
	return out[len(responseHead) : len(out)-len(responseTail)]
}

type myString string
type myInt int16

func TestEncodeResponseTypes(t *testing.T) {
	s := "ptr"
	n := int64(7)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"true", true, "<value><boolean>1</boolean></value>\n"},
		{"false", false, "<value><boolean>0</boolean></value>\n"},
		{"int", 42, "<value><int>42</int></value>\n"},
		{"int64 max int32", int64(math.MaxInt32), "<value><int>2147483647</int></value>\n"},
		{"int64 min int32", int64(math.MinInt32), "<value><int>-2147483648</int></value>\n"},
		{"int8", int8(-8), "<value><int>-8</int></value>\n"},
		{"uint16", uint16(65535), "<value><int>65535</int></value>\n"},
		{"uint64", uint64(1<<31 - 1), "<value><int>2147483647</int></value>\n"},
		{"named int", myInt(3), "<value><int>3</int></value>\n"},
		{"float64", 1.0, "<value><double>1.0</double></value>\n"},
		{"float32", float32(0.5), "<value><double>0.5</double></value>\n"},
		{"float32 inexact", float32(0.1), "<value><double>0.10000000149011612</double></value>\n"},
		{"decimal", dec("12.25"), "<value><double>12.25</double></value>\n"},
		{"decimal inexact", dec("0.1"), "<value><double>0.1</double></value>\n"},
		{"decimal pointer", ptr(dec("5")), "<value><double>5.0</double></value>\n"},
		{"string", "Azure Interior", "<value><string>Azure Interior</string></value>\n"},
		{"empty string", "", "<value><string></string></value>\n"},
		{"escaped", `a & b <c> "d" 'e'`, "<value><string>a &amp; b &lt;c&gt; \"d\" 'e'</string></value>\n"},
		{"entity-looking text", "&amp;", "<value><string>&amp;amp;</string></value>\n"},
		{"control characters removed", "a\x00b\x01\x08\x0b\x0c\x1f\tc\nd\re\x7f", "<value><string>ab\tc\nd\re\x7f</string></value>\n"},
		{"unicode", "é€😀\u2028", "<value><string>é€😀\u2028</string></value>\n"},
		{"invalid utf-8", "a\xffb", "<value><string>a\uFFFDb</string></value>\n"},
		{"named string", myString("x<"), "<value><string>x&lt;</string></value>\n"},
		{"string pointer", &s, "<value><string>ptr</string></value>\n"},
		{"int pointer", &n, "<value><int>7</int></value>\n"},
		{"bytes", []byte("aGVsbG8="), "<value><string>aGVsbG8=</string></value>\n"},
		{"bytes with control", []byte("a\x00b"), "<value><string>ab</string></value>\n"},
		{"time", time.Date(2024, 1, 2, 3, 4, 5, 600, time.UTC), "<value><string>2024-01-02 03:04:05</string></value>\n"},
		{"time in UTC", time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 7200)), "<value><string>2024-01-02 01:04:05</string></value>\n"},
		{"empty array", []any{}, "<value><array><data>\n</data></array></value>\n"},
		{"nil slice", []any(nil), "<value><array><data>\n</data></array></value>\n"},
		{"many2one", []any{4, "10% Discount Coupons"}, "<value><array><data>\n<value><int>4</int></value>\n<value><string>10% Discount Coupons</string></value>\n</data></array></value>\n"},
		{"int64 slice", []int64{1, 2}, "<value><array><data>\n<value><int>1</int></value>\n<value><int>2</int></value>\n</data></array></value>\n"},
		{"int slice", []int{3}, "<value><array><data>\n<value><int>3</int></value>\n</data></array></value>\n"},
		{"string slice", []string{"a"}, "<value><array><data>\n<value><string>a</string></value>\n</data></array></value>\n"},
		{"bool slice via reflection", []bool{true}, "<value><array><data>\n<value><boolean>1</boolean></value>\n</data></array></value>\n"},
		{"array", [2]float64{0.1, 1e16}, "<value><array><data>\n<value><double>0.1</double></value>\n<value><double>1e+16</double></value>\n</data></array></value>\n"},
		{"empty map", map[string]any{}, "<value><struct>\n</struct></value>\n"},
		{"map sorted", map[string]any{"b": 1, "a": "x", "c": false}, "<value><struct>\n<member>\n<name>a</name>\n<value><string>x</string></value>\n</member>\n<member>\n<name>b</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>c</name>\n<value><boolean>0</boolean></value>\n</member>\n</struct></value>\n"},
		{"typed map sorted", map[myString]int{"z": 1, "y": 2}, "<value><struct>\n<member>\n<name>y</name>\n<value><int>2</int></value>\n</member>\n<member>\n<name>z</name>\n<value><int>1</int></value>\n</member>\n</struct></value>\n"},
		{"key escaped, controls kept", map[string]any{"a<&>\x01": 1}, "<value><struct>\n<member>\n<name>a&lt;&amp;&gt;\x01</name>\n<value><int>1</int></value>\n</member>\n</struct></value>\n"},
		{"empty map with int keys", map[int]any{}, "<value><struct>\n</struct></value>\n"},
		{"dict keeps order", models.D("id", 1, "code", "c"), "<value><struct>\n<member>\n<name>id</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>code</name>\n<value><string>c</string></value>\n</member>\n</struct></value>\n"},
		{"dict value", *models.D("k", true), "<value><struct>\n<member>\n<name>k</name>\n<value><boolean>1</boolean></value>\n</member>\n</struct></value>\n"},
		{"dict slice", []*models.Dict{models.D("id", 2)}, "<value><array><data>\n<value><struct>\n<member>\n<name>id</name>\n<value><int>2</int></value>\n</member>\n</struct></value>\n</data></array></value>\n"},
		{"map slice", []map[string]any{{"id": 3}}, "<value><array><data>\n<value><struct>\n<member>\n<name>id</name>\n<value><int>3</int></value>\n</member>\n</struct></value>\n</data></array></value>\n"},
		{"nested any", []any{[]any{[]any{}}, map[string]any{"l": []string{}}}, "<value><array><data>\n<value><array><data>\n<value><array><data>\n</data></array></value>\n</data></array></value>\n<value><struct>\n<member>\n<name>l</name>\n<value><array><data>\n</data></array></value>\n</member>\n</struct></value>\n</data></array></value>\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, encodeValue(t, tc.v))
		})
	}
}

func ptr[T any](v T) *T { return &v }

// recordingWriter fails the test if anything is written to it.
type recordingWriter struct{ n int }

func (w *recordingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func TestEncodeResponseErrors(t *testing.T) {
	self := make([]any, 1)
	self[0] = self
	tests := []struct {
		name string
		v    any
		want *MarshalError
	}{
		{"nil", nil, ErrNone},
		{"nil in list", []any{1, nil}, ErrNone},
		{"nil in map", map[string]any{"a": nil}, ErrNone},
		{"nil in dict", models.D("a", 1, "b", nil), ErrNone},
		{"nil dict", (*models.Dict)(nil), ErrNone},
		{"nil dict in slice", []*models.Dict{nil}, ErrNone},
		{"nil pointer", (*int)(nil), ErrNone},
		{"nil map pointer", map[string]*string{"a": nil}, ErrNone},
		{"int above int32", 1 << 31, ErrOverflow},
		{"int below int32", int64(math.MinInt32 - 1), ErrOverflow},
		{"uint above int32", uint32(1 << 31), ErrOverflow},
		{"overflow deep", []any{map[string]any{"x": []int64{5, 1 << 40}}}, ErrOverflow},
		{"int keys", map[int]string{1: "a"}, ErrKeyNotString},
		{"int keys nested", []any{map[int64]any{7: "xmlid"}}, ErrKeyNotString},
		{"self reference", self, ErrTooDeep},
		{"struct", struct{ A int }{1}, &MarshalError{PyType: "TypeError", Msg: "cannot marshal <class 'struct { A int }'> objects"}},
		{"chan", make(chan int), &MarshalError{PyType: "TypeError", Msg: "cannot marshal <class 'chan int'> objects"}},
		{"complex", 1i, &MarshalError{PyType: "TypeError", Msg: "cannot marshal <class 'complex128'> objects"}},
		{"func", func() {}, &MarshalError{PyType: "TypeError", Msg: "cannot marshal <class 'func()'> objects"}},
		{"bytes not utf-8", []byte{'a', 0xff}, &MarshalError{PyType: "UnicodeDecodeError", Msg: "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"}},
		{"bytes truncated utf-8", []byte{'a', 0xe2, 0x82}, &MarshalError{PyType: "UnicodeDecodeError", Msg: "'utf-8' codec can't decode byte 0xe2 in position 1: unexpected end of data"}},
		{"bytes bad continuation", []byte{0xc3, 'a'}, &MarshalError{PyType: "UnicodeDecodeError", Msg: "'utf-8' codec can't decode byte 0xc3 in position 0: invalid continuation byte"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w recordingWriter
			err := EncodeResponse(&w, tc.v)
			var me *MarshalError
			require.ErrorAs(t, err, &me)
			require.Equal(t, *tc.want, *me)
			require.Zero(t, w.n, "nothing may be written on error")
		})
	}
	require.ErrorIs(t, EncodeResponse(&recordingWriter{}, nil), ErrNone)
	require.ErrorIs(t, EncodeResponse(&recordingWriter{}, 1<<40), ErrOverflow)
	require.ErrorIs(t, EncodeResponse(&recordingWriter{}, map[bool]int{true: 1}), ErrKeyNotString)
	require.Equal(t, "TypeError: cannot marshal None unless allow_none is enabled", ErrNone.Error())
	require.Equal(t, "OverflowError: int exceeds XML-RPC limits", ErrOverflow.Error())
	require.Equal(t, "TypeError: dictionary key must be string", ErrKeyNotString.Error())
}

func TestEncodeResponseDeepButFinite(t *testing.T) {
	var v any = 1
	for range maxEncodeDepth {
		v = []any{v}
	}
	require.NoError(t, EncodeResponse(&recordingWriter{}, v))
	require.ErrorIs(t, EncodeResponse(&recordingWriter{}, []any{v}), ErrTooDeep)
}

type failingWriter struct{}

var errWrite = errors.New("broken pipe")

func (failingWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestEncodeWriteError(t *testing.T) {
	require.ErrorIs(t, EncodeResponse(failingWriter{}, 1), errWrite)
	require.ErrorIs(t, EncodeFault(failingWriter{}, 1, "x"), errWrite)
}

func TestEncodeFault(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, EncodeFault(&buf, 1, "Traceback\x00 <x> & 'y'\n"))
	require.Equal(t, "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n"+
		"<value><int>1</int></value>\n</member>\n<member>\n<name>faultString</name>\n"+
		"<value><string>Traceback &lt;x&gt; &amp; 'y'\n</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n", buf.String())

	buf.Reset()
	require.NoError(t, EncodeFault(&buf, "AccessDenied", "Access Denied"))
	require.Contains(t, buf.String(), "<name>faultCode</name>\n<value><string>AccessDenied</string></value>\n")

	var w recordingWriter
	require.ErrorIs(t, EncodeFault(&w, nil, "x"), ErrNone)
	require.ErrorIs(t, EncodeFault(&w, int64(1)<<33, "x"), ErrOverflow)
	require.Zero(t, w.n)
}

// TestPyFloatRepr checks AppendFloat against repr(float) of CPython 3.11.
func TestPyFloatRepr(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // not constants: Go folds constants exactly
	tests := []struct {
		f    float64
		want string
	}{
		{0.1, "0.1"},
		{1.0, "1.0"},
		{100.0, "100.0"},
		{1e-05, "1e-05"},
		{0.0001, "0.0001"},
		{0.00012345, "0.00012345"},
		{1e16, "1e+16"},
		{1e15, "1000000000000000.0"},
		{9999999999999998.0, "9999999999999998.0"},
		{1.5e300, "1.5e+300"},
		{1700.0000000000002, "1700.0000000000002"},
		{813.8000000000001, "813.8000000000001"},
		{math.Copysign(0, -1), "-0.0"}, // Go's constant -0.0 is +0
		{0, "0.0"},
		{12.25, "12.25"},
		{-2.5, "-2.5"},
		{tenth + fifth, "0.30000000000000004"},
		{1.0 / 3, "0.3333333333333333"},
		{123456789012345680, "1.2345678901234568e+17"},
		{3000000000, "3000000000.0"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{1e22, "1e+22"},
		{2.5e-5, "2.5e-05"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(AppendFloat(nil, tc.f)), "%v", tc.f)
	}
}

// TestEncodeConcurrent shares the encoder pool between goroutines.
func TestEncodeConcurrent(t *testing.T) {
	values := []any{searchReadRows(), map[string]any{"a": []any{1, "x"}}, "s", 1 << 40, nil}
	want := make([]string, len(values))
	for i, v := range values {
		var buf bytes.Buffer
		if err := EncodeResponse(&buf, v); err != nil {
			want[i] = err.Error()
			continue
		}
		want[i] = buf.String()
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				k := (g + i) % len(values)
				var buf bytes.Buffer
				got := ""
				if err := EncodeResponse(&buf, values[k]); err != nil {
					got = err.Error()
				} else {
					got = buf.String()
				}
				if got != want[k] {
					t.Errorf("value %d: got %q", k, got)
					return
				}
			}
		})
	}
	wg.Wait()
}
