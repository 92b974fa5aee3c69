package pull

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
)

// chunk bounds the rows of one multi-row statement.
const chunk = 400

// pullModel pages through sp's changes from its stored cursor, rewound.
func (p *Puller) pullModel(ctx context.Context, sp *spec, progress func(string, int, int)) (Stats, error) {
	stored, err := p.cursor(ctx, sp.name)
	if err != nil {
		return Stats{}, err
	}
	start := stored.Rewind(p.opt.Overlap)
	total := 0
	if progress != nil {
		var n int64
		if err := p.c.ExecuteKw(ctx, sp.name, "search_count", []any{sp.domain()}, nil, &n); err != nil {
			return Stats{}, err
		}
		total = int(n)
		progress(sp.name, 0, total)
	}
	var all Stats
	done := 0
	for page := 1; ; page++ {
		rows, next, err := p.c.SearchReadSince(ctx, sp.name, sp.domain(), sp.fields,
			start.WriteDate, start.ID, p.opt.PageSize)
		if err != nil {
			return all, err
		}
		if next.After(stored) {
			stored = next
		}
		st, err := p.store(ctx, sp, rows, &pageCursor{cur: stored, n: len(rows)}, 0)
		if err != nil && ctx.Err() == nil && len(rows) > 0 {
			// One row the store refuses must not stop the model for good:
			// store the page row by row, skipping (and logging) the bad ones.
			st, err = p.storeEach(ctx, sp, rows, pageCursor{cur: stored, n: len(rows)})
		}
		all.add(st)
		if err != nil {
			return all, err
		}
		done += len(rows)
		if progress != nil {
			progress(sp.name, done, max(total, done))
		}
		if p.opt.AfterPage != nil {
			p.opt.AfterPage(sp.name, page)
		}
		if len(rows) < p.opt.PageSize {
			return all, nil
		}
		start = next
	}
}

// storeEach stores a page one row at a time, skipping the rows the store
// refuses, then saves the page's cursor.
func (p *Puller) storeEach(ctx context.Context, sp *spec, rows []map[string]any, pc pageCursor) (Stats, error) {
	var all Stats
	for _, r := range rows {
		st, err := p.store(ctx, sp, []map[string]any{r}, nil, 0)
		all.add(st)
		if err != nil {
			if ctx.Err() != nil {
				return all, ctx.Err()
			}
			p.log.Warn("pull: record skipped", slog.String("model", sp.name), slog.Any("id", r["id"]), slog.Any("err", err))
		}
	}
	err := p.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		return p.saveCursor(ctx, tx, sp.name, pc.cur, pc.n)
	})
	return all, err
}

// pageCursor is the cursor saved with a page.
type pageCursor struct {
	cur odoo.Cursor
	n   int
}

