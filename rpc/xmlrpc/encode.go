package xmlrpc

import (
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// The fixed parts of Python's xmlrpc.client.dumps(..., methodresponse=True).
const (
	responseHead = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"
	responseTail = "</param>\n</params>\n</methodResponse>\n"
	faultHead    = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n" +
		"<value><struct>\n<member>\n<name>faultCode</name>\n"
	faultMiddle = "</member>\n<member>\n<name>faultString</name>\n"
	faultTail   = "</member>\n</struct></value>\n</fault>\n</methodResponse>\n"
)

// maxEncodeDepth is how deep containers may nest in a response; Python's
// recursion limit stops its marshaller at about this depth, and it stops
// self-referencing values.
const maxEncodeDepth = 400

// EncodeResponse writes a complete methodResponse holding v, byte for byte
// as Odoo 17 does (Python's dumps with Odoo's marshaller).
//
// v is encoded as: bool as <boolean>; Go integers as <int> (outside
// [-2^31, 2^31-1]: ErrOverflow); float32/float64 and decimal.Decimal as
// <double> in Python's repr() notation; string as <string>, with &, < and
// > escaped and the control characters 0-31 other than tab, LF and CR
// removed; []byte as the <string> of its UTF-8 text; time.Time as
// <string>YYYY-MM-DD HH:MM:SS</string> in UTC; slices and arrays as
// <array>; *models.Dict as <struct> in its key order; maps with string
// keys as <struct> with sorted keys. Pointers and interfaces are followed.
// nil anywhere gives ErrNone, a map with other keys ErrKeyNotString, any
// other type a *MarshalError TypeError, nesting beyond 400 levels
// ErrTooDeep. Bytes of a string that are not UTF-8 are sent as U+FFFD.
//
// The response is built in memory first: on error nothing has been
// written to w.
func EncodeResponse(w io.Writer, v any) error {
	e := getEncoder()
	defer putEncoder(e)
	e.buf = append(e.buf, responseHead...)
	if err := e.value(v); err != nil {
		return err
	}
	e.buf = append(e.buf, responseTail...)
	_, err := w.Write(e.buf)
	return err
}

// EncodeFault writes a methodResponse holding a <fault>, as Odoo 17 does.
// code is an integer on /xmlrpc/2 and a string on the legacy /xmlrpc
// paths; faultString is cleaned of control characters like any string.
func EncodeFault(w io.Writer, code any, faultString string) error {
	e := getEncoder()
	defer putEncoder(e)
	e.buf = append(e.buf, faultHead...)
	if err := e.value(code); err != nil {
		return err
	}
	e.buf = append(e.buf, faultMiddle...)
	e.str(faultString)
	e.buf = append(e.buf, faultTail...)
	_, err := w.Write(e.buf)
	return err
}

// encoder appends Python's marshalled form of values to buf.
type encoder struct {
	buf   []byte
	depth int
	keys  []string
}

var encoders = sync.Pool{New: func() any { return &encoder{buf: make([]byte, 0, 4096)} }}

func getEncoder() *encoder { return encoders.Get().(*encoder) }

// putEncoder recycles e unless it grew big.
func putEncoder(e *encoder) {
	if cap(e.buf) > 1<<20 || cap(e.keys) > 1<<12 {
		return
	}
	e.buf, e.depth, e.keys = e.buf[:0], 0, e.keys[:0]
	encoders.Put(e)
}

// value appends one <value>...</value>\n; the common types avoid
// reflection.
func (e *encoder) value(v any) error {
	switch x := v.(type) {
	case nil:
		return ErrNone
	case string:
		e.str(x)
	case bool:
		e.boolean(x)
	case int:
		return e.int(int64(x))
	case int64:
		return e.int(x)
	case int32:
		return e.int(int64(x))
	case float64:
		e.double(x)
	case *models.Dict:
		if x == nil {
			return ErrNone
		}
		return e.dict(x)
	case []any:
		return e.anys(x)
	case map[string]any:
		return e.mapAny(x)
	case []*models.Dict:
		return e.dicts(x)
	case []map[string]any:
		return e.maps(x)
	case []int64:
		e.buf = append(e.buf, "<value><array><data>\n"...)
		for _, n := range x {
			if err := e.int(n); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, "</data></array></value>\n"...)
	case []int:
		e.buf = append(e.buf, "<value><array><data>\n"...)
		for _, n := range x {
			if err := e.int(int64(n)); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, "</data></array></value>\n"...)
	case []string:
		e.buf = append(e.buf, "<value><array><data>\n"...)
		for _, s := range x {
			e.str(s)
		}
		e.buf = append(e.buf, "</data></array></value>\n"...)
	case []byte:
		return e.bytes(x)
	case time.Time:
		e.time(x)
	case decimal.Decimal:
		f, _ := x.Float64()
		e.double(f)
	case float32:
		e.double(float64(x))
	default:
		return e.reflectValue(v)
	}
	return nil
}

func (e *encoder) boolean(b bool) {
	if b {
		e.buf = append(e.buf, "<value><boolean>1</boolean></value>\n"...)
	} else {
		e.buf = append(e.buf, "<value><boolean>0</boolean></value>\n"...)
	}
}

func (e *encoder) int(n int64) error {
	if n < -1<<31 || n > 1<<31-1 {
		return ErrOverflow
	}
	e.buf = append(e.buf, "<value><int>"...)
	e.buf = strconv.AppendInt(e.buf, n, 10)
	e.buf = append(e.buf, "</int></value>\n"...)
	return nil
}

func (e *encoder) uint(n uint64) error {
	if n > 1<<31-1 {
		return ErrOverflow
	}
	return e.int(int64(n))
}

func (e *encoder) double(f float64) {
	e.buf = append(e.buf, "<value><double>"...)
	e.buf = AppendFloat(e.buf, f)
	e.buf = append(e.buf, "</double></value>\n"...)
}

// str is Odoo's dump_unicode: control characters removed, then escaped.
func (e *encoder) str(s string) {
	e.buf = append(e.buf, "<value><string>"...)
	e.buf = appendEscaped(e.buf, s, true)
	e.buf = append(e.buf, "</string></value>\n"...)
}

// bytes is Odoo's dump_bytes: the UTF-8 text of b, as a string.
func (e *encoder) bytes(b []byte) error {
	if err := checkUTF8(b); err != nil {
		return err
	}
	e.str(string(b))
	return nil
}

// time is Odoo's dump_datetime: Datetime.to_string, in UTC.
func (e *encoder) time(t time.Time) {
	e.buf = append(e.buf, "<value><string>"...)
	e.buf = t.UTC().AppendFormat(e.buf, "2006-01-02 15:04:05")
	e.buf = append(e.buf, "</string></value>\n"...)
}

// enter and leave bound the nesting of containers.
func (e *encoder) enter() error {
	e.depth++
	if e.depth > maxEncodeDepth {
		return ErrTooDeep
	}
	return nil
}

func (e *encoder) leave() { e.depth-- }

func (e *encoder) anys(x []any) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.buf = append(e.buf, "<value><array><data>\n"...)
	for _, v := range x {
		if err := e.value(v); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, "</data></array></value>\n"...)
	e.leave()
	return nil
}

