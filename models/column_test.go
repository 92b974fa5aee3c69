package models_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
)

var (
	fBool     = &models.Field{Name: "active", Type: models.Boolean, Column: "active"}
	fInt      = &models.Field{Name: "sequence", Type: models.Integer, Column: "sequence"}
	fFloat    = &models.Field{Name: "ratio", Type: models.Float, Column: "ratio"}
	fFloat2   = &models.Field{Name: "ratio", Type: models.Float, Column: "ratio", Digits: [2]int{16, 2}}
	fDecimal  = &models.Field{Name: "points", Type: models.Float, Decimal: true, Column: "points"}
	fMoney    = &models.Field{Name: "amount", Type: models.Monetary, Decimal: true, Column: "amount"}
	fM2O      = &models.Field{Name: "program_id", Type: models.Many2one, Column: "program_id", Relation: "loyalty.program"}
	fChar     = &models.Field{Name: "code", Type: models.Char, Column: "code"}
	fChar3    = &models.Field{Name: "key", Type: models.Char, Column: "key", Size: 3}
	fText     = &models.Field{Name: "note", Type: models.Text, Column: "note"}
	fSel      = &models.Field{Name: "state", Type: models.Selection, Column: "state", Selection: [][2]string{{"draft", "Draft"}, {"done", "Done"}}}
	fDate     = &models.Field{Name: "date_to", Type: models.Date, Column: "date_to"}
	fDatetime = &models.Field{Name: "write_date", Type: models.Datetime, Column: "write_date"}
	fBinary   = &models.Field{Name: "image", Type: models.Binary, Column: "image"}
	fO2M      = &models.Field{Name: "rule_ids", Type: models.One2many, Relation: "loyalty.rule", RelationField: "program_id"}
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestToColumn(t *testing.T) {
	t.Parallel()
	dt := time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)
	cases := []struct {
		name     string
		f        *models.Field
		in       any
		pg, lite any // wanted values; lite = pg when nil and pg is not nil
	}{
		{"bool true", fBool, true, true, int64(1)},
		{"bool false", fBool, false, false, int64(0)},
		{"bool nil is false", fBool, nil, false, int64(0)},
		{"bool truthy int", fBool, int64(3), true, int64(1)},
		{"bool empty string", fBool, "", false, int64(0)},

		{"int", fInt, int64(5), int64(5), nil},
		{"int from int", fInt, 5, int64(5), nil},
		{"int truncates float", fInt, -3.9, int64(-3), nil},
		{"int from string", fInt, " -42 ", int64(-42), nil},
		{"int underscores", fInt, "1_000", int64(1000), nil},
		{"int json number", fInt, json.Number("12"), int64(12), nil},
		{"int true", fInt, true, int64(1), nil},
		{"int empty string", fInt, "", int64(0), nil},
		{"int false is NULL", fInt, false, nil, nil},
		{"int nil is NULL", fInt, nil, nil, nil},

		{"float", fFloat, 1.5, 1.5, nil},
		{"float from string", fFloat, "2.5e1", 25.0, nil},
		{"float from int", fFloat, int64(2), 2.0, nil},
		{"float digits round", fFloat2, 1.005, 1.01, nil},
		{"float false", fFloat, false, nil, nil},

		{"decimal", fDecimal, 12.34, "12.34", int64(1234)},
		{"decimal float noise", fDecimal, 0.1 + 0.2, "0.30", int64(30)},
		{"decimal string", fDecimal, "0.1", "0.10", int64(10)},
		{"decimal exponent", fDecimal, "1e2", "100.00", int64(10000)},
		{"decimal half up", fDecimal, 2.675, "2.68", int64(268)},
		{"decimal negative half", fDecimal, -0.005, "-0.01", int64(-1)},
		{"decimal big", fDecimal, "12345678901234.56", "12345678901234.56", int64(1234567890123456)},
		{"decimal int", fDecimal, int64(-7), "-7.00", int64(-700)},
		{"decimal json", fMoney, json.Number("19.99"), "19.99", int64(1999)},
		{"decimal value", fMoney, decimal.RequireFromString("0.015"), "0.02", int64(2)},
		{"decimal false", fDecimal, false, nil, nil},

		{"m2o", fM2O, int64(7), int64(7), nil},
		{"m2o json float", fM2O, 7.0, int64(7), nil},
		{"m2o zero", fM2O, int64(0), nil, nil},
		{"m2o string is NULL like Odoo", fM2O, "7", nil, nil},
		{"m2o pair is NULL like Odoo", fM2O, []any{int64(7), "x"}, nil, nil},
		{"m2o false", fM2O, false, nil, nil},

		{"char", fChar, "abc", "abc", nil},
		{"char from int", fChar, int64(5), "5", nil},
		{"char from float", fChar, 1.0, "1.0", nil},
		{"char from bool", fChar, true, "True", nil},
		{"char size truncates runes", fChar3, "héllo", "hél", nil},
		{"char false", fChar, false, nil, nil},
		{"text", fText, "line\nline", "line\nline", nil},

		{"selection", fSel, "done", "done", nil},
		{"selection empty", fSel, "", nil, nil},
		{"selection false", fSel, false, nil, nil},

		{"date", fDate, "2024-02-29", day(2024, 2, 29), "2024-02-29"},
		{"date keeps ten chars", fDate, "2024-02-29 10:11:12", day(2024, 2, 29), "2024-02-29"},
		{"date one-digit parts", fDate, "2024-1-5", day(2024, 1, 5), "2024-01-05"},
		{"date from time", fDate, time.Date(2024, 3, 1, 1, 0, 0, 0, time.FixedZone("X", 3*3600)), day(2024, 2, 29), "2024-02-29"},
		{"date empty", fDate, "", nil, nil},
		{"date false", fDate, false, nil, nil},

		{"datetime", fDatetime, "2024-02-29 23:59:59", dt, "2024-02-29 23:59:59"},
		{"datetime minutes", fDatetime, "2024-02-29 23:59", dt.Add(-59 * time.Second), "2024-02-29 23:59:00"},
		{"datetime date only", fDatetime, "2024-02-29", day(2024, 2, 29), "2024-02-29 00:00:00"},
		{"datetime zoned time", fDatetime, time.Date(2024, 3, 1, 6, 59, 59, 5e8, time.FixedZone("WIB", 7*3600)), dt, "2024-02-29 23:59:59"},
		{"datetime false", fDatetime, false, nil, nil},

		{"binary", fBinary, "aGk=", "aGk=", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lite := c.lite
			if lite == nil {
				lite = c.pg
			}
			got, err := models.ToColumn(models.DialectPG, c.f, c.in)
			require.NoError(t, err)
			require.Equal(t, c.pg, got, "pg")
			got, err = models.ToColumn(models.DialectSQLite, c.f, c.in)
			require.NoError(t, err)
			require.Equal(t, lite, got, "sqlite")
		})
	}
}

func TestToColumnErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		f    *models.Field
		in   any
		kind models.Kind
		msg  string
	}{
		{fInt, "abc", models.KindValue, "invalid literal for int() with base 10: 'abc'"},
		{fInt, "3.5", models.KindValue, "invalid literal for int() with base 10: '3.5'"},
		{fInt, "it's", models.KindValue, `invalid literal for int() with base 10: "it's"`},
		{fInt, []any{int64(1)}, models.KindType, "int() argument must be a string, a bytes-like object or a real number, not 'list'"},
		{fInt, int64(1) << 31, models.KindValue, "integer out of range"},
		{fInt, math.NaN(), models.KindValue, "cannot convert float NaN to integer"},
		{fFloat, "abc", models.KindValue, "could not convert string to float: 'abc'"},
		{fFloat, map[string]any{"a": 1}, models.KindType, "float() argument must be a string or a real number, not 'dict'"},
		{fDecimal, "abc", models.KindValue, "could not convert string to float: 'abc'"},
		{fDecimal, math.Inf(1), models.KindValue, "cannot convert float inf to decimal"},
		{fDecimal, "1e16", models.KindValue, "numeric field overflow"},
		{fDecimal, []any{}, models.KindType, "float() argument must be a string or a real number, not 'list'"},
		{fChar, "a\x00b", models.KindValue, "A string literal cannot contain NUL (0x00) characters."},
		{fSel, "do\x00ne", models.KindValue, "A string literal cannot contain NUL (0x00) characters."},
		{fSel, "cancel", models.KindValue, "Wrong value for state: 'cancel'"},
		{fSel, int64(3), models.KindValue, "Wrong value for state: 3"},
		{fDate, "2024-13-01", models.KindValue, "time data '2024-13-01' does not match format '%Y-%m-%d'"},
		{fDate, "2023-02-29", models.KindValue, "day is out of range for month"},
		{fDate, "2024-01-32", models.KindValue, "unconverted data remains: 2"},
		{fDate, "24-01-01", models.KindValue, "time data '24-01-01' does not match format '%Y-%m-%d'"},
		{fDate, "0000-01-01", models.KindValue, "year 0 is out of range"},
		{fDate, int64(5), models.KindType, "'int' object is not subscriptable"},
		{fDate, []any{"2024-01-01"}, models.KindType, "strptime() argument 1 must be str, not list"},
		{fDatetime, "2024-02-29T10:00:00", models.KindValue, "time data '2024-02-29T10:00:00' does not match format '%Y-%m-%d %H:%M:%S'"},
		{fDatetime, "2024-02-29 25:00:00", models.KindValue, "time data '2024-02-29 25:00:00' does not match format '%Y-%m-%d %H:%M:%S'"},
		{fDatetime, "2024-02-29 10:00:00.123456", models.KindValue, "unconverted data remains: .123456"},
		{fDatetime, "2024-02-29 10:00:60", models.KindValue, "second must be in 0..59"},
		{fDatetime, "x", models.KindValue, "stray % in format '%Y-%m-%d %H:%M:%'"},
		{fDatetime, "tomorrow", models.KindValue, "time data 'tomorrow' does not match format '%Y-%m-'"},
		{fDatetime, 1.5, models.KindType, "object of type 'float' has no len()"},
		{fBinary, int64(5), models.KindType, "a bytes-like object is required, not 'int'"},
		{fO2M, []any{}, models.KindInternal, "Internal error"},
	}
	for _, c := range cases {
		for _, dialect := range []string{models.DialectPG, models.DialectSQLite} {
			_, err := models.ToColumn(dialect, c.f, c.in)
			require.Error(t, err, "%s %v", c.f.Name, c.in)
			require.Equal(t, c.kind, models.KindOf(err), "%s %v: %v", c.f.Name, c.in, err)
			var e *models.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, c.msg, e.Message, "%s %v", c.f.Name, c.in)
		}
	}
	_, err := models.ToColumn("mysql", fInt, 1)
	require.Equal(t, models.KindInternal, models.KindOf(err))
}