// pullIDs reads ids of sp from Odoo and stores them; ids Odoo does not
// return are gone there.
func (p *Puller) pullIDs(ctx context.Context, sp *spec, ids []int64, depth int) (Stats, error) {
	var all Stats
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for part := range slices.Chunk(ids, p.opt.PageSize) {
		var rows []map[string]any
		if err := p.c.ExecuteKw(ctx, sp.name, "read", []any{int64s(part)},
			map[string]any{"fields": anys(sp.fields)}, &rows); err != nil {
			return all, err
		}
		st, err := p.store(ctx, sp, rows, nil, depth)
		all.add(st)
		if err != nil {
			return all, err
		}
		got := map[int64]bool{}
		for _, r := range rows {
			if id, ok := r["id"].(int64); ok {
				got[id] = true
			}
		}
		var gone []int64
		for _, id := range part {
			if !got[id] {
				gone = append(gone, id)
			}
		}
		n, err := p.markGone(ctx, sp, gone)
		all.Archived += n
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// store upserts one page of rows (and saves the cursor with it when pc is
// set), after making sure the records their many2one fields point at exist
// locally.
func (p *Puller) store(ctx context.Context, sp *spec, raw []map[string]any, pc *pageCursor, depth int) (Stats, error) {
	st := Stats{Read: len(raw)}
	rows := make([]row, 0, len(raw))
	for _, r := range raw {
		cr, err := sp.convert(r)
		if err != nil {
			p.log.Warn("pull: row skipped", slog.String("model", sp.name), slog.Any("err", err))
			continue
		}
		rows = append(rows, cr)
	}
	refs, err := p.ensureRefs(ctx, sp, rows, depth)
	st.add(refs)
	if err != nil {
		return st, err
	}
	var written []int64
	err = p.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		written = written[:0]
		local, err := p.localState(ctx, tx, sp, rows)
		if err != nil {
			return err
		}
		var protect map[int64]bool
		if sp.name == "res.partner" {
			if protect, err = pendingTier(ctx, tx, rows); err != nil {
				return err
			}
		}
		tierCol := slices.IndexFunc(sp.cols, func(f *models.Field) bool { return f.Name == "membership_product_id" })
		var todo []row
		for _, r := range rows {
			if r.skipReason != "" {
				p.log.Warn("pull: row skipped", slog.String("model", sp.name), slog.Int64("id", r.id),
					slog.String("reason", r.skipReason))
				continue
			}
			l, exists := local[r.id]
			if exists && protect[r.id] && tierCol >= 0 {
				r.vals[tierCol] = l.tier
			}
			sp.digest(&r)
			if exists && !l.changed && l.hash == r.hash {
				continue
			}
			if exists && l.changed {
				st.Overwritten++
				p.log.Warn("pull: local change overwritten by Odoo", slog.String("model", sp.name), slog.Int64("id", r.id))
				if _, err := tx.ExecContext(ctx, `INSERT INTO sync_log (entity_type, entity_id, action, status, error_message)
					VALUES (?, ?, 'overwrite', 'resolved', ?)`, sp.name, r.id,
					"local change overwritten by Odoo's record (Odoo wins for reference data)"); err != nil {
					return fmt.Errorf("pull: log overwrite: %w", err)
				}
			}
			todo = append(todo, r)
		}
		for part := range slices.Chunk(todo, chunk) {
			if err := p.upsert(ctx, tx, sp, part); err != nil {
				return err
			}
			for _, r := range part {
				written = append(written, r.id)
			}
		}
		if err := p.links(ctx, tx, sp, todo); err != nil {
			return err
		}
		if pc != nil {
			return p.saveCursor(ctx, tx, sp.name, pc.cur, pc.n)
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("pull: store %s: %w", sp.name, err)
	}
	st.Written += len(written)
	p.invalidate(ctx, sp.name, written)
	return st, nil
}

// invalidate drops written rows from the cache.
func (p *Puller) invalidate(ctx context.Context, model string, ids []int64) {
	if p.opt.Cache == nil || len(ids) == 0 {
		return
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = CacheKey(model, id)
	}
	p.opt.Cache.Delete(ctx, keys...)
}

// localRow is what the store knows of a row before a page is applied.
type localRow struct {
	hash    int64
	changed bool // changed locally since its last pull (or never pulled)
	tier    any  // res.partner: membership_product_id
}

func (p *Puller) localState(ctx context.Context, tx bun.IDB, sp *spec, rows []row) (map[int64]localRow, error) {
	out := make(map[int64]localRow, len(rows))
	changed := fmt.Sprintf("odoo_write_date IS NULL OR %s <> odoo_write_date", q(sp.writeCol))
	if sp.versioned {
		changed += " OR COALESCE(sync_version, 0) <> COALESCE(pulled_version, 0)"
	}
	tier := "NULL"
	if sp.name == "res.partner" {
		tier = "membership_product_id"
	}
	for part := range slices.Chunk(rows, chunk) {
		args := make([]any, len(part))
		for i, r := range part {
			args[i] = r.id
		}
		query := fmt.Sprintf(`SELECT id, odoo_hash, CASE WHEN %s THEN 1 ELSE 0 END, %s FROM %s WHERE id IN (%s)`,
			changed, tier, q(sp.table), placeholders(len(args)))
		res, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("pull: read %s: %w", sp.table, err)
		}
		for res.Next() {
			var id int64
			var h, t sql.NullInt64
			var ch int64
			if err := res.Scan(&id, &h, &ch, &t); err != nil {
				res.Close()
				return nil, err
			}
			l := localRow{hash: h.Int64, changed: ch == 1}
			if t.Valid {
				l.tier = t.Int64
			}
			out[id] = l
		}
		if err := res.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pendingTier lists the partners of rows with a tier event on its way to
// Odoo (H1's outbox rows: status pending, action tier).
func pendingTier(ctx context.Context, tx bun.IDB, rows []row) (map[int64]bool, error) {
	out := map[int64]bool{}
	for part := range slices.Chunk(rows, chunk) {
		args := []any{}
		for _, r := range part {
			args = append(args, r.id)
		}
		res, err := tx.QueryContext(ctx, `SELECT DISTINCT entity_id FROM sync_log WHERE status = 'pending'
			AND action = 'tier' AND entity_type = 'res.partner' AND entity_id IN (`+placeholders(len(args))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("pull: pending tier events: %w", err)
		}
		for res.Next() {
			var id int64
			if err := res.Scan(&id); err != nil {
				res.Close()
				return nil, err
			}
			out[id] = true
		}
		if err := res.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// upsert writes rows by id.
func (p *Puller) upsert(ctx context.Context, tx bun.IDB, sp *spec, rows []row) error {
	cols := []string{"id"}
	for _, f := range sp.cols {
		cols = append(cols, f.Column)
	}
	cols = append(cols, sp.writeCol, "odoo_write_date", "odoo_hash")
	if sp.createCol != "" {
		cols = append(cols, sp.createCol)
	}
	if sp.versioned {
		cols = append(cols, "pulled_version")
	}
	var sb strings.Builder
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = q(c)
	}
	fmt.Fprintf(&sb, "INSERT INTO %s (%s) VALUES ", q(sp.table), strings.Join(quoted, ", "))
	args := make([]any, 0, len(rows)*len(cols))
	one := "(" + placeholders(len(cols)) + ")"
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(one)
		args = append(args, r.id)
		args = append(args, r.vals...)
		args = append(args, r.write, r.write, r.hash)
		if sp.createCol != "" {
			args = append(args, r.create)
		}
		if sp.versioned {
			args = append(args, int64(0))
		}
	}
	sb.WriteString(" ON CONFLICT (id) DO UPDATE SET ")
	var sets []string
	for _, c := range cols[1:] {
		switch c {
		case sp.createCol:
		case "pulled_version":
			sets = append(sets, fmt.Sprintf("pulled_version = COALESCE(%s.sync_version, 0)", q(sp.table)))
		default:
			sets = append(sets, fmt.Sprintf("%s = excluded.%s", q(c), q(c)))
		}
	}
	sb.WriteString(strings.Join(sets, ", "))
	if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("pull: upsert %s: %w", sp.table, err)
	}
	return nil
}

// links replaces the many2many links of rows.
func (p *Puller) links(ctx context.Context, tx bun.IDB, sp *spec, rows []row) error {
	for i, f := range sp.m2m {
		for part := range slices.Chunk(rows, chunk) {
			ids := make([]any, len(part))
			for j, r := range part {
				ids[j] = r.id
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s IN (%s)",
				q(f.RelTable), q(f.RelColumn1), placeholders(len(ids))), ids...); err != nil {
				return fmt.Errorf("pull: links %s: %w", f.RelTable, err)
			}
			var args []any
			for _, r := range part {
				for _, to := range r.links[i] {
					args = append(args, r.id, to)
				}
			}
			for pairs := range slices.Chunk(args, 2*chunk) {
				vals := strings.Repeat("(?, ?), ", len(pairs)/2-1) + "(?, ?)"
				if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES %s",
					q(f.RelTable), q(f.RelColumn1), q(f.RelColumn2), vals), pairs...); err != nil {
					return fmt.Errorf("pull: links %s: %w", f.RelTable, err)
				}
			}
		}
	}
	return nil
}

