package xmlrpc

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"
)

// decodeCases cover every tag and the layouts clients send, in the style
// of kolo/xmlrpc's decoder_test.go: {xml of one value, decoded value}.
var decodeCases = []struct {
	name string
	xml  string
	want any
}{
	{"string", "<string>Azure Interior</string>", "Azure Interior"},
	{"string empty", "<string></string>", ""},
	{"string self-closed", "<string/>", ""},
	{"string entities", "<string>a &amp; b &lt;c&gt; &quot;d&apos; &#233;&#x20AC;</string>", "a & b <c> \"d' é€"},
	{"string keeps whitespace", "<string>  x\n\ty  </string>", "  x\n\ty  "},
	{"string cdata", "<string><![CDATA[<b>&amp;</b>]]></string>", "<b>&amp;</b>"},
	{"string comment inside", "<string>ab<!-- c -->cd</string>", "abcd"},
	{"untyped", "hello", "hello"},
	{"untyped empty", "", ""},
	{"untyped whitespace kept", "  \n ", "  \n "},
	{"whitespace around type ignored", "\n  <int>5</int>\n  ", int64(5)},
	{"int", "<int>42</int>", int64(42)},
	{"int negative", "<int>-2147483648</int>", int64(-2147483648)},
	{"i1", "<i1>7</i1>", int64(7)},
	{"i2", "<i2>-300</i2>", int64(-300)},
	{"i4", "<i4>2147483647</i4>", int64(2147483647)},
	{"i8", "<i8>9223372036854775807</i8>", int64(9223372036854775807)},
	{"biginteger", "<biginteger>-9000000000</biginteger>", int64(-9000000000)},
	{"apache namespace i8", `<ex:i8 xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions">5</ex:i8>`, int64(5)},
	{"boolean true", "<boolean>1</boolean>", true},
	{"boolean false", "<boolean>0</boolean>", false},
	{"double", "<double>5.5</double>", 5.5},
	{"double exponent", "<double>1e-05</double>", 1e-05},
	{"float", "<float>-0.25</float>", -0.25},
	{"bigdecimal", "<bigdecimal>12.34</bigdecimal>", dec("12.34")},
	{"nil", "<nil/>", nil},
	{"nil apache", `<ex:nil xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"/>`, nil},
	{"base64", "<base64>aGVsbG8=</base64>", []byte("hello")},
	{"base64 lines", "<base64>\naGVs\nbG8=\n</base64>", []byte("hello")},
	{"base64 empty", "<base64></base64>", []byte{}},
	{"datetime python", "<dateTime.iso8601>20240101T10:00:00</dateTime.iso8601>", time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)},
	{"datetime dashes", "<dateTime.iso8601>2024-01-01T10:00:00</dateTime.iso8601>", time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)},
	{"datetime Z", "<dateTime.iso8601>2024-01-01T10:00:00Z</dateTime.iso8601>", time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)},
	{"datetime offset", "<dateTime.iso8601>20240101T10:00:00+02:00</dateTime.iso8601>", time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)},
	{"datetime offset no colon", "<dateTime.iso8601>20240101T10:00:00-0130</dateTime.iso8601>", time.Date(2024, 1, 1, 11, 30, 0, 0, time.UTC)},
	{"datetime fraction", "<dateTime.iso8601>20240101T10:00:00.5</dateTime.iso8601>", time.Date(2024, 1, 1, 10, 0, 0, 5e8, time.UTC)},
	{"datetime basic", "<dateTime.iso8601> 20240229T235959 </dateTime.iso8601>", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)},
	{"array", "<array><data><value><int>1</int></value><value>x</value></data></array>", []any{int64(1), "x"}},
	{"array empty", "<array><data>\n</data></array>", []any{}},
	{"array without data", "<array/>", []any{}},
	{"array nested", "<array><data><value><array><data><value><boolean>1</boolean></value></data></array></value></data></array>", []any{[]any{true}}},
	{"struct", "<struct><member><name>a</name><value><int>1</int></value></member><member><name>b</name><value>s</value></member></struct>", map[string]any{"a": int64(1), "b": "s"}},
	{"struct empty", "<struct>\n</struct>", map[string]any{}},
	{"struct duplicate key last wins", "<struct><member><name>a</name><value><int>1</int></value></member><member><name>a</name><value><int>2</int></value></member></struct>", map[string]any{"a": int64(2)}},
	{"struct empty name", "<struct><member><name></name><value><int>1</int></value></member></struct>", map[string]any{"": int64(1)}},
	{"struct name entity", "<struct><member><name>a&amp;b</name><value><nil/></value></member></struct>", map[string]any{"a&b": nil}},
	{"domain", "<array><data><value><array><data><value><string>points</string></value><value><string>&gt;</string></value><value><int>0</int></value></data></array></value></data></array>",
		[]any{[]any{"points", ">", int64(0)}}},
}

