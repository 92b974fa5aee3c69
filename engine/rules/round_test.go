package rules

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestRound(t *testing.T) {
	tests := []struct {
		name      string
		in        decimal.Decimal
		pos, sale string
	}{
		{"spec Ex 1 exact", d("2.755"), "2.76", "2.75"},
		{"spec Ex 1 from JSON doubles", decimal.NewFromFloat(27.55).Mul(decimal.NewFromFloat(0.1)), "2.76", "2.75"},
		{"double just below a tie", d("2.7549999999999999"), "2.76", "2.75"},
		{"double just below a cent", d("2.7499999999999996"), "2.75", "2.75"},
		{"clearly below a cent", d("2.7499"), "2.75", "2.74"},
		{"above a tie", d("2.759"), "2.76", "2.75"},
		{"negative tie", d("-2.755"), "-2.76", "-2.75"},
		{"negative below a cent", d("-2.7499999999999996"), "-2.75", "-2.75"},
		{"1.005", d("1.005"), "1.01", "1.00"},
		{"zero", decimal.Zero, "0", "0"},
		{"whole", d("80"), "80", "80"},
		{"tiny", d("0.004"), "0", "0"},
		{"tiny tie", d("0.005"), "0.01", "0"},
		{"large", d("123456789.125"), "123456789.13", "123456789.12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Round(POS, tt.in); !got.Equal(d(tt.pos)) {
				t.Errorf("POS: Round(%s) = %s, want %s", tt.in, got, tt.pos)
			}
			if got := Round(Sale, tt.in); !got.Equal(d(tt.sale)) {
				t.Errorf("sale: Round(%s) = %s, want %s", tt.in, got, tt.sale)
			}
		})
	}
}

// odooFloatRound is Odoo's float_round at 0.01 on doubles, as
// odoo/tools/float_utils.py computes it.
func odooFloatRound(v float64, down bool) float64 {
	if v == 0 {
		return 0
	}
	n := v / 0.01
	sign := math.Copysign(1, n)
	eps := math.Pow(2, math.Log2(math.Abs(n))-52)
	n += sign * eps
	var r float64
	if down {
		r = math.Floor(math.Abs(n)) * sign
	} else {
		r = math.Round(n)
	}
	return r * 0.01
}

// The decimal rounding gives what Odoo's double arithmetic gives for
// money points: reward_point_amount x a two-place amount.
func TestRoundMatchesOdooDoubles(t *testing.T) {
	factors := []float64{0.1, 0.05, 0.5, 1, 1.5, 0.3, 0.07, 2.5, 0.01, 0.15}
	for _, f := range factors {
		for cents := int64(-5000); cents <= 30000; cents++ {
			amount := float64(cents) / 100
			prod := f * amount
			in := decimal.NewFromFloat(f).Mul(decimal.NewFromFloat(amount))
			for _, down := range []bool{false, true} {
				want := decimal.NewFromFloat(odooFloatRound(prod, down)).Round(2)
				var got decimal.Decimal
				if down {
					got = RoundDown(in)
				} else {
					got = RoundHalfUp(in)
				}
				if !got.Equal(want) {
					t.Fatalf("%v x %v (down=%v): decimal %s, Odoo %s", f, amount, down, got, want)
				}
			}
		}
	}
}
