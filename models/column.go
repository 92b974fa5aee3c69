package models

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Column values are converted here and nowhere else. The representations:
//
//	field                 PostgreSQL               SQLite
//	Decimal float/money   NUMERIC(18,2) ("12.34")  INTEGER hundredths (1234)
//	other float           DOUBLE PRECISION         REAL
//	integer, many2one     BIGINT / INTEGER         INTEGER
//	boolean               BOOLEAN                  INTEGER 0/1
//	date                  DATE (time.Time)         TEXT 'YYYY-MM-DD'
//	datetime (UTC)        TIMESTAMP (time.Time)    TEXT 'YYYY-MM-DD HH:MM:SS'
//	char, text, selection VARCHAR / TEXT           TEXT
//
// ToColumn gives the driver argument for a wire value; FromColumn turns
// what a driver returned into the normalised Go value: decimal.Decimal,
// float64, int64, bool, string, time.Time (UTC) or nil for NULL.

// Layouts of dates and datetimes as SQLite stores them (and as Odoo puts
// them on the wire).
const (
	DateLayout     = "2006-01-02"
	DatetimeLayout = "2006-01-02 15:04:05"
)

// decimalLimit is the first magnitude NUMERIC(18,2) cannot hold.
var decimalLimit = decimal.New(1, 16)

// ToColumn converts a wire or Go value for field f into the argument to
// bind for f's column on dialect ("pg" or "sqlite"), as Odoo's
// convert_to_column would: false and nil are NULL for every type but
// boolean; strings are parsed with Python's rules. A value the client got
// wrong is a *Error of kind KindValue or KindType carrying Python's message.
func ToColumn(dialect string, f *Field, v any) (any, error) {
	if dialect != DialectPG && dialect != DialectSQLite {
		return nil, Internal(fmt.Errorf("to column %s: unknown dialect %q", f.Name, dialect))
	}
	if n, ok := v.(json.Number); ok {
		v = jsonNumber(n)
	}
	if f.Type == Boolean {
		return boolColumn(dialect, pyTruth(v)), nil
	}
	if v == nil || v == false {
		return nil, nil
	}
	switch f.Type {
	case Integer:
		n, err := toInt(v)
		if err != nil {
			return nil, err
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, ValueErrorf("integer out of range")
		}
		return n, nil
	case Float, Monetary:
		if f.Decimal {
			return decimalColumn(dialect, f, v)
		}
		x, err := toFloat(v)
		if err != nil {
			return nil, err
		}
		if f.Digits[1] > 0 {
			x = decimal.NewFromFloat(x).Round(int32(f.Digits[1])).InexactFloat64()
		}
		return x, nil
	case Many2one:
		return many2oneColumn(v), nil
	case Char, Text, HTML:
		s := pyStr(v)
		if strings.IndexByte(s, 0) >= 0 {
			return nil, errNUL
		}
		if f.Type == Char && f.Size > 0 && utf8.RuneCountInString(s) > f.Size {
			s = string([]rune(s)[:f.Size])
		}
		return s, nil
	case Selection:
		return selectionColumn(f, v)
	case Date:
		t, err := toDate(v)
		if err != nil || t.IsZero() {
			return nil, err
		}
		if dialect == DialectSQLite {
			return t.Format(DateLayout), nil
		}
		return t, nil
	case Datetime:
		t, err := toDatetime(v)
		if err != nil || t.IsZero() {
			return nil, err
		}
		if dialect == DialectSQLite {
			return t.Format(DatetimeLayout), nil
		}
		return t, nil
	case Binary:
		switch b := v.(type) {
		case string, []byte:
			return b, nil
		}
		return nil, TypeErrorf("a bytes-like object is required, not '%s'", pyTypeName(v))
	default:
		return nil, Internal(fmt.Errorf("to column %s: %s field has no column", f.Name, f.Type))
	}
}

func boolColumn(dialect string, b bool) any {
	if dialect == DialectPG {
		return b
	}
	if b {
		return int64(1)
	}
	return int64(0)
}

func decimalColumn(dialect string, f *Field, v any) (any, error) {
	d, err := toDecimal(v)
	if err != nil {
		return nil, err
	}
	places := int32(2)
	if f.Digits[1] > 0 && f.Digits[1] < 2 {
		places = int32(f.Digits[1])
	}
	d = d.Round(places) // half away from zero, as Odoo's HALF-UP float_round
	if d.Abs().GreaterThanOrEqual(decimalLimit) {
		return nil, ValueErrorf("numeric field overflow")
	}
	if dialect == DialectSQLite {
		return d.Shift(2).IntPart(), nil
	}
	return d.StringFixed(2), nil
}

