package models

import (
	"fmt"
	"time"
	_ "time/tzdata" // the context's tz must not depend on the host's zoneinfo
)

// Date and datetime groups: buckets computed in SQL (the context's tz
// shifting datetime buckets), then labelled and bounded in Go as Odoo 17's
// _read_group_format_result does with babel in en_US. Weeks start on
// Sunday, en_US's week_start.

// granularities are Odoo 17's READ_GROUP_TIME_GRANULARITY.
var granularities = map[string]bool{"hour": true, "day": true, "week": true, "month": true, "quarter": true, "year": true}

// tzRange bounds the zone transitions written into SQLite buckets; values
// outside it use the offset at the nearest bound.
var tzRange = [2]time.Time{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}

// contextZone is the context's tz when it names a known zone (Odoo checks
// pytz.all_timezones_set), else nil: buckets are then UTC.
func contextZone(env *Env) *time.Location {
	name, _ := env.Context["tz"].(string)
	if name == "" || name == "Local" {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// timeBucket is the SQL of the start of f's bucket: a date for date
// fields, a local wall time for datetimes (a timestamp on PostgreSQL,
// text on SQLite).
func (q *groupQuery) timeBucket(f *Field, col, gran string) string {
	zoned := f.Type == Datetime && q.loc != nil
	if q.o.dialect == DialectPG {
		e := col
		if zoned {
			e = "timezone(" + q.c.arg(q.loc.String()) + ", timezone('UTC', " + col + "))"
		}
		s := "date_trunc('" + gran + "', " + e + "::timestamp)"
		if gran == "week" {
			s = "(date_trunc('week', " + e + "::timestamp + INTERVAL '1 day') - INTERVAL '1 day')"
		}
		if f.Type == Date {
			s = "(" + s + ")::date"
		}
		return s
	}
	// SQLite: each use of the local time writes its own placeholders.
	x := func() string {
		if zoned {
			return q.sqliteLocal(col)
		}
		return col
	}
	switch gran {
	case "hour":
		if f.Type == Date {
			return "date(" + x() + ")"
		}
		return "strftime('%Y-%m-%d %H:00:00', " + x() + ")"
	case "day":
		return "date(" + x() + ")"
	case "week":
		return "date(" + x() + ", '+1 day', 'weekday 0', '-7 days')"
	case "quarter":
		return "date(" + x() + ", 'start of month', '-' || ((CAST(strftime('%m', " + x() + ") AS INTEGER) - 1) % 3) || ' months')"
	case "year":
		return "date(" + x() + ", 'start of year')"
	}
	return "date(" + x() + ", 'start of month')"
}

// zoneSpan is a stretch of UTC time with one offset from UTC.
type zoneSpan struct {
	from   time.Time
	offset int // seconds east of UTC
}

// zoneSpans lists loc's offsets over tzRange, merged when equal.
func zoneSpans(loc *time.Location) []zoneSpan {
	var out []zoneSpan
	for t := tzRange[0]; t.Before(tzRange[1]); {
		lt := t.In(loc)
		_, off := lt.Zone()
		if len(out) == 0 || out[len(out)-1].offset != off {
			out = append(out, zoneSpan{from: t, offset: off})
		}
		_, end := lt.ZoneBounds()
		if end.IsZero() || !end.After(t) {
			break
		}
		t = end.UTC()
	}
	return out
}

// sqliteLocal converts a UTC datetime column to the zone's wall time: a
// constant shift, or a binary tree of CASEs over the zone's transitions.
func (q *groupQuery) sqliteLocal(col string) string {
	spans := zoneSpans(q.loc)
	if len(spans) == 1 {
		if spans[0].offset == 0 {
			return col
		}
		return "datetime(" + col + ", " + q.c.arg(fmt.Sprintf("%+d seconds", spans[0].offset)) + ")"
	}
	var tree func(s []zoneSpan) string
	tree = func(s []zoneSpan) string {
		if len(s) == 1 {
			return q.c.arg(int64(s[0].offset))
		}
		mid := len(s) / 2
		return "CASE WHEN " + col + " < " + q.c.arg(s[mid].from.Format(DatetimeLayout)) + " THEN " + tree(s[:mid]) +
			" ELSE " + tree(s[mid:]) + " END"
	}
	return "datetime(" + col + ", " + tree(spans) + " || ' seconds')"
}

// bucketEnd is the start of the next bucket (wall time arithmetic).
func bucketEnd(start time.Time, gran string) time.Time {
	switch gran {
	case "hour":
		return start.Add(time.Hour)
	case "day":
		return start.AddDate(0, 0, 1)
	case "week":
		return start.AddDate(0, 0, 7)
	case "quarter":
		return start.AddDate(0, 3, 0)
	case "year":
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 1, 0)
}

// wallIn reads the wall time w (held in UTC) as a time in loc.
func wallIn(w time.Time, loc *time.Location) time.Time {
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
}

// timeRange gives the bounds Odoo puts in __range and __domain: dates,
// or UTC datetimes of the local bucket's edges.
func (q *groupQuery) timeRange(f *Field, start time.Time, gran string) (string, string) {
	end := bucketEnd(start, gran)
	if f.Type == Date {
		if gran == "hour" {
			end = start // a date plus one hour is the same date
		}
		return start.Format(DateLayout), end.Format(DateLayout)
	}
	if q.loc != nil {
		start, end = wallIn(start, q.loc).UTC(), wallIn(end, q.loc).UTC()
	}
	return start.Format(DatetimeLayout), end.Format(DatetimeLayout)
}

// groupLabel formats a bucket start as Odoo's READ_GROUP_DISPLAY_FORMAT
// does in en_US.
func groupLabel(v time.Time, gran string) string {
	switch gran {
	case "hour":
		return v.Format("03:00 02 Jan")
	case "day":
		return v.Format("02 Jan 2006")
	case "week":
		y, w := weekNumber(v)
		return fmt.Sprintf("W%d %04d", w, y)
	case "quarter":
		return fmt.Sprintf("Q%d %s", (int(v.Month())-1)/3+1, v.Format("2006"))
	case "year":
		return v.Format("2006")
	}
	return v.Format("January 2006")
}

// weekNumber is Odoo's date_utils.weeknumber for en_US (weeks from Sunday,
// not ISO): week 1 is the week holding January 1st, so the last days of
// December may belong to the next year's week 1.
func weekNumber(v time.Time) (year, week int) {
	day := time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
	sunday := func(t time.Time) time.Time { return t.AddDate(0, 0, -int(t.Weekday())) }
	y := day.Year()
	if !day.Before(sunday(time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC))) {
		return y + 1, 1
	}
	first := sunday(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
	return y, int(day.Sub(first).Hours())/(24*7) + 1
}