func TestFromColumn(t *testing.T) {
	t.Parallel()
	dt := time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)
	dec := decimal.RequireFromString
	cases := []struct {
		name    string
		dialect string
		f       *models.Field
		raw     any
		want    any
	}{
		{"pg bool", models.DialectPG, fBool, true, true},
		{"sqlite bool", models.DialectSQLite, fBool, int64(1), true},
		{"sqlite bool false", models.DialectSQLite, fBool, int64(0), false},
		{"NULL bool is false", models.DialectPG, fBool, nil, false},

		{"int", models.DialectSQLite, fInt, int64(5), int64(5)},
		{"pg SUM(bigint) is numeric text", models.DialectPG, fInt, "123", int64(123)},
		{"pg numeric integral", models.DialectPG, fInt, "123.00", int64(123)},
		{"int from float", models.DialectSQLite, fInt, 2.0, int64(2)},
		{"m2o", models.DialectPG, fM2O, int64(9), int64(9)},
		{"NULL m2o", models.DialectPG, fM2O, nil, nil},

		{"pg numeric", models.DialectPG, fDecimal, "12.34", dec("12.34")},
		{"pg numeric bytes", models.DialectPG, fDecimal, []byte("-0.50"), dec("-0.5")},
		{"sqlite hundredths", models.DialectSQLite, fDecimal, int64(1234), dec("12.34")},
		{"sqlite negative", models.DialectSQLite, fDecimal, int64(-5), dec("-0.05")},
		{"sqlite AVG is real", models.DialectSQLite, fMoney, 1234.5, dec("12.345")},
		{"NULL decimal", models.DialectSQLite, fDecimal, nil, nil},

		{"float", models.DialectSQLite, fFloat, 1.5, 1.5},
		{"pg float from numeric", models.DialectPG, fFloat, "1.25", 1.25},
		{"float from int", models.DialectSQLite, fFloat, int64(2), 2.0},

		{"pg date", models.DialectPG, fDate, day(2024, 2, 29), day(2024, 2, 29)},
		{"sqlite date", models.DialectSQLite, fDate, "2024-02-29", day(2024, 2, 29)},
		{"sqlite date bytes", models.DialectSQLite, fDate, []byte("2024-02-29"), day(2024, 2, 29)},
		{"pg timestamp", models.DialectPG, fDatetime, dt, dt},
		{"pg timestamp zoned", models.DialectPG, fDatetime, dt.In(time.FixedZone("X", 3600)), dt},
		{"sqlite datetime", models.DialectSQLite, fDatetime, "2024-02-29 23:59:59", dt},
		{"sqlite iso datetime", models.DialectSQLite, fDatetime, "2024-02-29T23:59:59Z", dt},
		{"sqlite bun datetime", models.DialectSQLite, fDatetime, "2024-02-29 23:59:59+00:00", dt},

		{"char", models.DialectPG, fChar, "x", "x"},
		{"char bytes", models.DialectSQLite, fChar, []byte("x"), "x"},
		{"selection", models.DialectSQLite, fSel, "done", "done"},
		{"binary", models.DialectSQLite, fBinary, []byte("aGk="), "aGk="},
		{"NULL char", models.DialectSQLite, fChar, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := models.FromColumn(c.dialect, c.f, c.raw)
			require.NoError(t, err)
			if d, ok := c.want.(decimal.Decimal); ok {
				require.IsType(t, decimal.Decimal{}, got)
				require.True(t, d.Equal(got.(decimal.Decimal)), "got %v", got)
				return
			}
			require.Equal(t, c.want, got)
		})
	}

	for _, bad := range []struct {
		f   *models.Field
		raw any
	}{
		{fInt, "abc"}, {fInt, 1.5}, {fDecimal, "x"}, {fDate, "soon"}, {fDatetime, int64(5)}, {fBool, "maybe"},
	} {
		_, err := models.FromColumn(models.DialectSQLite, bad.f, bad.raw)
		require.Equal(t, models.KindInternal, models.KindOf(err), "%s %v", bad.f.Name, bad.raw)
	}
}

// FuzzToColumnDatetime checks that any string the datetime parser accepts
// is stored in the one SQLite layout and reads back as the same instant.
func FuzzToColumnDatetime(f *testing.F) {
	for _, s := range []string{"2024-02-29 23:59:59", "2024-1-5", "2024-02-29 1:2", "x", "", "2024-13-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := models.ToColumn(models.DialectSQLite, fDatetime, s)
		if err != nil {
			require.NotEqual(t, models.KindInternal, models.KindOf(err), "%q: %v", s, err)
			return
		}
		if v == nil {
			return
		}
		stored := v.(string)
		_, perr := time.Parse(models.DatetimeLayout, stored)
		require.NoError(t, perr)
		back, err := models.FromColumn(models.DialectSQLite, fDatetime, stored)
		require.NoError(t, err)
		require.Equal(t, stored, back.(time.Time).Format(models.DatetimeLayout))
	})
}
