package engine

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Column representations (see models/column.go): decimals are
// NUMERIC(18,2) on PostgreSQL and INTEGER hundredths on SQLite; datetimes
// are UTC TIMESTAMP on PostgreSQL and 'YYYY-MM-DD HH:MM:SS' TEXT on SQLite.
// The engine binds and scans them itself, with these helpers, and never
// goes through float64.

// isLite reports whether db is SQLite.
func isLite(db bun.IDB) bool { return db.Dialect().Name() == dialect.SQLite }

// The engine's statements run with real bind parameters (models.DB.Query,
// Exec): their texts are constant, so PostgreSQL plans each once per
// connection and SQLite reuses its prepared statements. The arguments are
// in the column representation of the dialect (decArg, timeArg); where
// PostgreSQL cannot infer a parameter's type from its context (CASE
// results, select lists) the text casts it (castDec, castTime).

// query runs q with args on tx and calls scan for every row.
func (s *Service) query(ctx context.Context, tx bun.IDB, q string, args []any, scan func(*sql.Rows) error) error {
	return s.db.Query(ctx, tx, q, args, scan)
}

// queryRow runs q with args on tx and scans its first row into dest
// (sql.ErrNoRows: none).
func (s *Service) queryRow(ctx context.Context, tx bun.IDB, q string, args []any, dest ...any) error {
	return s.db.QueryRow(ctx, tx, q, args, dest...)
}

// exec runs the statement q with args on tx.
func (s *Service) exec(ctx context.Context, tx bun.IDB, q string, args ...any) (sql.Result, error) {
	return s.db.Exec(ctx, tx, q, args...)
}

// castDec is the placeholder of a decimal argument where its type must be
// given.
func castDec(lite bool) string {
	if lite {
		return "?"
	}
	return "CAST(? AS NUMERIC)"
}

// castTime is the placeholder of a datetime argument where its type must
// be given.
func castTime(lite bool) string {
	if lite {
		return "?"
	}
	return "CAST(? AS TIMESTAMP)"
}

// decArg is the SQL argument for a decimal column: an integer of
// hundredths on SQLite, its text on PostgreSQL.
func decArg(lite bool, d decimal.Decimal) any {
	d = d.Round(2)
	if lite {
		return d.Shift(2).IntPart()
	}
	return d.StringFixed(2)
}

// timeArg is the SQL argument for a datetime column (UTC, seconds): its
// text on both dialects.
func timeArg(_ bool, t time.Time) any {
	return t.UTC().Truncate(time.Second).Format(models.DatetimeLayout)
}

// nullTimeArg is timeArg or NULL.
func nullTimeArg(lite bool, t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeArg(lite, *t)
}

// idArg is an id argument, 0 as NULL.
func idArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// idsArg is a list of ids as one argument, for idsIn: a JSON array on
// SQLite, an array literal on PostgreSQL.
func idsArg(lite bool, ids []int64) any {
	var b strings.Builder
	open, closing := byte('{'), byte('}')
	if lite {
		open, closing = '[', ']'
	}
	b.WriteByte(open)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(closing)
	return b.String()
}

// idsIn is the condition "col is one of the ids of the argument idsArg".
func idsIn(lite bool, col string) string {
	if lite {
		return col + " IN (SELECT value FROM json_each(?))"
	}
	return col + " = ANY(CAST(? AS BIGINT[]))"
}

// decCol scans a decimal column.
type decCol struct {
	lite bool
	d    *decimal.Decimal
}

func (c decCol) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*c.d = decimal.Zero
	case int64:
		if c.lite {
			*c.d = decimal.New(x, -2)
		} else {
			*c.d = decimal.NewFromInt(x)
		}
	case []byte:
		return c.Scan(string(x))
	case string:
		d, err := decimal.NewFromString(x)
		if err != nil {
			return fmt.Errorf("engine: decimal column %q: %w", x, err)
		}
		if c.lite {
			d = d.Shift(-2)
		}
		*c.d = d
	default:
		return fmt.Errorf("engine: decimal column of type %T", v)
	}
	return nil
}

// timeCol scans a nullable datetime column; valid reports non-NULL.
type timeCol struct {
	t     *time.Time
	valid *bool
}

func (c timeCol) Scan(v any) error {
	set := func(t time.Time) {
		*c.t = t.UTC()
		if c.valid != nil {
			*c.valid = true
		}
	}
	switch x := v.(type) {
	case nil:
		*c.t = time.Time{}
		if c.valid != nil {
			*c.valid = false
		}
	case time.Time:
		// PostgreSQL TIMESTAMP comes back as that wall time in UTC.
		set(time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond(), time.UTC))
	case []byte:
		return c.Scan(string(x))
	case string:
		for _, layout := range []string{models.DatetimeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00",
			"2006-01-02T15:04:05"} {
			if t, err := time.ParseInLocation(layout, x, time.UTC); err == nil {
				set(t)
				return nil
			}
		}
		return fmt.Errorf("engine: datetime column %q", x)
	default:
		return fmt.Errorf("engine: datetime column of type %T", v)
	}
	return nil
}

// nullID scans a nullable id column as 0 for NULL.
type nullID struct{ id *int64 }

func (c nullID) Scan(v any) error {
	var n sql.NullInt64
	if err := n.Scan(v); err != nil {
		return err
	}
	*c.id = n.Int64
	return nil
}

// fefoOrder is the consumption order of lots, first expiring first,
// lifetime lots last, ties by gain date then id (portable NULLS LAST).
const fefoOrder = "CASE WHEN expiration_date IS NULL THEN 1 ELSE 0 END, expiration_date, gain_date, id"
