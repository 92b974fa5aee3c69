package xmlrpc

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// callDoc wraps one <value> body in a methodCall of method "m", laid out
// as Python's dumps lays it out.
func callDoc(value string) string {
	return "<?xml version='1.0'?>\n<methodCall>\n<methodName>m</methodName>\n<params>\n<param>\n<value>" +
		value + "</value>\n</param>\n</params>\n</methodCall>\n"
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// requireSameValue compares decoded values, treating decimals by value,
// NaN as equal to NaN and times by instant.
func requireSameValue(t *testing.T, want, got any) {
	t.Helper()
	require.Equal(t, canon(want), canon(got))
}

// canon renders a decoded value unambiguously, types included.
func canon(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case float64:
		if math.IsNaN(x) {
			return "float64(nan)"
		}
		return "float64(" + strconv.FormatFloat(x, 'g', -1, 64) + ")"
	case decimal.Decimal:
		return "decimal(" + x.String() + ")"
	case time.Time:
		return "time(" + x.Format(time.RFC3339Nano) + ")"
	case []byte:
		return fmt.Sprintf("bytes(%q)", x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = canon(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + ": " + canon(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *models.Dict:
		parts := make([]string, 0, x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			parts = append(parts, strconv.Quote(k)+": "+canon(e))
		}
		return "dict{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("%T(%#v)", v, v)
}

// readTestdata returns a file under testdata/.
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// captureNames lists the captures copied from a real Odoo 17 (without
// their .request.xml/.response.xml suffix).
func captureNames(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "captures", "*.response.xml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(filepath.Base(f), ".response.xml")
	}
	return names
}

// parsedResponse is a methodResponse read by parseResponseOrdered.
type parsedResponse struct {
	value       any // the param, or nil for a fault
	fault       bool
	faultCode   any
	faultString string
}

// parseResponseOrdered is an independent, test-only reader of
// methodResponse documents built on xml.Decoder.Token. Unlike DecodeCall
// it keeps struct member order (as *models.Dict), so what it reads can be
// encoded again and compared byte for byte with the original.
func parseResponseOrdered(t testing.TB, body []byte) parsedResponse {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	var res parsedResponse
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "fault":
			res.fault = true
		case "value":
			v := orderedValue(t, d)
			if !res.fault {
				res.value = v
				continue
			}
			f := v.(*models.Dict)
			res.faultCode, _ = f.Get("faultCode")
			s, _ := f.Get("faultString")
			res.faultString = s.(string)
		}
	}
	return res
}

// orderedValue reads the inside of a <value> whose start was consumed.
func orderedValue(t testing.TB, d *xml.Decoder) any {
	var text strings.Builder
	var v any
	typed := false
	for {
		tok, err := d.Token()
		require.NoError(t, err)
		switch tt := tok.(type) {
		case xml.CharData:
			text.Write(tt)
		case xml.EndElement:
			if !typed {
				return text.String()
			}
			return v
		case xml.StartElement:
			typed = true
			v = orderedTyped(t, d, tt.Name.Local)
		}
	}
}

func orderedTyped(t testing.TB, d *xml.Decoder, kind string) any {
	switch kind {
	case "array":
		out := []any{}
		for {
			tok, err := d.Token()
			require.NoError(t, err)
			switch tt := tok.(type) {
			case xml.StartElement:
				if tt.Name.Local == "value" {
					out = append(out, orderedValue(t, d))
				}
			case xml.EndElement:
				if tt.Name.Local == "array" {
					return out
				}
			}
		}
	case "struct":
		out := models.NewDict(0)
		var name string
		for {
			tok, err := d.Token()
			require.NoError(t, err)
			switch tt := tok.(type) {
			case xml.StartElement:
				switch tt.Name.Local {
				case "name":
					var s string
					require.NoError(t, d.DecodeElement(&s, &tt))
					name = s
				case "value":
					out.Set(name, orderedValue(t, d))
				}
			case xml.EndElement:
				if tt.Name.Local == "struct" {
					return out
				}
			}
		}
	}
	var s string
	require.NoError(t, d.DecodeElement(&s, &xml.StartElement{Name: xml.Name{Local: kind}}))
	switch kind {
	case "int", "i4":
		n, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
		return n
	case "double":
		f, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		return f
	case "boolean":
		return s == "1"
	case "string":
		return s
	}
	t.Fatalf("unexpected type %q", kind)
	return nil
}
