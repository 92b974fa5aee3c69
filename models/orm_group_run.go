package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Running the compiled read_group: the statement with its arguments in
// placeholder order, the rows read back, and web_read_group's count.

// from is the FROM ... WHERE part shared by the query and its count.
func (q *groupQuery) from() string {
	return " FROM " + qi(q.req.m.Table) + " AS " + qi(rootAlias) + strings.Join(q.joins, "") + " WHERE " + q.where.sql
}

// groupByClause groups by the positions of the group terms.
func (q *groupQuery) groupByClause() string {
	if len(q.groups) == 0 {
		return ""
	}
	pos := make([]string, len(q.groups))
	for i := range pos {
		pos[i] = strconv.Itoa(i + 1)
	}
	return " GROUP BY " + strings.Join(pos, ", ")
}

// statement assembles the query with its arguments in placeholder order.
func (q *groupQuery) statement() (string, []any) {
	sel := make([]string, 0, len(q.groups)+len(q.aggs))
	var args []any
	for _, g := range q.groups {
		sel = append(sel, g.sql)
		args = append(args, g.args...)
	}
	for _, a := range q.aggs {
		sel = append(sel, a.sql)
		args = append(args, a.args...)
	}
	s := "SELECT " + strings.Join(sel, ", ") + q.from() + q.groupByClause()
	args = append(args, q.where.args...)
	if q.order.sql != "" {
		s += " ORDER BY " + q.order.sql
		args = append(args, q.order.args...)
	}
	limit, offset := q.req.limit, q.req.offset
	switch {
	case limit > 0:
		s += " LIMIT " + strconv.FormatInt(limit, 10)
	case offset > 0 && q.o.dialect == DialectSQLite:
		s += " LIMIT -1"
	}
	if offset > 0 {
		s += " OFFSET " + strconv.FormatInt(offset, 10)
	}
	return s, args
}

// groupRow is one row of the result: group values and aggregates,
// normalised (see groupValue and aggValue).
type groupRow struct {
	groups []any
	aggs   []any
}

// run executes the query.
func (q *groupQuery) run(ctx context.Context) ([]groupRow, error) {
	s, args := q.statement()
	rows, err := q.o.db.QueryContext(ctx, s, args...)
	if err != nil {
		return nil, Internal(fmt.Errorf("read_group %s: %w", q.req.m.Name, err))
	}
	defer rows.Close()
	n := len(q.groups) + len(q.aggs)
	raw := make([]any, n)
	ptrs := make([]any, n)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var out []groupRow
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, Internal(fmt.Errorf("read_group %s: %w", q.req.m.Name, err))
		}
		r := groupRow{groups: make([]any, len(q.groups)), aggs: make([]any, len(q.aggs))}
		for i := range q.groups {
			if r.groups[i], err = q.groupValue(q.req.groups[i], raw[i]); err != nil {
				return nil, err
			}
		}
		for j, a := range q.aggs {
			if r.aggs[j], err = q.aggValue(a, raw[len(q.groups)+j]); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, Internal(fmt.Errorf("read_group %s: %w", q.req.m.Name, err))
	}
	return out, nil
}

// countGroups counts every group of the query, for web_read_group.
func (q *groupQuery) countGroups(ctx context.Context) (int64, error) {
	if len(q.groups) == 0 {
		return 1, nil // without groupby there is always one group
	}
	sel := make([]string, len(q.groups))
	var args []any
	for i, g := range q.groups {
		sel[i] = g.sql
		args = append(args, g.args...)
	}
	args = append(args, q.where.args...)
	s := "SELECT count(*) FROM (SELECT " + strings.Join(sel, ", ") + q.from() + q.groupByClause() + ") AS " + qi("sub")
	var n int64
	if err := q.o.db.QueryRowContext(ctx, s, args...).Scan(&n); err != nil {
		return 0, Internal(fmt.Errorf("web_read_group %s: %w", q.req.m.Name, err))
	}
	return n, nil
}
