package xmlrpc

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Scalar parsers. Each takes the element's text as Python's Unmarshaller
// gets it (entities resolved, nothing stripped) and follows the Python
// builtin that xmlrpc.client calls on it: int(), float(), Decimal(),
// base64.decodebytes(), or the strict "0"/"1" test for booleans.

// Bounds of a bigdecimal: the exponent, so converting it (Float64,
// String) never builds an enormous power of ten, and the digits, since
// parsing them is quadratic (Python bounds int() to 4300 digits likewise).
const (
	maxDecimalExponent = 20000
	maxDecimalDigits   = 4300
)

// trimPySpace strips what Python's str.strip() strips.
func trimPySpace(b []byte) []byte {
	if len(b) > 0 && b[0] > ' ' && b[0] < utf8.RuneSelf && b[len(b)-1] > ' ' && b[len(b)-1] < utf8.RuneSelf {
		return b
	}
	return bytes.TrimFunc(b, unicode.IsSpace)
}

// numberText is what int(), float() and Decimal() read: Unicode decimal
// digits turned into ASCII ones, Unicode whitespace into spaces, and the
// whole stripped. Other non-ASCII characters become 0xff, which no number
// grammar accepts.
func numberText(b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return trimPySpace(b)
	}
	out := make([]byte, 0, len(b))
	for _, r := range string(b) {
		switch {
		case r < utf8.RuneSelf:
			out = append(out, byte(r))
		case unicode.IsSpace(r):
			out = append(out, ' ')
		case unicode.IsDigit(r):
			out = append(out, '0'+digitValue(r))
		default:
			out = append(out, 0xff)
		}
	}
	return trimPySpace(out)
}

// digitValue is the value of a Unicode decimal digit: Unicode encodes them
// in runs of ten, from 0 to 9.
func digitValue(r rune) byte {
	start := r
	for start > 0 && unicode.IsDigit(start-1) {
		start--
	}
	return byte((r - start) % 10)
}

// parseInt follows int(text): surrounding whitespace, one sign, ASCII
// digits with single underscores between them. Values outside int64, which
// Python would keep, are refused.
func parseInt(text []byte) (int64, error) {
	s := numberText(text)
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		i++
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var n uint64
	digits, overflow := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '_' && digits > 0 && i+1 < len(s) && isDigit(s[i+1]) {
			continue
		}
		if !isDigit(c) {
			return 0, invalidInt(text)
		}
		digits++
		d := uint64(c - '0')
		if !overflow && (n > limit/10 || n*10 > limit-d) {
			overflow = true
		}
		n = n*10 + d
	}
	switch {
	case digits == 0:
		return 0, invalidInt(text)
	case overflow:
		return 0, &DecodeError{PyType: "OverflowError", Msg: "int exceeds 64-bit limits: " + pyRepr(string(s))}
	case neg:
		return int64(-n), nil // -(1<<63) wraps to itself, as wanted
	}
	return int64(n), nil
}

