package models

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// The statements of searches: ids, records with their columns (and
// many2one names) in one statement, counts.

// searchSQL compiles with c a search of m selecting sel from its table and
// joins: the condition of e (with the active filter when activeTest), the
// order, offset and limit.
func (o *orm) searchSQL(c *compiler, m *Model, sel, joins string, e Expr, activeTest bool, order string, offset, limit int64) (string, []any, error) {
	cond, _, err := c.where(m, e, activeTest)
	if err != nil {
		return "", nil, err
	}
	ob, err := c.orderBy(m, rootAlias, order)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	b.Grow(len(sel) + len(joins) + len(cond) + len(ob) + 64)
	b.WriteString("SELECT ")
	b.WriteString(sel)
	b.WriteString(" FROM ")
	b.WriteString(qi(m.Table))
	b.WriteString(" AS ")
	b.WriteString(qi(rootAlias))
	b.WriteString(joins)
	b.WriteString(" WHERE ")
	b.WriteString(cond)
	b.WriteString(" ORDER BY ")
	b.WriteString(ob)
	switch {
	case limit > 0:
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.FormatInt(limit, 10))
	case offset > 0 && o.dialect == DialectSQLite:
		b.WriteString(" LIMIT -1")
	}
	if offset > 0 {
		b.WriteString(" OFFSET ")
		b.WriteString(strconv.FormatInt(offset, 10))
	}
	return b.String(), c.args, nil
}

// searchIDs runs a compiled search and returns the ids in order.
func (o *orm) searchIDs(ctx context.Context, m *Model, e Expr, activeTest bool, order string, offset, limit int64) ([]int64, error) {
	q, args, err := o.searchSQL(o.compiler(), m, qcol(rootAlias, "id"), "", e, activeTest, order, offset, limit)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	err = o.eachRow(ctx, q, args, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, Internal(fmt.Errorf("search %s: %w", m.Name, err))
	}
	return ids, nil
}

// searchRecords runs a compiled search that reads the records found with
// the columns fields need, and the display names of many2one targets when
// names is set, in one statement; the values of the fields are left to
// computeValues.
func (o *orm) searchRecords(ctx context.Context, m *Model, e Expr, order string, offset, limit int64, fields []*Field, names bool) (*readSet, error) {
	leave, err := o.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	c := o.compiler()
	cols := readColumns(m, fields)
	var joins []nameJoin
	if names {
		joins = nameJoins(c, fields)
	}
	sel, from := selectSQL(cols, joins)
	q, args, err := o.searchSQL(c, m, sel, from, e, true, order, offset, limit)
	if err != nil {
		return nil, err
	}
	n := 16
	if limit > 0 && limit < 1024 {
		n = int(limit)
	}
	rs := &readSet{ids: make([]int64, 0, n), rows: make([]Row, 0, n)}
	var joined [][]any
	err = o.scanRows(ctx, m, q, args, cols, joins, func(id int64, row Row, names []any) {
		rs.ids = append(rs.ids, id)
		rs.rows = append(rs.rows, row)
		if len(joins) > 0 {
			joined = append(joined, names)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(joins) > 0 {
		rs.names = make(map[string][]any, len(joins))
		for j, jn := range joins {
			vals := make([]any, len(joined))
			for i, names := range joined {
				vals[i] = names[j]
			}
			rs.names[jn.field.Name] = vals
		}
	}
	return rs, nil
}

// count counts the records matching e, at most limit when limit > 0.
func (o *orm) count(ctx context.Context, m *Model, e Expr, limit int64) (int64, error) {
	c := o.compiler()
	cond, _, err := c.where(m, e, true)
	if err != nil {
		return 0, err
	}
	from := " FROM " + qi(m.Table) + " AS " + qi(rootAlias) + " WHERE " + cond
	q := "SELECT count(*)" + from
	if limit > 0 {
		q = "SELECT count(*) FROM (SELECT 1" + from + " LIMIT " + strconv.FormatInt(limit, 10) + ") AS " + qi("sub")
	}
	var n int64
	err = o.eachRow(ctx, q, c.args, func(rows *sql.Rows) error { return rows.Scan(&n) })
	if err != nil {
		return 0, Internal(fmt.Errorf("search_count %s: %w", m.Name, err))
	}
	return n, nil
}