// ensureRefs pulls the records rows' many2one and many2many values point
// at when they are missing locally (a category's parent written after it,
// a product of a rule), then drops references still dangling: NULL for a
// many2one (a required one skips the row), left out for a link.
func (p *Puller) ensureRefs(ctx context.Context, sp *spec, rows []row, depth int) (Stats, error) {
	var st Stats
	check := func(model string, want map[int64]bool) (map[int64]bool, error) {
		target := p.spec(model)
		if target == nil || len(want) == 0 {
			return nil, nil
		}
		ids := slices.Collect(maps.Keys(want))
		have, err := p.existing(ctx, target.table, ids)
		if err != nil {
			return nil, err
		}
		missing := slices.DeleteFunc(ids, func(id int64) bool { return have[id] })
		if len(missing) > 0 && depth < 4 {
			got, err := p.pullIDs(ctx, target, missing, depth+1)
			st.add(got)
			if err != nil {
				return nil, err
			}
			more, err := p.existing(ctx, target.table, missing)
			if err != nil {
				return nil, err
			}
			maps.Copy(have, more)
		}
		return have, nil
	}
	inPage := map[int64]bool{}
	for _, r := range rows {
		inPage[r.id] = true
	}
	for i, f := range sp.cols {
		if f.Type != models.Many2one || p.spec(f.Relation) == nil {
			continue
		}
		want := map[int64]bool{}
		for _, r := range rows {
			if id, ok := r.vals[i].(int64); ok && !(f.Relation == sp.name && inPage[id]) {
				want[id] = true
			}
		}
		have, err := check(f.Relation, want)
		if err != nil {
			return st, err
		}
		if have == nil {
			continue
		}
		for j := range rows {
			id, ok := rows[j].vals[i].(int64)
			if !ok || have[id] || (f.Relation == sp.name && inPage[id]) {
				continue
			}
			if f.Required {
				rows[j].skipReason = fmt.Sprintf("%s %d does not exist", f.Relation, id)
			}
			rows[j].vals[i] = nil
		}
	}
	for i, f := range sp.m2m {
		want := map[int64]bool{}
		for _, r := range rows {
			for _, id := range r.links[i] {
				want[id] = true
			}
		}
		have, err := check(f.Relation, want)
		if err != nil {
			return st, err
		}
		if have == nil {
			continue
		}
		for j := range rows {
			rows[j].links[i] = slices.DeleteFunc(rows[j].links[i], func(id int64) bool { return !have[id] })
		}
	}
	return st, nil
}

