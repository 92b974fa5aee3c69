package rules

import "testing"

func TestEvaluateTier(t *testing.T) {
	const bronze, silver, gold, other = 501, 502, 503, 999
	path := []Level{ // deliberately out of order
		{Product: gold, Sequence: 30, MinSpending: d("5000"), AllowUpgrade: true, AllowDowngrade: true},
		{Product: bronze, Sequence: 10, MinSpending: d("0"), AllowUpgrade: true, AllowDowngrade: true},
		{Product: silver, Sequence: 20, MinSpending: d("1000"), AllowUpgrade: true, AllowDowngrade: true},
	}
	mod := func(product int64, f func(*Level)) []Level {
		out := append([]Level(nil), path...)
		for i := range out {
			if out[i].Product == product {
				f(&out[i])
			}
		}
		return out
	}
	tests := []struct {
		name     string
		levels   []Level
		current  int64
		spending string
		want     int64
	}{
		{"no path: unchanged", nil, silver, "99999", silver},
		{"no path, no tier: none", nil, 0, "99999", 0},
		{"no tier gets the lowest level", path, 0, "0", bronze},
		{"no tier with enough spending goes straight up", path, 0, "1500", silver},
		{"tier off the path starts at the lowest", path, other, "10", bronze},
		{"stay", path, silver, "1500", silver},
		{"threshold is inclusive", path, bronze, "1000", silver},
		{"just under the threshold", path, bronze, "999.99", bronze},
		{"jump two levels", path, bronze, "7000", gold},
		{"upgrade refused by the target", mod(gold, func(l *Level) { l.AllowUpgrade = false }), silver, "7000", silver},
		{"upgrade allowed by the target although the current forbids downgrade",
			mod(bronze, func(l *Level) { l.AllowDowngrade = false }), bronze, "1000", silver},
		{"downgrade", path, gold, "1200", silver},
		{"downgrade to the lowest after refunds", path, gold, "-50", bronze},
		{"downgrade refused by the current level", mod(gold, func(l *Level) { l.AllowDowngrade = false }), gold, "10", gold},
		{"downgrade allowed by current even if target forbids downgrade",
			mod(bronze, func(l *Level) { l.AllowDowngrade = false }), silver, "10", bronze},
		{"equal sequences ordered by min_spending", []Level{
			{Product: gold, Sequence: 10, MinSpending: d("5000"), AllowUpgrade: true},
			{Product: bronze, Sequence: 10, MinSpending: d("0"), AllowUpgrade: true},
		}, bronze, "6000", gold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EvaluateTier(tt.levels, tt.current, d(tt.spending)); got != tt.want {
				t.Errorf("EvaluateTier = %d, want %d", got, tt.want)
			}
		})
	}
}
