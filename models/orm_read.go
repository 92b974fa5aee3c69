package models

import (
	"context"
	"fmt"
	"strings"
)

// The reader: rows of stored columns in one query per model, then the
// values of the fields asked for, each kind in one batched query (x2many
// ids per field, related values per path, display names per comodel), so
// reading N records costs a fixed number of queries.

// fetched is the result of a read: existing ids in request order (with
// duplicates), their rows (column -> value) and field values.
type fetched struct {
	ids  []int64
	rows map[int64]Row
	vals map[int64]map[string]any
}

// fetch reads ids of m with the values of fields (Go-normalised).
func (o *orm) fetch(ctx context.Context, m *Model, ids []int64, fields []*Field) (*fetched, error) {
	leave, err := o.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	fx := &fetched{rows: map[int64]Row{}, vals: map[int64]map[string]any{}}
	if err := o.loadRows(ctx, m, uniqueIDs(ids), fx.rows); err != nil {
		return nil, err
	}
	fx.ids = make([]int64, 0, len(ids))
	for _, id := range ids {
		if _, ok := fx.rows[id]; ok {
			fx.ids = append(fx.ids, id)
			if fx.vals[id] == nil {
				fx.vals[id] = map[string]any{}
			}
		}
	}
	uniq := uniqueIDs(fx.ids)
	rows := make([]Row, len(uniq))
	for i, id := range uniq {
		rows[i] = fx.rows[id]
	}
	for _, f := range fields {
		vals, err := o.fieldValues(ctx, m, f, uniq, rows)
		if err != nil {
			return nil, err
		}
		for i, id := range uniq {
			fx.vals[id][f.Name] = vals[i]
		}
	}
	return fx, nil
}

// storedColumns lists m's columns once each, with the field reading each.
func storedColumns(m *Model) ([]string, []*Field) {
	seen := map[string]bool{}
	var cols []string
	var fields []*Field
	for _, f := range m.Fields {
		if f.Stored() && !seen[f.Column] {
			seen[f.Column] = true
			cols = append(cols, f.Column)
			fields = append(fields, f)
		}
	}
	return cols, fields
}

// loadRows reads every stored column of ids into rows (keyed by column).
func (o *orm) loadRows(ctx context.Context, m *Model, ids []int64, into map[int64]Row) error {
	cols, fields := storedColumns(m)
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = qcol(rootAlias, c)
	}
	for _, chunk := range chunkIDs(ids) {
		c := o.compiler()
		q := "SELECT " + strings.Join(sel, ", ") + " FROM " + qi(m.Table) + " AS " + qi(rootAlias) +
			" WHERE " + qcol(rootAlias, "id") + " IN (" + c.argList(chunk) + ")"
		if err := o.scanRows(ctx, m, q, c.args, cols, fields, into); err != nil {
			return err
		}
	}
	return nil
}

func (o *orm) scanRows(ctx context.Context, m *Model, q string, args []any, cols []string, fields []*Field, into map[int64]Row) error {
	rows, err := o.db.QueryContext(ctx, q, args...)
	if err != nil {
		return Internal(fmt.Errorf("read %s: %w", m.Name, err))
	}
	defer rows.Close()
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Internal(fmt.Errorf("read %s: %w", m.Name, err))
		}
		row := make(Row, len(cols))
		for i, col := range cols {
			v, err := FromColumn(o.dialect, fields[i], raw[i])
			if err != nil {
				return Internal(fmt.Errorf("read %s.%s: %w", m.Name, fields[i].Name, err))
			}
			row[col] = v
		}
		id, _ := row["id"].(int64)
		into[id] = row
	}
	if err := rows.Err(); err != nil {
		return Internal(fmt.Errorf("read %s: %w", m.Name, err))
	}
	return nil
}

// fieldValues computes f for the records (ids and rows aligned).
func (o *orm) fieldValues(ctx context.Context, m *Model, f *Field, ids []int64, rows []Row) ([]any, error) {
	out := make([]any, len(ids))
	switch {
	case len(ids) == 0:
		return out, nil
	case f.Stored():
		for i, r := range rows {
			out[i] = r[f.Column]
		}
		return out, nil
	case f.Type == One2many || f.Type == Many2many:
		return o.x2manyValues(ctx, m, f, ids)
	case f.ComputeDB != nil:
		vals, err := f.ComputeDB(ctx, o.db, o.env, rows)
		return checkComputed(m, f, vals, len(rows), err)
	case f.Compute != nil:
		vals, err := f.Compute(o.env, rows)
		return checkComputed(m, f, vals, len(rows), err)
	case f.Related != "":
		byID, err := o.pathValues(ctx, m, ids, strings.Split(f.Related, "."))
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	case f.Name == "display_name":
		names, err := o.displayNames(ctx, m, ids, rows)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			if n := names[id]; n != "" {
				out[i] = n
			}
		}
		return out, nil
	}
	return out, nil // a field without storage or computation reads empty
}

