package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The reader: the rows of the records in one query per model, selecting
// only the columns the fields asked for need (all of them when a computed
// field is among those, as computes read any column), then the values of
// the other fields, each kind in one batched query (x2many ids per field,
// related values per hop, display names per comodel), so reading N
// records costs a fixed number of queries.

// readSet is what the reader read: the records found (unique, in order),
// their rows (column -> value) and the values of the fields read, aligned:
// vals[j][i] is field j of record i.
type readSet struct {
	ids  []int64
	rows []Row
	vals [][]any
	// names holds, per many2one field read with a nameJoin, the display
	// names of the records' targets as read() returns them (a string or
	// False; nil without a target).
	names map[string][]any
}

// fetched is the result of fetch: existing ids in request order (with
// duplicates), their rows (column -> value) and field values.
type fetched struct {
	ids  []int64
	rows map[int64]Row
	vals map[int64]map[string]any
}

// fetch reads ids of m with the values of fields (Go-normalised).
func (o *orm) fetch(ctx context.Context, m *Model, ids []int64, fields []*Field) (*fetched, error) {
	rs, err := o.readIDs(ctx, m, ids, fields)
	if err != nil {
		return nil, err
	}
	fx := &fetched{rows: make(map[int64]Row, len(rs.ids)), vals: make(map[int64]map[string]any, len(rs.ids))}
	for i, id := range rs.ids {
		fx.rows[id] = rs.rows[i]
		v := make(map[string]any, len(fields))
		for j, f := range fields {
			v[f.Name] = rs.vals[j][i]
		}
		fx.vals[id] = v
	}
	fx.ids = make([]int64, 0, len(ids))
	for _, id := range ids {
		if _, ok := fx.rows[id]; ok {
			fx.ids = append(fx.ids, id)
		}
	}
	return fx, nil
}

// readIDs reads the records of ids that exist (each once, in the order of
// their first occurrence) with the values of fields.
func (o *orm) readIDs(ctx context.Context, m *Model, ids []int64, fields []*Field) (*readSet, error) {
	return o.readRecords(ctx, m, ids, fields, false)
}

// readRecords is readIDs that also reads the display names of many2one
// targets through joins when names is set.
func (o *orm) readRecords(ctx context.Context, m *Model, ids []int64, fields []*Field, names bool) (*readSet, error) {
	leave, err := o.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	uniq := uniqueIDs(ids)
	cols := readColumns(m, fields)
	byID := make(map[int64]Row, len(uniq))
	var namesByID map[int64][]any
	var joins []nameJoin
	for _, chunk := range chunkIDs(uniq) {
		c := o.compiler()
		if names {
			joins = nameJoins(c, fields)
		}
		sel, from := selectSQL(cols, joins)
		q := "SELECT " + sel + " FROM " + qi(m.Table) + " AS " + qi(rootAlias) + from +
			" WHERE " + qcol(rootAlias, "id") + " IN (" + c.argList(padIDs(chunk)) + ")"
		if len(joins) > 0 && namesByID == nil {
			namesByID = make(map[int64][]any, len(uniq))
		}
		err := o.scanRows(ctx, m, q, c.args, cols, joins, func(id int64, row Row, names []any) {
			byID[id] = row
			if len(joins) > 0 {
				namesByID[id] = names
			}
		})
		if err != nil {
			return nil, err
		}
	}
	rs := &readSet{ids: make([]int64, 0, len(byID)), rows: make([]Row, 0, len(byID))}
	for _, id := range uniq {
		if row, ok := byID[id]; ok {
			rs.ids = append(rs.ids, id)
			rs.rows = append(rs.rows, row)
		}
	}
	if len(joins) > 0 {
		rs.names = make(map[string][]any, len(joins))
		for j, jn := range joins {
			vals := make([]any, len(rs.ids))
			for i, id := range rs.ids {
				vals[i] = namesByID[id][j]
			}
			rs.names[jn.field.Name] = vals
		}
	}
	return rs, o.computeValues(ctx, m, rs, fields)
}

// computeValues fills rs.vals with the values of fields.
func (o *orm) computeValues(ctx context.Context, m *Model, rs *readSet, fields []*Field) error {
	rs.vals = make([][]any, len(fields))
	for j, f := range fields {
		vals, err := o.fieldValues(ctx, m, f, rs.ids, rs.rows)
		if err != nil {
			return err
		}
		rs.vals[j] = vals
	}
	return nil
}

