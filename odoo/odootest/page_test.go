package odootest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPageRows: the heap selection gives the page a full sort gives.
func TestPageRows(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]map[string]any, 1000)
	for i := range rows {
		rows[i] = map[string]any{"id": int64(i + 1), "write_date": fmt.Sprintf("2026-11-25 10:00:%02d", rng.IntN(7))}
		if rng.IntN(10) == 0 {
			rows[i]["write_date"] = false
		}
	}
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	for _, order := range []string{"id", "write_date asc, id asc", "write_date desc, id"} {
		keys, err := parseOrder(order)
		require.NoError(t, err)
		want := slices.Clone(rows)
		sortRows(want, keys)
		for _, tt := range []struct{ off, lim int }{{0, 10}, {0, 1}, {5, 20}, {990, 20}, {0, 0}, {100, 0}, {0, 2000}} {
			got := pageRows(slices.Clone(rows), keys, tt.off, tt.lim)
			end := len(want)
			if tt.lim > 0 {
				end = min(tt.off+tt.lim, len(want))
			}
			require.Equal(t, want[min(tt.off, len(want)):end], got, "%s off %d lim %d", order, tt.off, tt.lim)
		}
	}
}
