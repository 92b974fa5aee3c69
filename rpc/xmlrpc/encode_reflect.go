package xmlrpc

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/models"
)

var (
	timeType    = reflect.TypeFor[time.Time]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
	dictType    = reflect.TypeFor[models.Dict]()
)

// reflectValue encodes what the type switch of value does not know:
// named types, pointers, other slices, arrays and maps.
func (e *encoder) reflectValue(v any) error {
	return e.reflected(reflect.ValueOf(v))
}

func (e *encoder) reflected(rv reflect.Value) error {
	switch rv.Kind() {
	case reflect.Invalid:
		return ErrNone
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return ErrNone
		}
		if rv.Kind() == reflect.Pointer && rv.Type().Elem() == dictType {
			return e.dict(rv.Interface().(*models.Dict))
		}
		if err := e.enter(); err != nil {
			return err
		}
		if err := e.reflected(rv.Elem()); err != nil {
			return err
		}
		e.leave()
		return nil
	case reflect.Bool:
		e.boolean(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return e.int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return e.uint(rv.Uint())
	case reflect.Float32, reflect.Float64:
		e.double(rv.Float())
	case reflect.String:
		e.str(rv.String())
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return e.bytes(rv.Bytes())
		}
		return e.list(rv)
	case reflect.Array:
		return e.list(rv)
	case reflect.Map:
		return e.mapping(rv)
	case reflect.Struct:
		switch rv.Type() {
		case timeType, decimalType:
			return e.value(rv.Interface())
		case dictType:
			d := rv.Interface().(models.Dict)
			return e.dict(&d)
		}
		return e.cannot(rv.Type())
	default:
		return e.cannot(rv.Type())
	}
	return nil
}

// cannot is Python's "cannot marshal <class 'X'> objects".
func (e *encoder) cannot(t reflect.Type) error {
	return &MarshalError{PyType: "TypeError", Msg: "cannot marshal <class '" + t.String() + "'> objects"}
}

func (e *encoder) list(rv reflect.Value) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.buf = append(e.buf, "<value><array><data>\n"...)
	for i := range rv.Len() {
		if err := e.reflected(rv.Index(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, "</data></array></value>\n"...)
	e.leave()
	return nil
}

func (e *encoder) mapping(rv reflect.Value) error {
	if rv.Type().Key().Kind() != reflect.String {
		if rv.Len() == 0 {
			e.buf = append(e.buf, "<value><struct>\n</struct></value>\n"...)
			return nil
		}
		return ErrKeyNotString
	}
	if err := e.enter(); err != nil {
		return err
	}
	keys := rv.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	e.buf = append(e.buf, "<value><struct>\n"...)
	for _, k := range keys {
		e.member(k.String())
		if err := e.reflected(rv.MapIndex(k)); err != nil {
			return err
		}
		e.buf = append(e.buf, "</member>\n"...)
	}
	e.buf = append(e.buf, "</struct></value>\n"...)
	e.leave()
	return nil
}

// AppendFloat appends repr(f) as Python writes it: the shortest digits
// that round-trip, in positional notation with at least one decimal
// ("1.0", "0.0001", "1e+16" is the first exponent form) and in exponent
// notation with a signed two-digit-minimum exponent below 1e-4 and from
// 1e16 up; "inf", "-inf" and "nan" for the special values.
func AppendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "nan"...)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	var tmp [32]byte
	sci := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	i := len(sci) - 1
	for sci[i] != 'e' {
		i--
	}
	exp, _ := strconv.Atoi(string(sci[i+1:]))
	if exp < -4 || exp >= 16 {
		return append(b, sci...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	for _, c := range b[start:] {
		if c == '.' {
			return b
		}
	}
	return append(b, ".0"...)
}

// appendEscaped appends s escaped as Python's xmlrpc.client.escape does
// (only &, < and >). With stripControl it first removes the characters
// 0-31 other than tab, LF and CR, as Odoo's dump_unicode does. Bytes that
// are not UTF-8, which a Python str cannot hold, become U+FFFD.
func appendEscaped(b []byte, s string, stripControl bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[last:i]...)
				b = append(b, "\uFFFD"...)
				i++
				last = i
				continue
			}
			i += size
			continue
		}
		var rep string
		switch {
		case c == '&':
			rep = "&amp;"
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c < ' ' && c != '\t' && c != '\n' && c != '\r' && stripControl:
			rep = ""
		default:
			i++
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, rep...)
		i++
		last = i
	}
	return append(b, s[last:]...)
}

// checkUTF8 is bytes.decode("utf-8"): the error Python raises for bytes
// that are not UTF-8.
func checkUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size != 1 {
			i += size
			continue
		}
		reason := "invalid continuation byte"
		c := b[i]
		switch {
		case c < 0xc2 || c > 0xf4:
			reason = "invalid start byte"
		case !utf8.FullRune(b[i:]):
			reason = "unexpected end of data"
		}
		return &MarshalError{PyType: "UnicodeDecodeError", Msg: "'utf-8' codec can't decode byte 0x" +
			hex2(uint32(c), 2) + " in position " + strconv.Itoa(i) + ": " + reason}
	}
	return nil
}