func TestDecodeCallValues(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			method, params, err := DecodeCall(strings.NewReader(callDoc(tc.xml)), Limits{})
			require.NoError(t, err)
			require.Equal(t, "m", method)
			require.Len(t, params, 1)
			requireSameValue(t, tc.want, params[0])
		})
	}
}

func TestDecodeCallDocuments(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		method string
		params []any
	}{
		{"no params element", "<?xml version='1.0'?><methodCall><methodName>version</methodName></methodCall>", "version", []any{}},
		{"empty params", "<methodCall><methodName>version</methodName><params>\n</params></methodCall>", "version", []any{}},
		{"two params", "<methodCall><methodName>m</methodName><params><param><value><int>1</int></value></param><param><value>two</value></param></params></methodCall>", "m", []any{int64(1), "two"}},
		{"method name kept verbatim", "<methodCall><methodName> a&amp;b </methodName></methodCall>", " a&b ", []any{}},
		{"double-quoted prolog with encoding", `<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>m</methodName></methodCall>`, "m", []any{}},
		{"utf-8 BOM", "\ufeff<?xml version='1.0'?><methodCall><methodName>bom</methodName></methodCall>", "bom", []any{}},
		{"latin-1", "<?xml version='1.0' encoding='ISO-8859-1'?><methodCall><methodName>caf\xe9</methodName><params><param><value>\xe0</value></param></params></methodCall>", "café", []any{"à"}},
		{"comments and PIs", "<!-- a --><?pi x?><methodCall><!-- b --><methodName>m</methodName><params><!-- c --></params></methodCall>\n<!-- d -->\n", "m", []any{}},
		{"text between elements ignored", "<methodCall>x<methodName>m</methodName>y<params>z<param>w<value><int>1</int></value>v</param></params></methodCall>", "m", []any{int64(1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method, params, err := DecodeCall(strings.NewReader(tc.doc), Limits{})
			require.NoError(t, err)
			require.Equal(t, tc.method, method)
			requireSameValue(t, tc.params, params)
		})
	}
}

