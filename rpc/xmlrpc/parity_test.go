package xmlrpc

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// pythonParityCases decode one <value>. Except where a comment says
// otherwise, want and err are what CPython 3.11's xmlrpc.client.loads
// returned for the same document (Binary as []byte, str(exception) after
// the class name), so this table pins DecodeCall to Python's behaviour tag
// by tag.
var pythonParityCases = []struct {
	in   string
	want any
	err  string
}{
	{in: "<int>0</int>", want: int64(0)},
	{in: "<int>1</int>", want: int64(1)},
	{in: "<int>-1</int>", want: int64(-1)},
	{in: "<int>+5</int>", want: int64(5)},
	{in: "<int> 5 </int>", want: int64(5)},
	{in: "<int>\n7\n</int>", want: int64(7)},
	{in: "<int>1_000</int>", want: int64(1000)},
	{in: "<int>1__0</int>", err: "ValueError: invalid literal for int() with base 10: '1__0'"},
	{in: "<int>_1</int>", err: "ValueError: invalid literal for int() with base 10: '_1'"},
	{in: "<int>1_</int>", err: "ValueError: invalid literal for int() with base 10: '1_'"},
	{in: "<int>+_1</int>", err: "ValueError: invalid literal for int() with base 10: '+_1'"},
	{in: "<int></int>", err: "ValueError: invalid literal for int() with base 10: ''"},
	{in: "<int>abc</int>", err: "ValueError: invalid literal for int() with base 10: 'abc'"},
	{in: "<int>2147483647</int>", want: int64(2147483647)},
	{in: "<int>2147483648</int>", want: int64(2147483648)},
	{in: "<int>-2147483648</int>", want: int64(-2147483648)},
	{in: "<int>9223372036854775807</int>", want: int64(9223372036854775807)},
	// Python keeps ints of any size; int64 is our bound.
	{in: "<int>9223372036854775808</int>", err: "OverflowError: int exceeds 64-bit limits: '9223372036854775808'"},
	{in: "<int>-9223372036854775808</int>", want: int64(math.MinInt64)},
	{in: "<int>-9223372036854775809</int>", err: "OverflowError: int exceeds 64-bit limits: '-9223372036854775809'"},
	{in: "<int>007</int>", want: int64(7)},
	{in: "<int>0x10</int>", err: "ValueError: invalid literal for int() with base 10: '0x10'"},
	{in: "<int>1e5</int>", err: "ValueError: invalid literal for int() with base 10: '1e5'"},
	{in: "<int>1.0</int>", err: "ValueError: invalid literal for int() with base 10: '1.0'"},
	{in: "<int>- 1</int>", err: "ValueError: invalid literal for int() with base 10: '- 1'"},
	{in: "<int>٣</int>", want: int64(3)},
	{in: "<int>&#160;12&#160;</int>", want: int64(12)},
	{in: "<i4>0</i4>", want: int64(0)},
	{in: "<i4>1</i4>", want: int64(1)},
	{in: "<i4>-1</i4>", want: int64(-1)},
	{in: "<i8>0</i8>", want: int64(0)},
	{in: "<i8>1</i8>", want: int64(1)},
	{in: "<i8>-1</i8>", want: int64(-1)},
	{in: "<i1>0</i1>", want: int64(0)},
	{in: "<i1>1</i1>", want: int64(1)},
	{in: "<i1>-1</i1>", want: int64(-1)},
	{in: "<i2>0</i2>", want: int64(0)},
	{in: "<i2>1</i2>", want: int64(1)},
	{in: "<i2>-1</i2>", want: int64(-1)},
	{in: "<biginteger>0</biginteger>", want: int64(0)},
	{in: "<biginteger>1</biginteger>", want: int64(1)},
	{in: "<biginteger>-1</biginteger>", want: int64(-1)},
	{in: "<double>0</double>", want: float64(0.0)},
	{in: "<double>1</double>", want: float64(1.0)},
	{in: "<double>1.5</double>", want: float64(1.5)},
	{in: "<double>-0.0</double>", want: math.Copysign(0, -1)},
	{in: "<double> 2.5 </double>", want: float64(2.5)},
	{in: "<double>1e5</double>", want: float64(100000.0)},
	{in: "<double>1E5</double>", want: float64(100000.0)},
	{in: "<double>1e-5</double>", want: float64(1e-05)},
	{in: "<double>.5</double>", want: float64(0.5)},
	{in: "<double>5.</double>", want: float64(5.0)},
	{in: "<double>1_000.5</double>", want: float64(1000.5)},
	{in: "<double>1__0.5</double>", err: "ValueError: could not convert string to float: '1__0.5'"},
	{in: "<double>1_.5</double>", err: "ValueError: could not convert string to float: '1_.5'"},
	{in: "<double>inf</double>", want: math.Inf(1)},
	{in: "<double>-inf</double>", want: math.Inf(-1)},
	{in: "<double>Infinity</double>", want: math.Inf(1)},
	{in: "<double>-INFINITY</double>", want: math.Inf(-1)},
	{in: "<double>nan</double>", want: math.NaN()},
	{in: "<double>-nan</double>", want: math.NaN()},
	{in: "<double>NaN</double>", want: math.NaN()},
	{in: "<double>1e400</double>", want: math.Inf(1)},
	{in: "<double>-1e400</double>", want: math.Inf(-1)},
	{in: "<double>1e-400</double>", want: float64(0.0)},
	{in: "<double>abc</double>", err: "ValueError: could not convert string to float: 'abc'"},
	{in: "<double></double>", err: "ValueError: could not convert string to float: ''"},
	{in: "<double>0x1p3</double>", err: "ValueError: could not convert string to float: '0x1p3'"},
	{in: "<double>1.5e</double>", err: "ValueError: could not convert string to float: '1.5e'"},
	{in: "<double>e5</double>", err: "ValueError: could not convert string to float: 'e5'"},
	{in: "<double>.</double>", err: "ValueError: could not convert string to float: '.'"},
	{in: "<double>+.5e+3</double>", want: float64(500.0)},
	{in: "<double>1.0e+_3</double>", err: "ValueError: could not convert string to float: '1.0e+_3'"},
	{in: "<double>813.8000000000001</double>", want: float64(813.8000000000001)},
	{in: "<double>1_0e1_0</double>", want: float64(100000000000.0)},
	{in: "<float>0</float>", want: float64(0.0)},
	{in: "<float>1</float>", want: float64(1.0)},
	{in: "<float>1.5</float>", want: float64(1.5)},
	{in: "<boolean>0</boolean>", want: false},
	{in: "<boolean>1</boolean>", want: true},
	{in: "<boolean> 1</boolean>", err: "TypeError: bad boolean value"},
	{in: "<boolean>1 </boolean>", err: "TypeError: bad boolean value"},
	{in: "<boolean>true</boolean>", err: "TypeError: bad boolean value"},
	{in: "<boolean>false</boolean>", err: "TypeError: bad boolean value"},
	{in: "<boolean>2</boolean>", err: "TypeError: bad boolean value"},
	{in: "<boolean></boolean>", err: "TypeError: bad boolean value"},
	{in: "<boolean>01</boolean>", err: "TypeError: bad boolean value"},
	{in: "<bigdecimal>1.5</bigdecimal>", want: dec("1.5")},
	{in: "<bigdecimal>-0.5</bigdecimal>", want: dec("-0.5")},
	{in: "<bigdecimal> 1.50 </bigdecimal>", want: dec("1.50")},
	{in: "<bigdecimal>1_000.25</bigdecimal>", want: dec("1000.25")},
	{in: "<bigdecimal>1e3</bigdecimal>", want: dec("1E+3")},
	{in: "<bigdecimal>1E-3</bigdecimal>", want: dec("0.001")},
	{in: "<bigdecimal>.5</bigdecimal>", want: dec("0.5")},
	{in: "<bigdecimal>5.</bigdecimal>", want: dec("5")},
	{in: "<bigdecimal>abc</bigdecimal>", err: "InvalidOperation: [<class 'decimal.ConversionSyntax'>]"},
	{in: "<bigdecimal></bigdecimal>", err: "InvalidOperation: [<class 'decimal.ConversionSyntax'>]"},
	// Python keeps non-finite Decimals; shopspring cannot hold them.
	{in: "<bigdecimal>NaN</bigdecimal>", err: "ValueError: bigdecimal 'NaN' is not a finite number"},
	{in: "<bigdecimal>Infinity</bigdecimal>", err: "ValueError: bigdecimal 'Infinity' is not a finite number"},
	{in: "<bigdecimal>-inf</bigdecimal>", err: "ValueError: bigdecimal '-inf' is not a finite number"},
	{in: "<bigdecimal>sNaN</bigdecimal>", err: "ValueError: bigdecimal 'sNaN' is not a finite number"},
	{in: "<bigdecimal>NaN12</bigdecimal>", err: "ValueError: bigdecimal 'NaN12' is not a finite number"},
	{in: "<bigdecimal>12345678901234567890.123456789</bigdecimal>", want: dec("12345678901234567890.123456789")},
	{in: "<base64></base64>", want: []byte("")},
	{in: "<base64>aGVsbG8=</base64>", want: []byte("hello")},
	{in: "<base64>aGVsbG8</base64>", err: "binascii.Error: Incorrect padding"},
	{in: "<base64>aGVsbA==</base64>", want: []byte("hell")},
	{in: "<base64>aGVsbA</base64>", err: "binascii.Error: Incorrect padding"},
	{in: "<base64>aGVsbA=</base64>", err: "binascii.Error: Incorrect padding"},
	{in: "<base64>aG Vs\nbG8=</base64>", want: []byte("hello")},
	{in: "<base64>aGVs*bG8=</base64>", want: []byte("hello")},
	{in: "<base64>YQ==YQ==</base64>", want: []byte("a")},
	{in: "<base64>Y</base64>", err: "binascii.Error: Invalid base64-encoded string: number of data characters (1) cannot be 1 more than a multiple of 4"},
	{in: "<base64>YQ===</base64>", want: []byte("a")},
	{in: "<base64>=YQ==</base64>", want: []byte("a")},
	{in: "<base64>YWJj</base64>", want: []byte("abc")},
	{in: "<base64>YW=Jj</base64>", want: []byte("abc")},
	{in: "<base64>éaGVs</base64>", err: "UnicodeEncodeError: 'ascii' codec can't encode character '\\xe9' in position 0: ordinal not in range(128)"},
	{in: "<string></string>", want: ""},
	{in: "", want: ""},
	{in: "<string>a</string>", want: "a"},
	{in: "a", want: "a"},
	{in: "<string>  </string>", want: "  "},
	{in: "  ", want: "  "},
	{in: "<string>a&amp;b</string>", want: "a&b"},
	{in: "a&amp;b", want: "a&b"},
	{in: "<string>&lt;x&gt;</string>", want: "<x>"},
	{in: "&lt;x&gt;", want: "<x>"},
	{in: "<string>&#233;t&#xe9;</string>", want: "été"},
	{in: "&#233;t&#xe9;", want: "été"},
	{in: "<string><![CDATA[<a>]]></string>", want: "<a>"},
	{in: "<![CDATA[<a>]]>", want: "<a>"},
	{in: "<string>x<!-- c -->y</string>", want: "xy"},
	{in: "x<!-- c -->y", want: "xy"},
	{in: "<string>\r\nz</string>", want: "\nz"},
	{in: "\r\nz", want: "\nz"},
	{in: "<string>é€😀</string>", want: "é€😀"},
	{in: "é€😀", want: "é€😀"},
	{in: "<nil/>", want: nil},
	{in: "<nil></nil>", want: nil},
	{in: "<array><data></data></array>", want: []any{}},
	{in: "<array><data/></array>", want: []any{}},
	{in: "<struct></struct>", want: map[string]any{}},
	{in: "<struct/>", want: map[string]any{}},
	{in: "<array><data><value><int>1</int></value><value>x</value><value><array><data><value><boolean>1</boolean></value></data></array></value></data></array>", want: []any{int64(1), "x", []any{true}}},
	{in: "<struct><member><name>a</name><value><int>1</int></value></member><member><name>b</name><value>s</value></member></struct>", want: map[string]any{"a": int64(1), "b": "s"}},
	{in: "<struct><member><name>a</name><value><int>1</int></value></member><member><name>a</name><value><int>2</int></value></member></struct>", want: map[string]any{"a": int64(2)}},
	{in: "<struct><member><name></name><value><int>1</int></value></member></struct>", want: map[string]any{"": int64(1)}},
	{in: "\n  <int>5</int>\n  ", want: int64(5)},
	{in: " x <int>5</int> y ", want: int64(5)},
	{in: "<foo>1</foo>", err: "ResponseError: ResponseError(\"unknown tag 'foo'\")"},
	{in: "<ex:i8 xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">5</ex:i8>", want: int64(5)},
	{in: "<ex:nil xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\"/>", want: nil},
}

func TestDecodeCallPythonParity(t *testing.T) {
	for _, tc := range pythonParityCases {
		t.Run(tc.in, func(t *testing.T) {
			method, params, err := DecodeCall(bytes.NewReader([]byte(callDoc(tc.in))), Limits{})
			if tc.err != "" {
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				require.Equal(t, tc.err, de.Error())
				return
			}
			require.NoError(t, err)
			require.Equal(t, "m", method)
			require.Len(t, params, 1)
			requireSameValue(t, tc.want, params[0])
		})
	}
}
