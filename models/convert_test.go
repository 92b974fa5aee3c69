package models

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestWireValue(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	names := func(id int64) any { return map[int64]any{7: "Seven"}[id] }
	cases := []struct {
		name    string
		f       *Field
		v       any
		classic bool
		want    any
	}{
		{"integer empty is 0", &Field{Type: Integer}, nil, true, int64(0)},
		{"integer", &Field{Type: Integer}, int64(42), true, int64(42)},
		{"integer beyond int32 is a double", &Field{Type: Integer}, int64(3000000000), true, float64(3000000000)},
		{"float empty", &Field{Type: Float}, nil, true, 0.0},
		{"float digits", &Field{Type: Float, Digits: [2]int{16, 2}}, 1.005, true, 1.01},
		{"decimal", &Field{Type: Float, Decimal: true}, decimal.RequireFromString("12.25"), true, decimal.RequireFromString("12.25")},
		{"decimal empty", &Field{Type: Monetary, Decimal: true}, nil, true, decimal.Decimal{}},
		{"boolean empty", &Field{Type: Boolean}, nil, true, false},
		{"char empty", &Field{Type: Char}, nil, true, false},
		{"char blank stays blank", &Field{Type: Char}, "", true, ""},
		{"selection", &Field{Type: Selection}, "loyalty", true, "loyalty"},
		{"date", &Field{Type: Date}, at, true, "2024-01-02"},
		{"datetime", &Field{Type: Datetime}, at, true, "2024-01-02 03:04:05"},
		{"date empty", &Field{Type: Date}, nil, true, false},
		{"many2one classic", &Field{Type: Many2one}, int64(7), true, []any{int64(7), "Seven"}},
		{"many2one unnamed", &Field{Type: Many2one}, int64(8), true, []any{int64(8), nil}},
		{"many2one id", &Field{Type: Many2one}, int64(7), false, int64(7)},
		{"many2one empty", &Field{Type: Many2one}, nil, true, false},
		{"x2many empty is a list", &Field{Type: One2many}, nil, true, []int64{}},
		{"x2many", &Field{Type: Many2many}, []int64{3, 1}, true, []int64{3, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, wireValue(tc.f, tc.v, tc.classic, names))
		})
	}
	require.Equal(t, []any{[]any{int64(6), int64(0), []any{int64(1)}}}, writeValue(&Field{Type: Many2many}, []int64{1}))
	require.Equal(t, 12.25, writeValue(&Field{Type: Float, Decimal: true}, decimal.RequireFromString("12.25")))
	require.Equal(t, false, writeValue(&Field{Type: Many2one}, nil))
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	require.Equal(t, "$\u00a01,234.50", formatAmount(decimal.RequireFromString("1234.5"), "$", "before", 2))
	require.Equal(t, "12.25\u00a0€", formatAmount(decimal.RequireFromString("12.25"), "€", "after", 2))
	require.Equal(t, "$\u00a0-\ufeff1,000,000.00", formatAmount(decimal.RequireFromString("-1000000"), "$", "before", 2))
	require.Regexp(t, `^044[0-9a-f]-[0-9a-f]{4}-[0-9a-f]{4}$`, newCardCode(nil))
}
