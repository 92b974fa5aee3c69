package models

import (
	"context"
	"database/sql"
	"fmt"
)

// x2manyValues reads the linked ids of f for ids, in the comodel's order,
// inactive records left out when the context's active_test is on: one
// query per field (per thousand records).
func (o *orm) x2manyValues(ctx context.Context, m *Model, f *Field, ids []int64) ([]any, error) {
	cm := o.reg.modelOrNil(f.Relation)
	links := make(map[int64][]int64, len(ids))
	if cm != nil {
		for _, chunk := range chunkIDs(ids) {
			if err := o.loadLinks(ctx, f, cm, padIDs(chunk), links); err != nil {
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

// loadLinks adds the links of ids (duplicates allowed) to into.
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
	err = o.eachRow(ctx, q+" ORDER BY "+order, c.args, func(rows *sql.Rows) error {
		var owner, id int64
		if err := rows.Scan(&owner, &id); err != nil {
			return err
		}
		into[owner] = append(into[owner], id)
		return nil
	})
	if err != nil {
		return Internal(fmt.Errorf("read %s: %w", f.Name, err))
	}
	return nil
}