// existing reports which of ids table has.
func (p *Puller) existing(ctx context.Context, table string, ids []int64) (map[int64]bool, error) {
	have := map[int64]bool{}
	for part := range slices.Chunk(ids, chunk) {
		res, err := p.db.QueryContext(ctx, fmt.Sprintf("SELECT id FROM %s WHERE id IN (%s)", q(table),
			placeholders(len(part))), int64Args(part)...)
		if err != nil {
			return nil, fmt.Errorf("pull: %s: %w", table, err)
		}
		for res.Next() {
			var id int64
			if err := res.Scan(&id); err != nil {
				res.Close()
				return nil, err
			}
			have[id] = true
		}
		if err := res.Close(); err != nil {
			return nil, err
		}
	}
	return have, nil
}

// refsOf lists, for the reference tables without an active field, the
// columns that point at them: a row still referenced is not deleted.
var refsOf = map[string][][2]string{
	"product_category": {{"product_category", "parent_id"}, {"product_product", "categ_id"},
		{"promotion_rules", "product_category_id"}},
	"res_company": {{"res_partner", "company_id"}, {"promotion_programs", "company_id"},
		{"loyalty_cards", "company_id"}, {"res_users", "company_id"}},
}

// markGone archives (or deletes, when nothing references them) the local
// rows of ids that came from Odoo.
func (p *Puller) markGone(ctx context.Context, sp *spec, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n := 0
	err := p.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
		n = 0
		for part := range slices.Chunk(ids, chunk) {
			var query string
			args := int64Args(part)
			if sp.m.HasActive() {
				query = fmt.Sprintf("UPDATE %s SET active = ? WHERE id IN (%s) AND odoo_write_date IS NOT NULL AND active = ?",
					q(sp.table), placeholders(len(part)))
				f, t := boolArg(sp.dialect, false), boolArg(sp.dialect, true)
				args = append([]any{f}, append(args, t)...)
			} else {
				var conds []string
				for _, ref := range refsOf[sp.table] {
					conds = append(conds, fmt.Sprintf(" AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.%s = %s.id)",
						q(ref[0]), q(ref[1]), q(sp.table)))
				}
				if sp.table == "res_company" {
					return nil // companies are never deleted locally
				}
				query = fmt.Sprintf("DELETE FROM %s WHERE id IN (%s) AND odoo_write_date IS NOT NULL%s",
					q(sp.table), placeholders(len(part)), strings.Join(conds, ""))
			}
			res, err := tx.ExecContext(ctx, query, args...)
			if err != nil {
				return fmt.Errorf("pull: %s gone upstream: %w", sp.table, err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err == nil && n > 0 {
		p.log.Info("pull: rows gone upstream", slog.String("model", sp.name), slog.Int("count", n))
		p.invalidate(ctx, sp.name, ids)
	}
	return n, err
}

// Sweep compares every model's ids with the upstream's and archives or
// deletes the local rows Odoo no longer has; it returns how many.
func (p *Puller) Sweep(ctx context.Context) (int, error) {
	p.run.Lock()
	defer p.run.Unlock()
	order, err := p.models(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for i := len(order) - 1; i >= 0; i-- {
		sp := p.specs[order[i]]
		var upstream []int64
		if err := p.c.ExecuteKw(ctx, sp.name, "search", []any{sp.domain()}, nil, &upstream); err != nil {
			return total, fmt.Errorf("pull: sweep %s: %w", sp.name, err)
		}
		up := make(map[int64]bool, len(upstream))
		for _, id := range upstream {
			up[id] = true
		}
		var gone []int64
		query := fmt.Sprintf("SELECT id FROM %s WHERE odoo_write_date IS NOT NULL", q(sp.table))
		if sp.m.HasActive() {
			query += " AND active = " + map[bool]string{true: "TRUE", false: "1"}[sp.dialect == models.DialectPG]
		}
		res, err := p.db.QueryContext(ctx, query)
		if err != nil {
			return total, fmt.Errorf("pull: sweep %s: %w", sp.table, err)
		}
		for res.Next() {
			var id int64
			if err := res.Scan(&id); err != nil {
				res.Close()
				return total, err
			}
			if !up[id] {
				gone = append(gone, id)
			}
		}
		if err := res.Close(); err != nil {
			return total, err
		}
		n, err := p.markGone(ctx, sp, gone)
		total += n
		if err != nil {
			return total, err
		}
		if err := p.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error {
			now, _ := models.ToColumn(sp.dialect, datetimeField, p.opt.Now().UTC().Format(models.DatetimeLayout))
			_, err := tx.ExecContext(ctx, `UPDATE sync_cursors SET swept_at = ? WHERE model = ?`, now, sp.name)
			return err
		}); err != nil {
			return total, err
		}
	}
	return total, nil
}

// cursor reads model's stored cursor (zero: never pulled).
func (p *Puller) cursor(ctx context.Context, model string) (odoo.Cursor, error) {
	var wd any
	var id int64
	err := p.db.QueryRowContext(ctx, `SELECT write_date, last_id FROM sync_cursors WHERE model = ?`, model).Scan(&wd, &id)
	if err == sql.ErrNoRows {
		return odoo.Cursor{}, nil
	}
	if err != nil {
		return odoo.Cursor{}, fmt.Errorf("pull: cursor %s: %w", model, err)
	}
	var t time.Time
	switch x := wd.(type) {
	case time.Time:
		t = x.UTC()
	case string:
		t, _ = time.Parse(models.DatetimeLayout, x)
	case []byte:
		t, _ = time.Parse(models.DatetimeLayout, string(x))
	}
	return odoo.Cursor{WriteDate: t, ID: id}, nil
}

// advances is true when the cursor being saved is after the stored one:
// a stored cursor never moves back (another instance's slower pull, a
// rewound re-read).
const advances = `(sync_cursors.write_date IS NULL OR excluded.write_date > sync_cursors.write_date
	OR (excluded.write_date = sync_cursors.write_date AND excluded.last_id > sync_cursors.last_id))`

// saveCursor stores model's cursor in the page's transaction.
func (p *Puller) saveCursor(ctx context.Context, tx bun.IDB, model string, c odoo.Cursor, n int) error {
	var wd any
	if !c.WriteDate.IsZero() {
		wd, _ = models.ToColumn(p.db.DialectName(), datetimeField, c.WriteDate.UTC().Format(models.DatetimeLayout))
	}
	now, _ := models.ToColumn(p.db.DialectName(), datetimeField, p.opt.Now().UTC().Format(models.DatetimeLayout))
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_cursors (model, write_date, last_id, rows_pulled, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (model) DO UPDATE SET
		write_date = CASE WHEN `+advances+` THEN excluded.write_date ELSE sync_cursors.write_date END,
		last_id = CASE WHEN `+advances+` THEN excluded.last_id ELSE sync_cursors.last_id END,
		rows_pulled = sync_cursors.rows_pulled + excluded.rows_pulled,
		updated_at = excluded.updated_at`, model, wd, c.ID, int64(n), now)
	if err != nil {
		return fmt.Errorf("pull: save cursor %s: %w", model, err)
	}
	return nil
}

// Cursor returns model's stored cursor, for reports and tests.
func (p *Puller) Cursor(ctx context.Context, model string) (odoo.Cursor, error) {
	return p.cursor(ctx, model)
}

func boolArg(dialect string, b bool) any {
	if dialect == models.DialectPG {
		return b
	}
	if b {
		return int64(1)
	}
	return int64(0)
}

func int64s(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func int64Args(ids []int64) []any { return int64s(ids) }

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
