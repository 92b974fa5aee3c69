package odoo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Cursor is a position in a model's change stream: the (write_date, id) of
// the last record read.
type Cursor struct {
	WriteDate time.Time // second precision, UTC
	ID        int64
}

// Rewind returns the cursor a new pull should start from: window earlier,
// from the first id. See SearchReadSince.
func (c Cursor) Rewind(window time.Duration) Cursor {
	if c.WriteDate.IsZero() {
		return Cursor{}
	}
	return Cursor{WriteDate: c.WriteDate.Add(-window)}
}

// After reports whether c is strictly after d in (write_date, id) order.
func (c Cursor) After(d Cursor) bool {
	if !c.WriteDate.Equal(d.WriteDate) {
		return c.WriteDate.After(d.WriteDate)
	}
	return c.ID > d.ID
}

// epoch stands for "since the beginning" in a cursor.
var epoch = time.Unix(0, 0).UTC()

// SearchReadSince reads one page of model's records changed after the
// cursor (since, afterID): at most limit rows (0: no limit) matching domain,
// in (write_date second, id) order, with their "id", "write_date" and
// fields (all when empty). It returns the rows and the cursor of the last
// one (since, afterID when the page is empty); a page shorter than limit
// means the pull has caught up. A zero since means from the beginning.
//
// The cursor is (write_date, id) rather than write_date alone so that
// records sharing one write_date across a page boundary are neither
// skipped nor read forever: the next page goes on after the last id seen
// at that write_date. In domain terms the page is
//
//	['|', ('write_date', '>', since),
//	      '&', ('write_date', '=', since), ('id', '>', afterID)]
//
// ordered by write_date, id. It is asked in two steps because Odoo stores
// write_date with microseconds but sends and compares it to the second:
// with the single domain above, every record of one bulk transaction (an
// import, a module install: thousands with one write_date) matches
// "write_date > since" again, so a full page would be returned forever.
// Hence, per page: first the rest of second `since`, by id
// ([since <= write_date < since+1s, id > afterID]); then the following
// seconds ([write_date >= since+1s], ordered write_date, id), keeping only
// the seconds the reply holds completely and reading an incomplete last
// second again by id. Against a store of whole seconds (the fake) it gives
// exactly the rows of the domain above. Usually 2 calls a page.
//
// The overlap window (issue 5): Odoo sets write_date to the start of the
// writing transaction, not its commit. A transaction that began before a
// pull and commits after it leaves records whose write_date is behind the
// cursor the pull reached, so a pull that resumed exactly there would never
// see them. Within one pull, page with the exact cursor; a new pull starts
// from the stored cursor rewound by a window longer than Odoo's longest
// transaction (Cursor.Rewind, minutes), and the consumer makes re-reading
// harmless by upserting on (id, write_date) or its sync_version.
func (c *Client) SearchReadSince(ctx context.Context, model string, domain []any, fields []string,
	since time.Time, afterID int64, limit int) ([]map[string]any, Cursor, error) {
	cur := Cursor{WriteDate: since.UTC().Truncate(time.Second), ID: afterID}
	if since.IsZero() {
		cur = Cursor{WriteDate: epoch, ID: afterID}
	}
	fl := anys(fields)
	if len(fields) > 0 && !slices.Contains(fields, "write_date") {
		fl = append(fl, "write_date")
	}
	page := func(dom []any, order string, lim int) ([]map[string]any, error) {
		kw := map[string]any{"order": order}
		if len(fl) > 0 {
			kw["fields"] = fl
		}
		if lim > 0 {
			kw["limit"] = lim
		}
		var rows []map[string]any
		err := c.ExecuteKw(ctx, model, "search_read", []any{append(slices.Clone(domain), dom...)}, kw, &rows)
		return rows, err
	}
	var out []map[string]any
	done := func() ([]map[string]any, Cursor, error) {
		if since.IsZero() && len(out) == 0 {
			cur.WriteDate = time.Time{}
		}
		return out, cur, nil
	}
	for {
		// The rest of second cur.WriteDate, by id.
		s, next := cur.WriteDate.Format(OdooTime), cur.WriteDate.Add(time.Second).Format(OdooTime)
		rows, err := page([]any{[]any{"write_date", ">=", s}, []any{"write_date", "<", next},
			[]any{"id", ">", cur.ID}}, "id asc", remaining(limit, len(out)))
		if err != nil {
			return nil, cur, err
		}
		for _, r := range rows {
			rc, err := CursorOf(r)
			if err != nil {
				return nil, cur, fmt.Errorf("odoo: %s: %w", model, err)
			}
			cur.ID = rc.ID
			out = append(out, r)
		}
		if limit > 0 && len(out) >= limit {
			return done()
		}
		// The seconds after it.
		rem := remaining(limit, len(out))
		rows, err = page([]any{[]any{"write_date", ">=", next}}, "write_date asc, id asc", rem)
		if err != nil {
			return nil, cur, err
		}
		if len(rows) == 0 {
			return done()
		}
		cursors := make([]Cursor, len(rows))
		for i, r := range rows {
			if cursors[i], err = CursorOf(r); err != nil {
				return nil, cur, fmt.Errorf("odoo: %s: %w", model, err)
			}
		}
		last := cursors[len(rows)-1].WriteDate
		full := rem > 0 && len(rows) == rem
		idx := make([]int, 0, len(rows))
		for i := range rows {
			if !full || cursors[i].WriteDate.Before(last) {
				idx = append(idx, i)
			}
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			if c := cursors[a].WriteDate.Compare(cursors[b].WriteDate); c != 0 {
				return c
			}
			return cmp.Compare(cursors[a].ID, cursors[b].ID)
		})
		for _, i := range idx {
			out = append(out, rows[i])
		}
		if !full {
			if len(idx) > 0 {
				cur = cursors[idx[len(idx)-1]]
			}
			return done()
		}
		// The last second may be incomplete: read it again by id.
		cur = Cursor{WriteDate: last}
	}
}

// remaining is how many rows a page may still take (0: no limit).
func remaining(limit, have int) int {
	if limit <= 0 {
		return 0
	}
	return limit - have
}

// CursorOf reads the (write_date, id) of a row returned by search_read;
// write_date is read to the second.
func CursorOf(row map[string]any) (Cursor, error) {
	id, ok := row["id"].(int64)
	if !ok {
		return Cursor{}, fmt.Errorf("row without id: %v", row["id"])
	}
	s, ok := row["write_date"].(string)
	if !ok || len(s) < len(OdooTime) {
		return Cursor{}, fmt.Errorf("record %d: no write_date", id)
	}
	t, err := time.Parse(OdooTime, s[:len(OdooTime)])
	if err != nil {
		return Cursor{}, fmt.Errorf("record %d: write_date: %w", id, err)
	}
	return Cursor{WriteDate: t, ID: id}, nil
}