// decodeErrorCases are requests DecodeCall refuses, with the error text.
var decodeErrorCases = []struct {
	name string
	doc  string
	want string // DecodeError.Error()
}{
	{"empty", "", "ExpatError: no element found: line 1, column 0"},
	{"truncated", "<methodCall>", "ExpatError: no element found: line 1, column 12"},
	{"mismatched", "<methodCall></methodResponse>", "ExpatError: mismatched tag: line 1, column 14"},
	{"junk after root", "<methodCall><methodName>m</methodName></methodCall>junk", "ExpatError: junk after document element: line 1, column 51"},
	{"second root", "<methodCall><methodName>m</methodName></methodCall><x/>", "ExpatError: junk after document element: line 1, column 51"},
	{"undefined entity", "<methodCall><methodName>&foo;</methodName></methodCall>", "ExpatError: undefined entity: line 1, column 29"},
	{"doctype", "<!DOCTYPE x [<!ENTITY a 'b'>]><methodCall><methodName>&a;</methodName></methodCall>", "ExpatError: document type declarations are not allowed: line 1, column 0"},
	{"late xml declaration", " <?xml version='1.0'?><methodCall/>", "ExpatError: XML or text declaration not at start of entity: line 1, column 1"},
	{"text before root", "x<methodCall/>", "ExpatError: syntax error: line 1, column 1"},
	{"char ref out of range", "<methodCall><methodName>&#x110000;</methodName></methodCall>", "ExpatError: reference to invalid character number: line 1, column 34"},
	{"char ref to a control", "<methodCall><methodName>&#0;</methodName></methodCall>", "ExpatError: not well-formed (invalid token): line 1, column 28"},
	{"raw control", "<methodCall><methodName>\x01</methodName></methodCall>", "ExpatError: not well-formed (invalid token): line 1, column 25"},
	{"bad utf-8", "<methodCall><methodName>\xff</methodName></methodCall>", "ExpatError: not well-formed (invalid token): line 1, column 25"},
	{"unknown encoding", "<?xml version='1.0' encoding='KOI8-R'?><methodCall/>", "ExpatError: unknown encoding: line 1, column 39"},
	{"not methodCall", "<methodResponse/>", `ResponseError: ResponseError("unknown tag 'methodResponse', expected 'methodCall'")`},
	{"no methodName", "<methodCall><params/></methodCall>", `ResponseError: ResponseError('methodCall without methodName')`},
	{"two methodNames", "<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>", `ResponseError: ResponseError("unknown tag 'methodName'")`},
	{"unknown tag in call", "<methodCall><foo/></methodCall>", `ResponseError: ResponseError("unknown tag 'foo'")`},
	{"element in methodName", "<methodCall><methodName>a<b/></methodName></methodCall>", `ResponseError: ResponseError("unknown tag 'b'")`},
	{"unknown type", callDoc("<foo>1</foo>"), `ResponseError: ResponseError("unknown tag 'foo'")`},
	{"value in value", callDoc("<value>1</value>"), `ResponseError: ResponseError("unknown tag 'value'")`},
	{"two types in value", callDoc("<int>1</int><int>2</int>"), `ResponseError: ResponseError("unknown tag 'int'")`},
	{"element in scalar", callDoc("<int>1<b/></int>"), `ResponseError: ResponseError("unknown tag 'b'")`},
	{"param without value", "<methodCall><methodName>m</methodName><params><param></param></params></methodCall>", `ResponseError: ResponseError('param without value')`},
	{"param with two values", "<methodCall><methodName>m</methodName><params><param><value/><value/></param></params></methodCall>", `ResponseError: ResponseError("unknown tag 'value'")`},
	{"value outside param", "<methodCall><methodName>m</methodName><params><value/></params></methodCall>", `ResponseError: ResponseError("unknown tag 'value'")`},
	{"member without name", callDoc("<struct><member><value>1</value></member></struct>"), `ResponseError: ResponseError('struct member without name')`},
	{"member without value", callDoc("<struct><member><name>a</name></member></struct>"), `ResponseError: ResponseError('struct member without value')`},
	{"member empty", callDoc("<struct><member></member></struct>"), `ResponseError: ResponseError('struct member without name')`},
	{"member two names", callDoc("<struct><member><name>a</name><name>b</name><value/></member></struct>"), `ResponseError: ResponseError("unknown tag 'name'")`},
	{"value directly in struct", callDoc("<struct><value>1</value></struct>"), `ResponseError: ResponseError("unknown tag 'value'")`},
	{"value directly in array", callDoc("<array><value>1</value></array>"), `ResponseError: ResponseError("unknown tag 'value'")`},
	{"two data", callDoc("<array><data/><data/></array>"), `ResponseError: ResponseError("unknown tag 'data'")`},
	{"bad int", callDoc("<int>abc</int>"), "ValueError: invalid literal for int() with base 10: 'abc'"},
	{"bad boolean", callDoc("<boolean>true</boolean>"), "TypeError: bad boolean value"},
	{"bad double", callDoc("<double>1,5</double>"), "ValueError: could not convert string to float: '1,5'"},
	{"bad bigdecimal", callDoc("<bigdecimal>1.2.3</bigdecimal>"), "InvalidOperation: [<class 'decimal.ConversionSyntax'>]"},
	{"huge bigdecimal exponent", callDoc("<bigdecimal>1e999999</bigdecimal>"), "ValueError: bigdecimal '1e999999' is out of range"},
	{"bigdecimal too long", callDoc("<bigdecimal>" + strings.Repeat("9", 5000) + "</bigdecimal>"), "ValueError: bigdecimal has more than 4300 digits"},
	{"bad base64", callDoc("<base64>aGVsbG8</base64>"), "binascii.Error: Incorrect padding"},
	{"non-ascii base64", callDoc("<base64>aé</base64>"), `UnicodeEncodeError: 'ascii' codec can't encode character '\xe9' in position 1: ordinal not in range(128)`},
	{"bad datetime", callDoc("<dateTime.iso8601>2024-13-01T10:00:00</dateTime.iso8601>"), "ValueError: time data '2024-13-01T10:00:00' does not match format '%Y%m%dT%H:%M:%S'"},
	{"datetime day out of range", callDoc("<dateTime.iso8601>20230229T10:00:00</dateTime.iso8601>"), "ValueError: time data '20230229T10:00:00' does not match format '%Y%m%dT%H:%M:%S'"},
	{"datetime odd separators", callDoc("<dateTime.iso8601>2024-0101T10:00:00</dateTime.iso8601>"), "ValueError: time data '2024-0101T10:00:00' does not match format '%Y%m%dT%H:%M:%S'"},
	{"int beyond int64", callDoc("<i8>99999999999999999999</i8>"), "OverflowError: int exceeds 64-bit limits: '99999999999999999999'"},
}

