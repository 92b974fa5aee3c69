package odoo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

// pullAll pages through model from cur, calling during(page) after each
// page, and returns the ids read (in order) and the final cursor.
func pullAll(t *testing.T, c *odoo.Client, cur odoo.Cursor, limit int, during func(page int)) ([]int64, odoo.Cursor) {
	t.Helper()
	var seen []int64
	for page := 1; ; page++ {
		require.Less(t, page, 100, "the cursor must advance")
		rows, next, err := c.SearchReadSince(context.Background(), "res.partner", nil, []string{"name"},
			cur.WriteDate, cur.ID, limit)
		require.NoError(t, err)
		for _, r := range rows {
			seen = append(seen, r["id"].(int64))
		}
		if len(rows) > 0 {
			require.True(t, next.After(cur), "page %d: cursor %v does not move past %v", page, next, cur)
		}
		cur = next
		if len(rows) < limit {
			return seen, cur
		}
		if during != nil {
			during(page)
		}
	}
}

// precisions are the two ways the fake can store write_date: whole
// seconds, or microseconds shown to the second as a real Odoo does.
var precisions = []struct {
	name      string
	subSecond bool
	frac      time.Duration // added to every clock reading
}{
	{"seconds", false, 0},
	{"microseconds", true, 250 * time.Millisecond},
}

func TestSearchReadSinceMissesNothing(t *testing.T) {
	t.Parallel()
	for _, p := range precisions {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, odootest.Options{SubSecond: p.subSecond}, nil)
			ctx := context.Background()
			at := func(d time.Duration) { b.clock.Set(t0.Add(d + p.frac)) }
			t2 := t0.Add(2 * time.Second)

			// Five records of one transaction share a write_date, so
			// pages of 2 cut through them.
			at(0)
			for range 5 {
				b.srv.Insert("res.partner", map[string]any{"name": "t0"}) // ids 1-5
			}
			at(time.Second)
			b.srv.Insert("res.partner", map[string]any{"name": "t1"}) // 6
			b.srv.Insert("res.partner", map[string]any{"name": "t1"}) // 7

			during := func(page int) {
				switch page {
				case 1:
					// Another transaction of second t0 commits with a
					// higher id (earlier in that second when stored
					// with microseconds).
					at(-p.frac / 2)
					b.srv.Insert("res.partner", map[string]any{"name": "late t0"}) // 8
					// A record already read changes again.
					at(2 * time.Second)
					require.NoError(t, b.client.ExecuteKw(ctx, "res.partner", "write",
						[]any{[]any{int64(1)}, map[string]any{"name": "changed"}}, nil, nil))
				case 2:
					at(time.Second)
					b.srv.Insert("res.partner", map[string]any{"name": "late t1"}) // 9
				}
			}
			seen, cur := pullAll(t, b.client, odoo.Cursor{}, 2, during)
			require.Equal(t, []int64{1, 2, 3, 4, 5, 8, 6, 7, 9, 1}, seen,
				"every record once in (write_date, id) order, record 1 again after its change")
			require.Equal(t, odoo.Cursor{WriteDate: t2, ID: 1}, cur)

			// A transaction that started at t1 commits only now: its
			// write_date is behind the cursor. Resuming exactly at the
			// cursor misses it; the overlap window catches it.
			at(time.Second)
			late := b.srv.Insert("res.partner", map[string]any{"name": "long transaction"}) // 10
			again, _ := pullAll(t, b.client, cur, 2, nil)
			require.Empty(t, again, "exact resume cannot see a record written behind the cursor")

			again, _ = pullAll(t, b.client, cur.Rewind(5*time.Minute), 2, nil)
			require.Equal(t, []int64{2, 3, 4, 5, 8, 6, 7, 9, late, 1}, again)
		})
	}
}

// TestSearchReadSinceBulkTransaction: many records written by one
// transaction share a write_date that Odoo stores with microseconds. The
// single cursor domain then matches the same records on every page (it
// never advances); SearchReadSince pages through them by id.
func TestSearchReadSinceBulkTransaction(t *testing.T) {
	t.Parallel()
	for _, p := range precisions {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, odootest.Options{SubSecond: p.subSecond}, nil)
			b.clock.Set(t0.Add(p.frac))
			for range 7 {
				b.srv.Insert("res.partner", map[string]any{"name": "imported"})
			}
			for _, limit := range []int{1, 2, 3, 7, 100} {
				seen, cur := pullAll(t, b.client, odoo.Cursor{}, limit, nil)
				require.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7}, seen, "limit %d", limit)
				require.Equal(t, odoo.Cursor{WriteDate: t0, ID: 7}, cur)
			}

			// The single domain, resumed after (t0, 2).
			s := t0.Format(odoo.OdooTime)
			var ids []int64
			require.NoError(t, b.client.ExecuteKw(context.Background(), "res.partner", "search", []any{[]any{
				"|", []any{"write_date", ">", s}, "&", []any{"write_date", "=", s}, []any{"id", ">", 2},
			}}, map[string]any{"order": "write_date, id", "limit": 2}, &ids))
			if p.subSecond {
				require.Equal(t, []int64{1, 2}, ids, "the same page again: a pull with this domain would never end")
			} else {
				require.Equal(t, []int64{3, 4}, ids)
			}
		})
	}
}

func TestCursorRewind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   odoo.Cursor
		want odoo.Cursor
	}{
		{"zero stays zero", odoo.Cursor{}, odoo.Cursor{}},
		{"window back, from the first id", odoo.Cursor{WriteDate: t0, ID: 42}, odoo.Cursor{WriteDate: t0.Add(-time.Minute)}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.in.Rewind(time.Minute), tt.name)
	}
}
