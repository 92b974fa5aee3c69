package models

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// FromColumn converts a value a driver returned for field f's column (or
// for an aggregate over it) on dialect into the normalised Go value:
// decimal.Decimal for Decimal fields, float64 for other floats, int64 for
// integers and many2one ids, bool, string, time.Time (UTC) for dates and
// datetimes, nil for NULL. A NULL boolean reads as false, as in Odoo.
//
// It accepts every shape the two drivers produce: pgx returns NUMERIC and
// SUM(BIGINT) as strings and DATE/TIMESTAMP as time.Time; modernc SQLite
// returns int64, float64 (for AVG and the like), string or []byte. A value
// it cannot read is an internal error: the database holds something no
// conversion wrote.
func FromColumn(dialect string, f *Field, raw any) (any, error) {
	if dialect != DialectPG && dialect != DialectSQLite {
		return nil, Internal(fmt.Errorf("from column %s: unknown dialect %q", f.Name, dialect))
	}
	if b, ok := raw.([]byte); ok && f.Type != Binary {
		raw = string(b)
	}
	if raw == nil {
		if f.Type == Boolean {
			return false, nil
		}
		return nil, nil
	}
	v, ok := fromColumn(dialect, f, raw)
	if !ok {
		return nil, Internal(fmt.Errorf("from column %s (%s, %s): cannot read %T %v", f.Name, f.Type, dialect, raw, raw))
	}
	return v, nil
}

func fromColumn(dialect string, f *Field, raw any) (any, bool) {
	switch f.Type {
	case Boolean:
		return readBool(raw)
	case Integer, Many2one:
		return readInt(raw)
	case Float, Monetary:
		if f.Decimal {
			d, ok := readDecimal(raw)
			if ok && dialect == DialectSQLite {
				d = d.Shift(-2)
			}
			return d, ok
		}
		return readFloat(raw)
	case Date:
		t, ok := readTime(raw)
		if !ok {
			return nil, false
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
	case Datetime:
		return readTime(raw)
	case Binary:
		switch x := raw.(type) {
		case []byte:
			return string(x), true
		case string:
			return x, true
		}
		return nil, false
	default: // char, text, html, selection
		switch x := raw.(type) {
		case string:
			return x, true
		case int64, float64:
			return x, true
		}
		return nil, false
	}
}

func readBool(raw any) (any, bool) {
	switch x := raw.(type) {
	case bool:
		return x, true
	case int64:
		return x != 0, true
	case float64:
		return x != 0, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return nil, false
}

func readInt(raw any) (any, bool) {
	switch x := raw.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	case float64:
		if x != math.Trunc(x) || math.Abs(x) >= 1<<63 {
			return nil, false
		}
		return int64(x), true
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n, true
		}
		// PostgreSQL's SUM over BIGINT is NUMERIC.
		d, err := decimal.NewFromString(x)
		if err != nil || !d.IsInteger() {
			return nil, false
		}
		return d.IntPart(), true
	}
	return nil, false
}

func readFloat(raw any) (any, bool) {
	switch x := raw.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		v, err := strconv.ParseFloat(x, 64)
		return v, err == nil
	case decimal.Decimal:
		return x.InexactFloat64(), true
	}
	return nil, false
}

// readDecimal reads the stored number as is: a NUMERIC on PostgreSQL, a
// count of hundredths on SQLite (the caller shifts).
func readDecimal(raw any) (decimal.Decimal, bool) {
	switch x := raw.(type) {
	case decimal.Decimal:
		return x, true
	case int64:
		return decimal.NewFromInt(x), true
	case int32:
		return decimal.NewFromInt(int64(x)), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return decimal.Decimal{}, false
		}
		return decimal.NewFromFloat(x), true
	case string:
		d, err := decimal.NewFromString(strings.TrimSpace(x))
		return d, err == nil
	}
	return decimal.Decimal{}, false
}

// storedTimeLayouts are the text forms a datetime may have in SQLite: ours
// first, then SQLite's own functions' and RFC 3339.
var storedTimeLayouts = []string{
	DatetimeLayout,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	DateLayout,
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
}

func readTime(raw any) (time.Time, bool) {
	switch x := raw.(type) {
	case time.Time:
		return x.UTC(), true
	case string:
		s := strings.TrimSpace(x)
		// The shapes the SQLite schema stores first: no failed parses
		// (each allocates an error) on the hot read path.
		switch len(s) {
		case len(DateLayout):
			if t, err := time.Parse(DateLayout, s); err == nil {
				return t.UTC(), true
			}
		case len(DatetimeLayout):
			if t, err := time.Parse(DatetimeLayout, s); err == nil {
				return t.UTC(), true
			}
		}
		for _, layout := range storedTimeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// DecimalOf reads a stored decimal column (points, money) as a driver
// returned it: NUMERIC on PostgreSQL (a string, or []byte), integer
// hundredths on SQLite. A NULL or a value no conversion wrote reads as 0.
func DecimalOf(lite bool, raw any) decimal.Decimal {
	if b, ok := raw.([]byte); ok {
		raw = string(b)
	}
	d, ok := readDecimal(raw)
	if !ok {
		return decimal.Zero
	}
	if _, hundredths := raw.(int64); hundredths && lite {
		return d.Shift(-2)
	}
	if _, f := raw.(float64); f {
		return d.Round(2)
	}
	return d
}