func TestDecodeCallErrors(t *testing.T) {
	for _, tc := range decodeErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			method, params, err := DecodeCall(strings.NewReader(tc.doc), Limits{})
			var de *DecodeError
			require.ErrorAs(t, err, &de, "method %q params %v", method, params)
			require.Equal(t, tc.want, de.Error())
			require.Nil(t, params)
		})
	}
}

func TestDecodeErrorTracebackLine(t *testing.T) {
	tests := map[string]string{
		"ExpatError":       "xml.parsers.expat.ExpatError: m",
		"ResponseError":    "xmlrpc.client.ResponseError: m",
		"InvalidOperation": "decimal.InvalidOperation: m",
		"binascii.Error":   "binascii.Error: m",
		"ValueError":       "ValueError: m",
	}
	for typ, want := range tests {
		require.Equal(t, want, (&DecodeError{PyType: typ, Msg: "m"}).TracebackLine())
	}
}

// nest returns a value holding n arrays, or n structs, one inside the other.
func nest(n int, structs bool) string {
	open, shut := "<array><data><value>", "</value></data></array>"
	if structs {
		open, shut = "<struct><member><name>k</name><value>", "</value></member></struct>"
	}
	return strings.Repeat(open, n) + "<int>1</int>" + strings.Repeat(shut, n)
}

func TestDecodeCallLimits(t *testing.T) {
	for _, structs := range []bool{false, true} {
		_, _, err := DecodeCall(strings.NewReader(callDoc(nest(DefaultMaxDepth, structs))), Limits{})
		require.NoError(t, err)
		_, _, err = DecodeCall(strings.NewReader(callDoc(nest(DefaultMaxDepth+1, structs))), Limits{})
		require.EqualError(t, err, "ResponseError: ResponseError('values nested deeper than 64')")
		_, _, err = DecodeCall(strings.NewReader(callDoc(nest(3, structs))), Limits{MaxDepth: 2})
		require.EqualError(t, err, "ResponseError: ResponseError('values nested deeper than 2')")
	}
	// A hostile depth stops at the bound, long before the stack suffers.
	_, _, err := DecodeCall(strings.NewReader(callDoc(nest(100_000, false))), Limits{})
	require.EqualError(t, err, "ResponseError: ResponseError('values nested deeper than 64')")

	// Sequential containers do not add up: depth is nesting, not count.
	flat := "<array><data>" + strings.Repeat("<value><array><data/></array></value>", 10) + "</data></array>"
	_, _, err = DecodeCall(strings.NewReader(callDoc(flat)), Limits{MaxDepth: 2})
	require.NoError(t, err)

	// MaxElements counts every <value>: 1 array + 9 ints = 10.
	nine := "<array><data>" + strings.Repeat("<value><int>1</int></value>", 9) + "</data></array>"
	_, params, err := DecodeCall(strings.NewReader(callDoc(nine)), Limits{MaxElements: 10})
	require.NoError(t, err)
	require.Len(t, params[0], 9)
	_, _, err = DecodeCall(strings.NewReader(callDoc(nine)), Limits{MaxElements: 9})
	require.EqualError(t, err, "ResponseError: ResponseError('too many values: more than 9')")

	if testing.Short() {
		return
	}
	// A request over a million values fails at the default bound.
	big := "<array><data>" + strings.Repeat("<value/>", DefaultMaxElements) + "</data></array>"
	_, _, err = DecodeCall(strings.NewReader(callDoc(big)), Limits{})
	require.EqualError(t, err, "ResponseError: ResponseError('too many values: more than 1000000')")
}