func checkComputed(m *Model, f *Field, vals []any, n int, err error) ([]any, error) {
	if err != nil {
		return nil, err
	}
	if len(vals) != n {
		return nil, Internal(fmt.Errorf("compute %s.%s: %d values for %d records", m.Name, f.Name, len(vals), n))
	}
	return vals, nil
}

// pathValues follows a related path ("program_id.currency_id") from ids
// of m and returns the value at its end per id.
func (o *orm) pathValues(ctx context.Context, m *Model, ids []int64, path []string) (map[int64]any, error) {
	f := m.Field(path[0])
	if f == nil {
		return nil, Internal(fmt.Errorf("related %s: no field %s on %s", strings.Join(path, "."), path[0], m.Name))
	}
	fx, err := o.fetch(ctx, m, ids, []*Field{f})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]any, len(fx.ids))
	if len(path) == 1 {
		for _, id := range fx.ids {
			out[id] = fx.vals[id][f.Name]
		}
		return out, nil
	}
	cm := o.reg.modelOrNil(f.Relation)
	if f.Type != Many2one || cm == nil {
		return nil, Internal(fmt.Errorf("related %s: %s.%s is not a many2one to a served model", strings.Join(path, "."), m.Name, f.Name))
	}
	var targets []int64
	for _, id := range fx.ids {
		if t, ok := fx.vals[id][f.Name].(int64); ok {
			targets = append(targets, t)
		}
	}
	next, err := o.pathValues(ctx, cm, uniqueIDs(targets), path[1:])
	if err != nil {
		return nil, err
	}
	for _, id := range fx.ids {
		if t, ok := fx.vals[id][f.Name].(int64); ok {
			out[id] = next[t]
		}
	}
	return out, nil
}

// x2manyValues reads the linked ids of f for ids, in the comodel's order,
// inactive records left out when the context's active_test is on.
func (o *orm) x2manyValues(ctx context.Context, m *Model, f *Field, ids []int64) ([]any, error) {
	cm := o.reg.modelOrNil(f.Relation)
	links := make(map[int64][]int64, len(ids))
	if cm != nil {
		for _, chunk := range chunkIDs(ids) {
			if err := o.loadLinks(ctx, f, cm, chunk, links); err != nil {
				return nil, err
			}
		}
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		l := links[id]
		if l == nil {
			l = []int64{}
		}
		out[i] = l
	}
	return out, nil
}

func (o *orm) loadLinks(ctx context.Context, f *Field, cm *Model, ids []int64, into map[int64][]int64) error {
	c := o.compiler()
	var q string
	if f.Type == One2many {
		inv := cm.Field(f.RelationField)
		if inv == nil || !inv.Stored() {
			return Internal(fmt.Errorf("read %s: inverse %s.%s not stored", f.Name, cm.Name, f.RelationField))
		}
		cond, _, err := c.where(cm, &Leaf{Left: inv.Name, Op: "in", Right: ids}, true)
		if err != nil {
			return err
		}
		q = "SELECT " + qcol(rootAlias, inv.Column) + ", " + qcol(rootAlias, "id") + " FROM " + qi(cm.Table) +
			" AS " + qi(rootAlias) + " WHERE " + cond
	} else {
		rel := qi("rel")
		q = "SELECT " + rel + "." + qi(f.RelColumn1) + ", " + qcol(rootAlias, "id") + " FROM " + qi(cm.Table) +
			" AS " + qi(rootAlias) + " JOIN " + qi(f.RelTable) + " AS " + rel + " ON " + rel + "." + qi(f.RelColumn2) +
			" = " + qcol(rootAlias, "id") + " WHERE " + rel + "." + qi(f.RelColumn1) + " IN (" + c.argList(ids) + ")"
		cond, _, err := c.where(cm, Const(true), true)
		if err != nil {
			return err
		}
		if cond != "TRUE" {
			q += " AND " + cond
		}
	}
	order, err := c.orderBy(cm, rootAlias, "")
	if err != nil {
		return err
	}
	rows, err := o.db.QueryContext(ctx, q+" ORDER BY "+order, c.args...)
	if err != nil {
		return Internal(fmt.Errorf("read %s: %w", f.Name, err))
	}
	defer rows.Close()
	for rows.Next() {
		var owner, id int64
		if err := rows.Scan(&owner, &id); err != nil {
			return Internal(fmt.Errorf("read %s: %w", f.Name, err))
		}
		into[owner] = append(into[owner], id)
	}
	if err := rows.Err(); err != nil {
		return Internal(fmt.Errorf("read %s: %w", f.Name, err))
	}
	return nil
}
