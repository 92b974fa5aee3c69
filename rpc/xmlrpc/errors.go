package xmlrpc

import (
	"strconv"
	"strings"
)

// DecodeError is returned by DecodeCall for a request Python's
// xmlrpc.client.loads would refuse (malformed XML, bad scalar text) and for
// what this package refuses on top of it (unknown or misplaced tags, a
// DOCTYPE, exceeded Limits). PyType is the short name of the Python
// exception class ("ExpatError", "ResponseError", "ValueError", "TypeError",
// "OverflowError", "InvalidOperation", "UnicodeEncodeError", and
// "binascii.Error" whose bare name would say nothing); Msg is its str().
// Use TracebackLine for the last line of an Odoo fault 1 traceback.
type DecodeError struct {
	PyType string
	Msg    string
}

// Error reads like the last line of a Python traceback: "ValueError: ...".
func (e *DecodeError) Error() string { return e.PyType + ": " + e.Msg }

// TracebackLine is the last line of the traceback Python would print for
// this error, with the module-qualified class name for classes outside
// builtins ("xml.parsers.expat.ExpatError: ...").
func (e *DecodeError) TracebackLine() string { return qualifiedType(e.PyType) + ": " + e.Msg }

// MarshalError is returned by EncodeResponse and EncodeFault for a value
// Odoo's marshaller cannot send. Nothing has been written when it is
// returned. PyType is the Python exception class ("TypeError",
// "OverflowError", "UnicodeDecodeError", "RecursionError"), Msg its text.
type MarshalError struct {
	PyType string
	Msg    string
}

// Error reads like the last line of a Python traceback: "TypeError: ...".
func (e *MarshalError) Error() string { return e.PyType + ": " + e.Msg }

// The marshalling errors of Python's xmlrpc.client, with its exact texts.
// EncodeResponse returns these very pointers, so errors.Is works.
var (
	// ErrNone is returned for a nil value (Python's None) anywhere in v.
	ErrNone = &MarshalError{PyType: "TypeError", Msg: "cannot marshal None unless allow_none is enabled"}
	// ErrOverflow is returned for an integer outside [-2^31, 2^31-1].
	ErrOverflow = &MarshalError{PyType: "OverflowError", Msg: "int exceeds XML-RPC limits"}
	// ErrKeyNotString is returned for a map whose keys are not strings.
	ErrKeyNotString = &MarshalError{PyType: "TypeError", Msg: "dictionary key must be string"}
	// ErrTooDeep is returned for a value nested deeper than Python's
	// recursion limit would allow (or a self-referencing one).
	ErrTooDeep = &MarshalError{PyType: "RecursionError", Msg: "maximum recursion depth exceeded"}
)

// qualifiedType maps a short Python class name to the name a traceback
// prints for it.
func qualifiedType(short string) string {
	switch short {
	case "ExpatError":
		return "xml.parsers.expat.ExpatError"
	case "ResponseError":
		return "xmlrpc.client.ResponseError"
	case "InvalidOperation":
		return "decimal.InvalidOperation"
	}
	return short
}

// expatError reads like expat's messages; col is 0-based as in expat.
func expatError(msg string, line, col int) *DecodeError {
	return &DecodeError{PyType: "ExpatError", Msg: msg + ": line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col)}
}

// responseError is xmlrpc.client.ResponseError, whose str() is its repr:
// ResponseError("unknown tag 'foo'").
func responseError(msg string) *DecodeError {
	return &DecodeError{PyType: "ResponseError", Msg: "ResponseError(" + pyRepr(msg) + ")"}
}

// pyRepr renders s like Python's repr(str), which Python puts in the
// messages of int(), float() and strptime(); it is cut to 200 characters
// the way int() cuts its own.
func pyRepr(s string) string {
	const maxRunes = 200
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	n := 0
	for _, r := range s {
		if n == maxRunes {
			break
		}
		n++
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
		case r < 0x100 && !strconv.IsPrint(r):
			b.WriteString(`\x`)
			b.WriteString(hex2(uint32(r), 2))
		case r < 0x10000 && !strconv.IsPrint(r):
			b.WriteString(`\u`)
			b.WriteString(hex2(uint32(r), 4))
		case !strconv.IsPrint(r):
			b.WriteString(`\U`)
			b.WriteString(hex2(uint32(r), 8))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// hex2 writes r as n lowercase hex digits.
func hex2(r uint32, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = digits[r&0xf]
		r >>= 4
	}
	return string(b)
}