// scanRows runs q, which selects cols then the id and rec name of each
// join, and hands each row (keyed by column, values normalised by
// FromColumn) to add with its id and the targets' display names, one per
// join (a fresh slice per row).
func (o *orm) scanRows(ctx context.Context, m *Model, q string, args []any, cols readCols, joins []nameJoin,
	add func(id int64, row Row, names []any)) error {
	n := len(cols.names)
	raw := make([]any, n+2*len(joins))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	err := o.eachRow(ctx, q, args, func(rows *sql.Rows) error {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := make(Row, n)
		for i, col := range cols.names {
			v, err := readValue(o.dialect, cols.fields[i], raw[i])
			if err != nil {
				return fmt.Errorf("%s: %w", cols.fields[i].Name, err)
			}
			row[col] = v
		}
		var names []any
		if len(joins) > 0 {
			names = make([]any, len(joins))
			for j, jn := range joins {
				target, ok := row[jn.field.Column].(int64)
				switch {
				case !ok || target == 0:
				case raw[n+2*j] == nil: // a dangling reference
					names[j] = foreignName(jn.model, target)
				default:
					v, err := readValue(o.dialect, jn.rec, raw[n+2*j+1])
					if err != nil {
						return fmt.Errorf("%s.%s: %w", jn.model, jn.rec.Name, err)
					}
					if s := recNameString(v); s != "" {
						names[j] = s
					} else {
						names[j] = false
					}
				}
			}
		}
		id, _ := row["id"].(int64)
		add(id, row, names)
		return nil
	})
	if err != nil {
		return Internal(fmt.Errorf("read %s: %w", m.Name, err))
	}
	return nil
}

// readValue is FromColumn that keeps the driver's value when it already
// is the normalised one (an int64 id or integer, a string of text), which
// spares boxing it again.
func readValue(dialect string, f *Field, raw any) (any, error) {
	switch raw.(type) {
	case int64:
		if f.Type == Integer || f.Type == Many2one {
			return raw, nil
		}
	case string:
		switch f.Type {
		case Char, Text, HTML, Selection:
			return raw, nil
		}
	}
	return FromColumn(dialect, f, raw)
}

// eachRow runs q (compiled, "?" placeholders) with args in the call's
// database or transaction, as a cached prepared statement when it can,
// and calls scan for each row.
func (o *orm) eachRow(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	if o.reg != nil && o.reg.DB != nil {
		return o.reg.DB.eachRow(ctx, o.db, q, args, scan)
	}
	rows, err := o.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
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
		return o.relatedValues(ctx, m, f, ids, rows)
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

// relatedValues reads a related field: its first hop from the rows
// already read, the rest of the path on the comodels.
func (o *orm) relatedValues(ctx context.Context, m *Model, f *Field, ids []int64, rows []Row) ([]any, error) {
	path := strings.Split(f.Related, ".")
	hop := m.Field(path[0])
	if hop == nil {
		return nil, Internal(fmt.Errorf("related %s: no field %s on %s", f.Related, path[0], m.Name))
	}
	vals, err := o.fieldValues(ctx, m, hop, ids, rows)
	if err != nil || len(path) == 1 {
		return vals, err
	}
	cm := o.reg.modelOrNil(hop.Relation)
	if hop.Type != Many2one || cm == nil {
		return nil, Internal(fmt.Errorf("related %s: %s.%s is not a many2one to a served model", f.Related, m.Name, hop.Name))
	}
	targets := make([]int64, 0, len(vals))
	for _, v := range vals {
		if t, ok := v.(int64); ok {
			targets = append(targets, t)
		}
	}
	next, err := o.pathValues(ctx, cm, uniqueIDs(targets), path[1:])
	if err != nil {
		return nil, err
	}
	out := make([]any, len(vals))
	for i, v := range vals {
		if t, ok := v.(int64); ok {
			out[i] = next[t]
		}
	}
	return out, nil
}

// pathValues follows a related path ("program_id.currency_id") from ids
// of m and returns the value at its end per id.
func (o *orm) pathValues(ctx context.Context, m *Model, ids []int64, path []string) (map[int64]any, error) {
	f := m.Field(path[0])
	if f == nil {
		return nil, Internal(fmt.Errorf("related %s: no field %s on %s", strings.Join(path, "."), path[0], m.Name))
	}
	rs, err := o.readIDs(ctx, m, ids, []*Field{f})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]any, len(rs.ids))
	if len(path) == 1 {
		for i, id := range rs.ids {
			out[id] = rs.vals[0][i]
		}
		return out, nil
	}
	cm := o.reg.modelOrNil(f.Relation)
	if f.Type != Many2one || cm == nil {
		return nil, Internal(fmt.Errorf("related %s: %s.%s is not a many2one to a served model", strings.Join(path, "."), m.Name, f.Name))
	}
	var targets []int64
	for _, v := range rs.vals[0] {
		if t, ok := v.(int64); ok {
			targets = append(targets, t)
		}
	}
	next, err := o.pathValues(ctx, cm, uniqueIDs(targets), path[1:])
	if err != nil {
		return nil, err
	}
	for i, id := range rs.ids {
		if t, ok := rs.vals[0][i].(int64); ok {
			out[id] = next[t]
		}
	}
	return out, nil
}
