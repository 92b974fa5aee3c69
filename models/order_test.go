package models

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOrderBy(t *testing.T) {
	t.Parallel()
	reg := goldenRegistry(t)
	card := reg.Model("loyalty.card")
	cases := []struct {
		order, want string
	}{
		{"", `"t0"."id" ASC`},
		{"code", `"t0"."code" ASC, "t0"."id" ASC`},
		{"  code  DESC ,points", `"t0"."code" DESC, "t0"."points" ASC, "t0"."id" ASC`},
		{"id DESC", `"t0"."id" DESC`},
		{`"code" asc nulls first`, `"t0"."code" ASC NULLS FIRST, "t0"."id" ASC`},
		{"points_display, code", `"t0"."code" ASC, "t0"."id" ASC`}, // non-stored: ignored
		{"id desc, id", `"t0"."id" DESC, "t0"."id" ASC`},
	}
	for _, tc := range cases {
		got, err := reg.OrderBy(card, DialectPG, tc.order)
		require.NoError(t, err, tc.order)
		require.Equal(t, tc.want, got, tc.order)
	}
	bad := []string{" ", "code,", ",code", "code desc desc", "code; drop", `"code`, "code nulls  first", "code asc nulls", "co-de"}
	for _, order := range bad {
		_, err := reg.OrderBy(card, DialectPG, order)
		require.Error(t, err, order)
		require.Equal(t, KindUser, KindOf(err), order)
		require.Equal(t, `Invalid "order" specified (`+order+`). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`, MessageOf(err))
	}
	for order, msg := range map[string]string{
		"foo":                "Invalid field 'foo' on model 'loyalty.card'",
		"CODE":               "Invalid field 'CODE' on model 'loyalty.card'",
		"code.x":             "Invalid field 'code.x' on model 'loyalty.card'",
		"points:sum":         "Invalid field 'points:sum' on model 'loyalty.card'",
		"partner_id, nope 1": `Invalid "order" specified (partner_id, nope 1). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
	} {
		_, err := reg.OrderBy(card, DialectSQLite, order)
		require.Equal(t, msg, MessageOf(err), order)
	}
}