// many2oneColumn keeps an id as Odoo's Many2one.convert_to_cache does: an
// int (or an integral JSON number); 0 and any other value become NULL.
func many2oneColumn(v any) any {
	var id int64
	switch x := v.(type) {
	case int:
		id = int64(x)
	case int32:
		id = int64(x)
	case int64:
		id = x
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil
		}
		id = int64(x)
	default:
		return nil
	}
	if id == 0 {
		return nil
	}
	return id
}

// errNUL is psycopg2's refusal of a NUL character, which PostgreSQL text
// cannot hold; SQLite could, so it is refused on both for one behaviour.
var errNUL = ValueErrorf("A string literal cannot contain NUL (0x00) characters.")

func selectionColumn(f *Field, v any) (any, error) {
	s, isStr := v.(string)
	if isStr && strings.IndexByte(s, 0) >= 0 {
		return nil, errNUL
	}
	if len(f.Selection) == 0 {
		if !isStr {
			return pyStr(v), nil
		}
		return s, nil
	}
	if isStr {
		for _, kv := range f.Selection {
			if kv[0] == s {
				return s, nil
			}
		}
	}
	if !pyTruth(v) {
		return nil, nil
	}
	return nil, ValueErrorf("Wrong value for %s: %s", f.Name, reprPy(v))
}

// pyTruth is Python's bool(v).
func pyTruth(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case []byte:
		return len(x) > 0
	case int:
		return x != 0
	case int32:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	case float32:
		return x != 0
	case decimal.Decimal:
		return !x.IsZero()
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	case json.Number:
		return pyTruth(jsonNumber(x))
	default:
		return true
	}
}

// pyStr is Python's str(v) for scalars.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case bool, float32, float64, nil:
		return reprPy(x)
	case time.Time:
		return x.UTC().Format(DatetimeLayout)
	default:
		return fmt.Sprint(x)
	}
}

func jsonNumber(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	return f
}

// toInt is Python's int(v) (truncating floats).
func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case float32:
		return floatToInt(float64(x))
	case float64:
		return floatToInt(x)
	case decimal.Decimal:
		return x.IntPart(), nil
	case string:
		if x == "" {
			return 0, nil
		}
		return pyInt(x)
	}
	return 0, TypeErrorf("int() argument must be a string, a bytes-like object or a real number, not '%s'", pyTypeName(v))
}

func floatToInt(f float64) (int64, error) {
	switch {
	case math.IsNaN(f):
		return 0, ValueErrorf("cannot convert float NaN to integer")
	case math.IsInf(f, 0):
		return 0, ValueErrorf("cannot convert float infinity to integer")
	case math.Abs(f) >= 1<<63:
		return 0, ValueErrorf("integer out of range")
	}
	return int64(f), nil
}

// toFloat is Python's float(v).
func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case int:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case decimal.Decimal:
		return x.InexactFloat64(), nil
	case string:
		if x == "" {
			return 0, nil
		}
		return pyFloat(x)
	}
	return 0, TypeErrorf("float() argument must be a string or a real number, not '%s'", pyTypeName(v))
}

// toDecimal converts a wire value to an exact decimal. Floats go through
// their shortest decimal representation, so 0.1+0.2 is 0.30000000000000004
// before rounding, never a binary expansion.
func toDecimal(v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case decimal.Decimal:
		return x, nil
	case int:
		return decimal.NewFromInt(int64(x)), nil
	case int32:
		return decimal.NewFromInt(int64(x)), nil
	case int64:
		return decimal.NewFromInt(x), nil
	case string:
		t := strings.TrimSpace(strings.ReplaceAll(x, "_", ""))
		if d, err := decimal.NewFromString(t); err == nil && !strings.Contains(x, "__") && t != "" {
			return d, nil
		}
	}
	f, err := toFloat(v)
	if err != nil {
		return decimal.Decimal{}, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return decimal.Decimal{}, ValueErrorf("cannot convert float %s to decimal", reprFloat(f))
	}
	return decimal.NewFromFloat(f), nil
}

// toDate is fields.Date.to_date; a zero time means NULL.
func toDate(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		u := x.UTC()
		return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC), nil
	case string:
		if x == "" {
			return time.Time{}, nil
		}
		return odooToDate(x)
	case []any:
		return time.Time{}, TypeErrorf("strptime() argument 1 must be str, not list")
	}
	if !pyTruth(v) {
		return time.Time{}, nil
	}
	return time.Time{}, TypeErrorf("'%s' object is not subscriptable", pyTypeName(v))
}

// toDatetime is fields.Datetime.to_datetime, in UTC to the second; a zero
// time means NULL.
func toDatetime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Truncate(time.Second), nil
	case string:
		if x == "" {
			return time.Time{}, nil
		}
		return odooToDatetime(x)
	case []any:
		return time.Time{}, TypeErrorf("strptime() argument 1 must be str, not list")
	}
	if !pyTruth(v) {
		return time.Time{}, nil
	}
	return time.Time{}, TypeErrorf("object of type '%s' has no len()", pyTypeName(v))
}
