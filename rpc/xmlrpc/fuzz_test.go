package xmlrpc

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// FuzzDecodeCall checks that DecodeCall never panics, that it fails only
// with a *DecodeError, and that what it decodes survives a round trip:
// encoded as a response, turned back into a call and decoded again, the
// params come back in their wire form (see wireForm).
//
//	go test -run='^$' -fuzz=FuzzDecodeCall -fuzztime=60s ./rpc/xmlrpc/
func FuzzDecodeCall(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add([]byte(callDoc(tc.xml)))
	}
	for _, tc := range pythonParityCases {
		f.Add([]byte(callDoc(tc.in)))
	}
	for _, tc := range decodeErrorCases {
		f.Add([]byte(tc.doc))
	}
	for _, name := range captureNames(f) {
		f.Add(readTestdata(f, "captures/"+name+".request.xml"))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		method, params, err := DecodeCall(bytes.NewReader(doc), Limits{})
		if err != nil {
			var de *DecodeError
			require.True(t, errors.As(err, &de), "not a DecodeError: %v", err)
			require.Empty(t, method)
			require.Nil(t, params)
			return
		}
		require.NotNil(t, params)

		var buf bytes.Buffer
		if err := EncodeResponse(&buf, params); err != nil {
			var me *MarshalError
			require.True(t, errors.As(err, &me), "not a MarshalError: %v", err)
			require.Zero(t, buf.Len())
			return
		}
		want, ok := wireForm(params)
		if !ok {
			return
		}
		// The params went out as one array: one level and one value more.
		_, again, err := DecodeCall(bytes.NewReader(responseToCall(t, buf.Bytes())),
			Limits{MaxDepth: DefaultMaxDepth + 1, MaxElements: DefaultMaxElements + 1})
		require.NoError(t, err, "%s", buf.Bytes())
		require.Len(t, again, 1)
		requireSameValue(t, want, again[0])
	})
}

// responseToCall turns a methodResponse into a methodCall of method "m".
func responseToCall(t *testing.T, resp []byte) []byte {
	t.Helper()
	s := string(resp)
	require.True(t, strings.HasPrefix(s, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n"))
	require.True(t, strings.HasSuffix(s, "</params>\n</methodResponse>\n"))
	s = strings.Replace(s, "<methodResponse>", "<methodCall>\n<methodName>m</methodName>", 1)
	s = strings.TrimSuffix(s, "</methodResponse>\n") + "</methodCall>\n"
	return []byte(s)
}

// wireForm is what a decoded value reads as after going out in a response
// and being parsed again: bytes and times become strings, decimals
// floats, control characters are removed and CR becomes LF (an XML parser
// normalises line ends). ok is false when two struct keys would merge.
func wireForm(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		return wireString(x), true
	case []byte:
		return wireString(string(x)), true
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05"), true
	case decimal.Decimal:
		f, _ := x.Float64()
		return f, true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			w, ok := wireForm(e)
			if !ok {
				return nil, false
			}
			out[i] = w
		}
		return out, true
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			w, ok := wireForm(e)
			if !ok {
				return nil, false
			}
			out[lineEnds(k)] = w
		}
		return out, len(out) == len(x)
	}
	return v, true
}

func wireString(s string) string {
	return lineEnds(strings.Map(func(r rune) rune {
		if r < ' ' && r != '\t' && r != '\n' && r != '\r' {
			return -1
		}
		return r
	}, s))
}

func lineEnds(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
