package rules

import "github.com/shopspring/decimal"

// Channel is where an order comes from; it decides the rounding of money
// points.
type Channel string

// The channels.
const (
	POS  Channel = "pos"  // Point of Sale: money points half-up to 0.01
	Sale Channel = "sale" // sales orders: money points down to 0.01
)

// epsilonFactor is 2**-52, exactly: Odoo's float_round nudges the
// normalised value by 2**(log2(|v|) - 52) = |v| * 2**-52 before rounding.
var epsilonFactor = decimal.RequireFromString("0.0000000000000002220446049250313080847263336181640625")

// RoundHalfUp rounds v to 0.01 as Odoo's float_round(v, precision_digits=2,
// rounding_method='HALF-UP') and the POS's roundPrecision(v, 0.01) do: the
// value in hundredths is pushed one float epsilon away from zero, then
// rounded half away from zero. On exact decimals the nudge only matters for
// values that carry a double's representation error just below a tie
// (2.7549999999999999 gives 2.76, as in Odoo).
func RoundHalfUp(v decimal.Decimal) decimal.Decimal {
	if v.IsZero() {
		return decimal.Zero
	}
	n := v.Shift(2)
	abs := n.Abs()
	abs = abs.Add(abs.Mul(epsilonFactor)).Round(0)
	if n.Sign() < 0 {
		abs = abs.Neg()
	}
	return abs.Shift(-2)
}

// RoundDown rounds v toward zero to 0.01 as Odoo's float_round(v,
// precision_digits=2, rounding_method='DOWN'): the value in hundredths is
// pushed one float epsilon away from zero, then floored in absolute value
// (2.7499999999999996 gives 2.75, 2.759 gives 2.75).
func RoundDown(v decimal.Decimal) decimal.Decimal {
	if v.IsZero() {
		return decimal.Zero
	}
	n := v.Shift(2)
	abs := n.Abs()
	abs = abs.Add(abs.Mul(epsilonFactor)).Floor()
	if n.Sign() < 0 {
		abs = abs.Neg()
	}
	return abs.Shift(-2)
}

// Round rounds money points as the channel does: half-up for the POS
// (and an unknown channel), down for sales.
func Round(ch Channel, v decimal.Decimal) decimal.Decimal {
	if ch == Sale {
		return RoundDown(v)
	}
	return RoundHalfUp(v)
}