func (e *encoder) dicts(x []*models.Dict) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.buf = append(e.buf, "<value><array><data>\n"...)
	for _, d := range x {
		if d == nil {
			return ErrNone
		}
		if err := e.dict(d); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, "</data></array></value>\n"...)
	e.leave()
	return nil
}

func (e *encoder) maps(x []map[string]any) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.buf = append(e.buf, "<value><array><data>\n"...)
	for _, m := range x {
		if err := e.mapAny(m); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, "</data></array></value>\n"...)
	e.leave()
	return nil
}

// member appends a struct member's head; Python escapes the key but,
// unlike values, does not remove control characters from it.
func (e *encoder) member(key string) {
	e.buf = append(e.buf, "<member>\n<name>"...)
	e.buf = appendEscaped(e.buf, key, false)
	e.buf = append(e.buf, "</name>\n"...)
}

func (e *encoder) dict(d *models.Dict) error {
	if err := e.enter(); err != nil {
		return err
	}
	e.buf = append(e.buf, "<value><struct>\n"...)
	for _, k := range d.Keys() {
		v, _ := d.Get(k)
		e.member(k)
		if err := e.value(v); err != nil {
			return err
		}
		e.buf = append(e.buf, "</member>\n"...)
	}
	e.buf = append(e.buf, "</struct></value>\n"...)
	e.leave()
	return nil
}

func (e *encoder) mapAny(m map[string]any) error {
	if err := e.enter(); err != nil {
		return err
	}
	mark := len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	keys := e.keys[mark:]
	slices.Sort(keys)
	e.buf = append(e.buf, "<value><struct>\n"...)
	for _, k := range keys {
		e.member(k)
		if err := e.value(m[k]); err != nil {
			return err
		}
		e.buf = append(e.buf, "</member>\n"...)
	}
	e.buf = append(e.buf, "</struct></value>\n"...)
	e.keys = e.keys[:mark]
	e.leave()
	return nil
}
