package engine_test

import (
	"reflect"
	"testing"

	"github.com/odoo-loyalty/loyaltyd/engine"
)

func TestParseDomainLiteral(t *testing.T) {
	tests := []struct {
		in   string
		want []any
		bad  bool
	}{
		{in: "[]", want: []any{}},
		{in: "", bad: true},
		{in: "[('sale_ok', '=', True)]", want: []any{[]any{"sale_ok", "=", true}}},
		{in: `[["list_price", ">=", 5.5], ["name", "ilike", "caf\u00e9"]]`,
			want: []any{[]any{"list_price", ">=", 5.5}, []any{"name", "ilike", "café"}}},
		{in: "['|', ('categ_id', 'child_of', 3), ('id', 'in', [1, 2, -3]), ]",
			want: []any{"|", []any{"categ_id", "child_of", int64(3)}, []any{"id", "in", []any{int64(1), int64(2), int64(-3)}}}},
		{in: `[("name", "=", 'it\'s'), ("barcode", "=", None), ("active", "!=", false)]`,
			want: []any{[]any{"name", "=", "it's"}, []any{"barcode", "=", nil}, []any{"active", "!=", false}}},
		{in: "[('create_uid', '=', uid)]", bad: true},
		{in: "[('a', '=', 1)", bad: true},
		{in: "[('a', '=', 1)] junk", bad: true},
		{in: "'not a list'", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := engine.ParseDomainLiteral(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseDomainLiteral(%q) = %#v, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDomainLiteral(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseDomainLiteral(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}
