package methods

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestToDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
		err  bool
	}{
		{int64(5), "5", false},
		{800.0000000000001, "800", false},
		{813.8000000000001, "813.8", false},
		{-1.3800000000000001, "-1.38", false},
		{"12.345", "12.35", false},
		{false, "0", false},
		{nil, "0", false},
		{"abc", "", true},
		{[]any{1}, "", true},
	} {
		got, err := toDecimal("points", tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("toDecimal(%v): no error", tc.in)
			}
			continue
		}
		if err != nil || !got.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("toDecimal(%v) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestToID(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int64
		err  bool
	}{
		{int64(138), 138, false},
		{138.0, 138, false},
		{"-1", -1, false},
		{false, 0, false},
		{[]any{int64(12), "Ready Mat"}, 12, false},
		{1.5, 0, true},
		{true, 0, true},
	} {
		got, err := toID("id", tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("toID(%v) = %d, %v; want %d (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// Existing cards come first by id, then the new ones -1, -2..., as Odoo
// creates and answers them.
func TestParseCouponDataOrder(t *testing.T) {
	entries, err := parseCouponData(map[string]any{
		"-2":  map[string]any{"points": 1, "program_id": int64(9)},
		"140": map[string]any{"points": -5.5, "program_id": int64(6), "line_codes": []any{"a", "b"}},
		"-1":  map[string]any{"points": 2, "program_id": int64(9), "expiration_date": "2026-12-31"},
		"138": map[string]any{"points": 800.0000000000001, "program_id": int64(6), "partner_id": int64(12)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range entries {
		keys = append(keys, e.key)
	}
	want := []string{"138", "140", "-1", "-2"}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("order %v, want %v", keys, want)
		}
	}
	if !entries[0].points.Equal(decimal.NewFromInt(800)) || entries[0].partner != 12 {
		t.Errorf("entry 138: %+v", entries[0])
	}
	if !entries[1].lineCodes["a"] || !entries[1].lineCodes["b"] {
		t.Errorf("entry 140 line codes: %v", entries[1].lineCodes)
	}
	if !entries[2].expiration.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("entry -1 expiration: %v", entries[2].expiration)
	}
	if _, err := parseCouponData(map[string]any{"x": map[string]any{}}); err == nil {
		t.Error("a non-integer key was accepted")
	}
}

func TestParseOrder(t *testing.T) {
	o, err := parseOrder(map[string]any{"id": int64(5), "name": "Shop/0005", "partner_id": int64(12), "channel": "sale",
		"date_order": "2026-03-15 10:00:00", "membership_product_id": int64(901), "paid": true, "refund_of": false,
		"lines": []any{map[string]any{"product_id": int64(1), "qty": 2, "price_subtotal_incl": 22.0,
			"price_subtotal": 20.0, "reward_program_id": false, "refunded": false}},
		"redemptions": []any{map[string]any{"program_id": int64(6), "points": 100}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Model != "pos.order" || o.ID != 5 || o.Partner != 12 || o.Channel != "sale" || o.Tier != 901 || !o.Paid ||
		len(o.Lines) != 1 || !o.Lines[0].PriceIncl.Equal(decimal.NewFromInt(22)) || len(o.Redemptions) != 1 ||
		o.Redemptions[0].Program != 6 || o.Date.Format(time.DateTime) != "2026-03-15 10:00:00" {
		t.Errorf("parsed %+v", o)
	}
	for _, bad := range []map[string]any{
		{"name": "no id"},
		{"id": int64(1), "channel": "web"},
		{"id": int64(1), "redemptions": []any{map[string]any{"points": 5}}},
		{"id": int64(1), "redemptions": []any{map[string]any{"card_id": int64(3), "points": -5}}},
	} {
		if _, err := parseOrder(bad); err == nil {
			t.Errorf("parseOrder(%v): no error", bad)
		}
	}
}