func invalidInt(text []byte) error {
	return &DecodeError{PyType: "ValueError", Msg: "invalid literal for int() with base 10: " + pyRepr(string(text))}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseBool follows xmlrpc.client: exactly "0" or "1", nothing else.
func parseBool(text []byte) (bool, error) {
	switch string(text) {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, &DecodeError{PyType: "TypeError", Msg: "bad boolean value"}
}

// parseFloat follows float(text): whitespace, sign, inf/infinity/nan in
// any case, decimal notation with underscores between digits; out-of-range
// values become ±inf or 0 as in Python.
func parseFloat(text []byte) (float64, error) {
	s := numberText(text)
	if f, ok := pySpecialFloat(s); ok {
		return f, nil
	}
	var tmp [64]byte
	clean, ok := cleanNumber(s, tmp[:0])
	if !ok {
		return 0, &DecodeError{PyType: "ValueError", Msg: "could not convert string to float: " + pyRepr(string(text))}
	}
	f, err := strconv.ParseFloat(string(clean), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, &DecodeError{PyType: "ValueError", Msg: "could not convert string to float: " + pyRepr(string(text))}
	}
	return f, nil
}

// pySpecialFloat recognises [sign](inf|infinity|nan), case-insensitively.
func pySpecialFloat(s []byte) (float64, bool) {
	sign := 1.0
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	switch {
	case bytes.EqualFold(s, []byte("inf")), bytes.EqualFold(s, []byte("infinity")):
		return math.Inf(int(sign)), true
	case bytes.EqualFold(s, []byte("nan")):
		return math.Copysign(math.NaN(), sign), true
	}
	return 0, false
}

// cleanNumber checks s against Python's decimal number grammar
// [sign] (digits ["." [digits]] | "." digits) [("e"|"E") [sign] digits],
// where digits may have single underscores between them, and appends it
// to dst without the underscores.
func cleanNumber(s, dst []byte) ([]byte, bool) {
	i := 0
	digitpart := func() int {
		n := 0
		for i < len(s) {
			c := s[i]
			switch {
			case isDigit(c):
				dst = append(dst, c)
				n++
			case c == '_' && n > 0 && i+1 < len(s) && isDigit(s[i+1]):
			default:
				return n
			}
			i++
		}
		return n
	}
	sign := func() {
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			dst = append(dst, s[i])
			i++
		}
	}
	sign()
	mant := digitpart()
	if i < len(s) && s[i] == '.' {
		dst = append(dst, '.')
		i++
		mant += digitpart()
	}
	if mant == 0 {
		return dst, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		dst = append(dst, 'e')
		i++
		sign()
		if digitpart() == 0 {
			return dst, false
		}
	}
	return dst, i == len(s)
}

// parseDecimal follows decimal.Decimal(text). NaN and infinities, which
// decimal.Decimal of shopspring cannot hold, and absurd exponents are
// refused.
func parseDecimal(text []byte) (decimal.Decimal, error) {
	s := numberText(text)
	var tmp [64]byte
	clean, ok := cleanNumber(s, tmp[:0])
	if !ok {
		if isDecimalSpecial(s) {
			return decimal.Decimal{}, &DecodeError{PyType: "ValueError", Msg: "bigdecimal " + pyRepr(string(s)) + " is not a finite number"}
		}
		return decimal.Decimal{}, &DecodeError{PyType: "InvalidOperation", Msg: "[<class 'decimal.ConversionSyntax'>]"}
	}
	if mantissaDigits(clean) > maxDecimalDigits {
		return decimal.Decimal{}, &DecodeError{PyType: "ValueError", Msg: "bigdecimal has more than " +
			strconv.Itoa(maxDecimalDigits) + " digits"}
	}
	d, err := decimal.NewFromString(string(clean))
	if err != nil || d.Exponent() < -maxDecimalExponent || d.Exponent() > maxDecimalExponent {
		return decimal.Decimal{}, &DecodeError{PyType: "ValueError", Msg: "bigdecimal " + pyRepr(string(s)) + " is out of range"}
	}
	return d, nil
}

// mantissaDigits counts the digits before the exponent of a cleaned number.
func mantissaDigits(clean []byte) int {
	n := 0
	for _, c := range clean {
		if c == 'e' {
			break
		}
		if isDigit(c) {
			n++
		}
	}
	return n
}

// isDecimalSpecial reports whether s is one of Decimal's non-finite
// spellings: [sign] (Inf | Infinity | [s]NaN[digits]), in any case.
func isDecimalSpecial(s []byte) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if bytes.EqualFold(s, []byte("inf")) || bytes.EqualFold(s, []byte("infinity")) {
		return true
	}
	if len(s) > 0 && (s[0] == 's' || s[0] == 'S') {
		s = s[1:]
	}
	if len(s) < 3 || !bytes.EqualFold(s[:3], []byte("nan")) {
		return false
	}
	for _, c := range s[3:] {
		if !isDigit(c) {
			return false
		}
	}
	return true
}
