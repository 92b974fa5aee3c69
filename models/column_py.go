package models

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// This file mimics the few Python built-ins whose error texts Odoo clients
// see when a value cannot be converted: int(), float(), repr(),
// datetime.strptime(). Only the cases ToColumn needs are covered.

// pyTypeName is the Python type name of a wire value.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case float32, float64:
		return "float"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "int"
	case []any, []int64, []string:
		return "list"
	case map[string]any, *Dict:
		return "dict"
	case time.Time:
		return "datetime"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// and underscores between digits are allowed.
func pyInt(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t != "" && !strings.HasPrefix(t, "_") && !strings.HasSuffix(t, "_") && !strings.Contains(t, "__") {
		if n, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, ValueErrorf("invalid literal for int() with base 10: %s", reprStr(s))
}

// pyFloat parses s like Python's float(str).
func pyFloat(s string) (float64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch strings.TrimLeft(t, "+-") {
	case "inf", "infinity", "nan":
		f, _ := strconv.ParseFloat(t, 64)
		return f, nil
	}
	if t != "" && !strings.HasPrefix(t, "0x") && !strings.Contains(t, "__") {
		if f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64); err == nil {
			return f, nil
		}
	}
	return 0, ValueErrorf("could not convert string to float: %s", reprStr(s))
}

// The strptime directives Odoo's date and datetime formats use, as
// Python's _strptime.TimeRE defines them.
var strptimeDirectives = map[byte]string{
	'Y': `(?P<Y>\d\d\d\d)`,
	'm': `(?P<m>1[0-2]|0[1-9]|[1-9])`,
	'd': `(?P<d>3[01]|[12]\d|0[1-9]|[1-9]| [1-9])`,
	'H': `(?P<H>2[0-3]|[0-1]\d|\d)`,
	'M': `(?P<M>[0-5]\d|\d)`,
	'S': `(?P<S>6[0-1]|[0-5]\d|\d)`,
}

var strptimeCache sync.Map // format -> *regexp.Regexp

// strptimeRE compiles a format the way Python's _strptime does: literal
// text escaped, runs of whitespace as \s+, directives as above.
func strptimeRE(format string) (*regexp.Regexp, error) {
	if re, ok := strptimeCache.Load(format); ok {
		return re.(*regexp.Regexp), nil
	}
	var b strings.Builder
	b.WriteString(`(?i)^`)
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case c == '%':
			if i+1 >= len(format) {
				return nil, ValueErrorf("stray %% in format %s", reprStr(format))
			}
			i++
			d, ok := strptimeDirectives[format[i]]
			if !ok {
				return nil, ValueErrorf("%s is a bad directive in format %s",
					reprStr(string(format[i])), reprStr(format))
			}
			b.WriteString(d)
		case c == ' ' || c == '\t' || c == '\n':
			for i+1 < len(format) && (format[i+1] == ' ' || format[i+1] == '\t' || format[i+1] == '\n') {
				i++
			}
			b.WriteString(`\s+`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re := regexp.MustCompile(b.String())
	strptimeCache.Store(format, re)
	return re, nil
}

// strptime parses value with a Python strptime format made of the
// directives above, returning Python's error texts: "time data '...' does
// not match format '...'", "unconverted data remains: ...", "day is out
// of range for month".
func strptime(value, format string) (time.Time, error) {
	re, err := strptimeRE(format)
	if err != nil {
		return time.Time{}, err
	}
	loc := re.FindStringSubmatchIndex(value)
	if loc == nil {
		return time.Time{}, ValueErrorf("time data %s does not match format %s", reprStr(value), reprStr(format))
	}
	if loc[1] != len(value) {
		return time.Time{}, ValueErrorf("unconverted data remains: %s", value[loc[1]:])
	}
	parts := map[string]int{"Y": 1900, "m": 1, "d": 1}
	for i, name := range re.SubexpNames() {
		if name == "" || loc[2*i] < 0 {
			continue
		}
		n, _ := strconv.Atoi(strings.TrimSpace(value[loc[2*i]:loc[2*i+1]]))
		parts[name] = n
	}
	y, mo, d := parts["Y"], parts["m"], parts["d"]
	h, mi, s := parts["H"], parts["M"], parts["S"]
	switch {
	case y < 1:
		return time.Time{}, ValueErrorf("year %d is out of range", y)
	case d > daysIn(y, mo):
		return time.Time{}, ValueErrorf("day is out of range for month")
	case s > 59:
		return time.Time{}, ValueErrorf("second must be in 0..59")
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// The formats Odoo's fields.Date and fields.Datetime parse strings with.
const (
	odooDateFormat     = "%Y-%m-%d"
	odooDatetimeFormat = "%Y-%m-%d %H:%M:%S"
)

// odooToDate parses a string as fields.Date.to_date does: the first ten
// characters with '%Y-%m-%d'.
func odooToDate(s string) (time.Time, error) {
	if utf8.RuneCountInString(s) > 10 {
		s = string([]rune(s)[:10])
	}
	return strptime(s, odooDateFormat)
}

// odooToDatetime parses a string as fields.Datetime.to_datetime does: with
// the format '%Y-%m-%d %H:%M:%S' cut to the length of the value minus two
// (Python slice rules), so '2024-01-02', '2024-01-02 10:30' and
// '2024-01-02 10:30:15' are all accepted.
func odooToDatetime(s string) (time.Time, error) {
	n := utf8.RuneCountInString(s) - 2
	if n < 0 {
		n += len(odooDatetimeFormat)
	}
	n = max(0, min(n, len(odooDatetimeFormat)))
	return strptime(s, odooDatetimeFormat[:n])
}
