package models

import (
	"context"
	"fmt"
	"strings"
)

// write and unlink, with Odoo's ondelete rules for the many2one fields
// pointing at deleted records: restrict refuses, cascade deletes the
// referencing records, set null (the default) empties the reference.

// write updates ids of m (no access check: callers do it).
func (o *orm) write(ctx context.Context, m *Model, ids []int64, vals map[string]any) error {
	leave, err := o.enter()
	if err != nil {
		return err
	}
	defer leave()
	ids = uniqueIDs(ids)
	p, err := o.prepare(m, vals)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	if err := o.checkExist(ctx, m, ids); err != nil {
		return err
	}
	for i, f := range p.fields {
		if f.Required && p.args[i] == nil {
			return notNullError(m, f)
		}
	}
	if err := o.checkTargets(ctx, m, p); err != nil {
		return err
	}
	if err := o.storedRelated(ctx, m, p); err != nil {
		return err
	}
	o.setUserLog(m, p, "write_uid")
	if wd := m.Field("write_date"); wd != nil && wd.Stored() {
		now, err := o.nowColumn(wd)
		if err != nil {
			return err
		}
		p.set(wd, now)
	}
	if len(p.cols) > 0 {
		for _, chunk := range chunkIDs(ids) {
			c := o.compiler()
			sets := make([]string, len(p.cols))
			for i, col := range p.cols {
				sets[i] = qi(col) + " = " + c.arg(p.args[i])
			}
			q := "UPDATE " + qi(m.Table) + " SET " + strings.Join(sets, ", ") + " WHERE " + qi("id") +
				" IN (" + c.argList(chunk) + ")"
			if _, err := o.db.ExecContext(ctx, q, c.args...); err != nil {
				return o.dbError(m, err)
			}
		}
	}
	for _, id := range ids {
		for _, x := range p.x2m {
			if err := o.applyX2many(ctx, m, id, x.f, x.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// write(ids, vals): True; a missing record is Odoo's MissingError.
func ormWrite(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "write", record: true, params: []param{{name: "vals", required: true}}})
	if err != nil {
		return nil, err
	}
	vals, ok := b.get("vals").(map[string]any)
	if !ok {
		return nil, AttributeErrorf("'%s' object has no attribute 'items'", pyTypeName(b.get("vals")))
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	if len(b.ids) == 0 {
		return true, nil
	}
	if err := o.checkAccess(ctx, c.Model, OpWrite); err != nil {
		return nil, err
	}
	if err := o.write(ctx, c.Model, b.ids, vals); err != nil {
		return nil, err
	}
	if err := c.Registry.runWriteHooks(ctx, c.DB, c.Model.Name, uniqueIDs(b.ids), vals); err != nil {
		return nil, err
	}
	return true, nil
}

// unlink deletes ids of m (no access check: callers do it); missing ids
// are ignored.
func (o *orm) unlink(ctx context.Context, m *Model, ids []int64) error {
	leave, err := o.enter()
	if err != nil {
		return err
	}
	defer leave()
	ids, err = o.existing(ctx, m, uniqueIDs(ids))
	if err != nil || len(ids) == 0 {
		return err
	}
	deleting := make(map[int64]bool, len(ids))
	for _, id := range ids {
		deleting[id] = true
	}
	type ref struct {
		rm *Model
		rf *Field
	}
	var refs []ref
	for _, rm := range o.reg.Models() {
		for _, rf := range rm.Fields {
			if rf.Type == Many2one && rf.Stored() && rf.Relation == m.Name {
				refs = append(refs, ref{rm, rf})
			}
		}
	}
	// Restrictions first, so nothing changes when one applies.
	for _, r := range refs {
		if r.rf.OnDelete != "restrict" {
			continue
		}
		rids, err := o.referencing(ctx, r.rm, r.rf, ids)
		if err != nil {
			return err
		}
		for _, rid := range rids {
			if r.rm != m || !deleting[rid] {
				return fkError(r.rm, strings.ReplaceAll(r.rm.Name, ".", "_")+"_"+r.rf.Name+"_fkey")
			}
		}
	}
	for _, r := range refs {
		rids, err := o.referencing(ctx, r.rm, r.rf, ids)
		if err != nil || len(rids) == 0 {
			if err != nil {
				return err
			}
			continue
		}
		switch r.rf.OnDelete {
		case "cascade":
			var rest []int64
			for _, rid := range rids {
				if r.rm != m || !deleting[rid] {
					rest = append(rest, rid)
				}
			}
			if err := o.unlink(ctx, r.rm, rest); err != nil {
				return err
			}
		case "restrict":
		default:
			if err := o.execIDs(ctx, r.rm, "UPDATE "+qi(r.rm.Table)+" SET "+qi(r.rf.Column)+" = NULL WHERE "+qi("id"), rids); err != nil {
				return err
			}
		}
	}
	for _, rm := range o.reg.Models() {
		for _, rf := range rm.Fields {
			if rf.Type != Many2many {
				continue
			}
			if rm == m {
				if err := o.execIDs(ctx, m, "DELETE FROM "+qi(rf.RelTable)+" WHERE "+qi(rf.RelColumn1), ids); err != nil {
					return err
				}
			}
			if rf.Relation == m.Name {
				if err := o.execIDs(ctx, m, "DELETE FROM "+qi(rf.RelTable)+" WHERE "+qi(rf.RelColumn2), ids); err != nil {
					return err
				}
			}
		}
	}
	return o.execIDs(ctx, m, "DELETE FROM "+qi(m.Table)+" WHERE "+qi("id"), ids)
}

// referencing returns the ids of rm whose rf points at one of ids.
func (o *orm) referencing(ctx context.Context, rm *Model, rf *Field, ids []int64) ([]int64, error) {
	var out []int64
	for _, chunk := range chunkIDs(ids) {
		c := o.compiler()
		q := "SELECT " + qi("id") + " FROM " + qi(rm.Table) + " WHERE " + qi(rf.Column) + " IN (" + c.argList(chunk) + ")"
		rows, err := o.db.QueryContext(ctx, q, c.args...)
		if err != nil {
			return nil, Internal(fmt.Errorf("unlink: references from %s.%s: %w", rm.Name, rf.Name, err))
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, Internal(err)
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, Internal(err)
		}
	}
	return out, nil
}

// execIDs runs "<head> IN (ids)" in chunks; errors are translated for m.
func (o *orm) execIDs(ctx context.Context, m *Model, head string, ids []int64) error {
	for _, chunk := range chunkIDs(ids) {
		c := o.compiler()
		if _, err := o.db.ExecContext(ctx, head+" IN ("+c.argList(chunk)+")", c.args...); err != nil {
			return o.dbError(m, err)
		}
	}
	return nil
}

// unlink(ids): True; ids already deleted are ignored.
func ormUnlink(ctx context.Context, c *Call) (any, error) {
	b, err := bind(c, signature{name: "unlink", record: true})
	if err != nil {
		return nil, err
	}
	o, err := newORM(c)
	if err != nil {
		return nil, err
	}
	if len(b.ids) == 0 {
		return true, nil
	}
	if err := o.checkAccess(ctx, c.Model, OpUnlink); err != nil {
		return nil, err
	}
	if err := o.unlink(ctx, c.Model, b.ids); err != nil {
		return nil, err
	}
	return true, nil
}