type failingReader struct{ data io.Reader }

var errBroken = errors.New("connection reset")

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if err == io.EOF {
		return n, errBroken
	}
	return n, err
}

func TestDecodeCallReaderError(t *testing.T) {
	_, _, err := DecodeCall(failingReader{strings.NewReader("<methodCall><methodName>m</meth")}, Limits{})
	require.ErrorIs(t, err, errBroken)
	var de *DecodeError
	require.False(t, errors.As(err, &de), "an I/O error is not the client's fault")
}

// TestDecodeCallCaptures decodes every request a Python client sent to
// the real Odoo.
func TestDecodeCallCaptures(t *testing.T) {
	for _, name := range captureNames(t) {
		t.Run(name, func(t *testing.T) {
			method, params, err := DecodeCall(bytes.NewReader(readTestdata(t, "captures/"+name+".request.xml")), Limits{})
			require.NoError(t, err)
			require.NotEmpty(t, method)
			for _, p := range params {
				require.NoError(t, EncodeResponse(io.Discard, p), "decoded params encode again")
			}
		})
	}
	method, params, err := DecodeCall(bytes.NewReader(readTestdata(t, "captures/06_xmlrpc_create_card.request.xml")), Limits{})
	require.NoError(t, err)
	require.Equal(t, "execute_kw", method)
	requireSameValue(t, []any{"peer", int64(2), "admin", "loyalty.card", "create", []any{map[string]any{
		"program_id": int64(4), "partner_id": int64(26), "points": 5.5, "code": "PEER-CAPTURE-0001",
	}}}, params)

	_, params, err = DecodeCall(bytes.NewReader(readTestdata(t, "captures/20_xmlrpc_search_read_offset_order.request.xml")), Limits{})
	require.NoError(t, err)
	requireSameValue(t, []any{[]any{"points", ">", int64(0)}}, params[5].([]any)[0])
	requireSameValue(t, map[string]any{"fields": []any{"code", "points"}, "offset": int64(2), "limit": int64(3), "order": "id desc"}, params[6])
}

// TestDecodeCallTruncated feeds every prefix of a real request: each must
// give a *DecodeError, never a panic or a partial result.
func TestDecodeCallTruncated(t *testing.T) {
	body := readTestdata(t, "captures/20_xmlrpc_search_read_offset_order.request.xml")
	end := bytes.LastIndex(body, []byte("</methodCall>")) + len("</methodCall>")
	for n := range end {
		_, params, err := DecodeCall(bytes.NewReader(body[:n]), Limits{})
		var de *DecodeError
		require.ErrorAs(t, err, &de, "prefix of %d bytes", n)
		require.Nil(t, params)
	}
}

// TestDecodeCallStreaming reads through readers that return little at a
// time, the path taken for a network body rather than a bytes.Reader.
func TestDecodeCallStreaming(t *testing.T) {
	latin1 := "\xef\xbb\xbf<?xml version='1.0' encoding='latin-1'?><methodCall><methodName>caf\xe9</methodName>" +
		"<params><param><value>\xe0\xff</value></param></params></methodCall>"
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"plain":    func(r io.Reader) io.Reader { return struct{ io.Reader }{r} },
	} {
		t.Run(name, func(t *testing.T) {
			method, params, err := DecodeCall(wrap(strings.NewReader(latin1)), Limits{})
			require.NoError(t, err)
			require.Equal(t, "café", method)
			require.Equal(t, []any{"àÿ"}, params)

			body := readTestdata(t, "captures/20_xmlrpc_search_read_offset_order.request.xml")
			_, want, err := DecodeCall(bytes.NewReader(body), Limits{})
			require.NoError(t, err)
			_, got, err := DecodeCall(wrap(bytes.NewReader(body)), Limits{})
			require.NoError(t, err)
			requireSameValue(t, want, got)
		})
	}
}
