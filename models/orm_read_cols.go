package models

import (
	"strings"
)

// What the reader selects: the columns fields need, and LEFT JOINs that
// read the display names of many2one targets with the records.

// readCols are the columns a read selects on the root alias, "id" first,
// with the field reading each.
type readCols struct {
	names  []string
	fields []*Field
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

// readColumns returns the columns reading fields of m needs: id, the
// stored fields', those the related fields and display_name go through,
// and every column when a computed field (or Model.DisplayName) is among
// them, since computes may read any column of their rows.
func readColumns(m *Model, fields []*Field) readCols {
	rc := readCols{names: make([]string, 1, len(fields)+1), fields: make([]*Field, 1, len(fields)+1)}
	rc.names[0], rc.fields[0] = "id", m.Field("id")
	for _, f := range fields {
		if !rc.need(m, f, 0) {
			cols, fs := storedColumns(m)
			all := readCols{names: make([]string, 1, len(cols)), fields: make([]*Field, 1, len(cols))}
			all.names[0], all.fields[0] = "id", m.Field("id")
			for i, c := range cols {
				if c != "id" {
					all.names = append(all.names, c)
					all.fields = append(all.fields, fs[i])
				}
			}
			return all
		}
	}
	return rc
}

// need adds the columns f needs; false means every column.
func (rc *readCols) need(m *Model, f *Field, depth int) bool {
	switch {
	case depth > maxPathDepth:
		return false
	case f.Stored():
		for _, c := range rc.names {
			if c == f.Column {
				return true
			}
		}
		rc.names = append(rc.names, f.Column)
		rc.fields = append(rc.fields, f)
		return true
	case f.Type == One2many || f.Type == Many2many:
		return true
	case f.ComputeDB != nil || f.Compute != nil:
		return false
	case f.Related != "":
		first, _, _ := strings.Cut(f.Related, ".")
		if hop := m.Field(first); hop != nil {
			return rc.need(m, hop, depth+1)
		}
		return true // an error when read
	case f.Name == "display_name":
		switch {
		case m.DisplayName != nil:
			return false
		case m.RecName != "" && m.RecName != "display_name" && m.Field(m.RecName) != nil:
			return rc.need(m, m.Field(m.RecName), depth+1)
		}
	}
	return true
}

// nameJoin reads the display names of the targets of a stored many2one
// with the records: LEFT JOIN comodel ON id = the many2one's column,
// selecting the comodel's id and rec name column.
type nameJoin struct {
	field *Field // the many2one
	model string // its relation, as foreignName takes it
	rec   *Field // the comodel's rec name field
	table string
	alias string
}

// nameJoins returns a join per many2one of fields whose comodel's display
// name is plainly its stored rec name (no compute, no DisplayName); the
// names of the others are read by targetNames.
func nameJoins(c *compiler, fields []*Field) []nameJoin {
	var out []nameJoin
	for _, f := range fields {
		if f.Type != Many2one || !f.Stored() {
			continue
		}
		cm := c.reg.modelOrNil(f.Relation)
		if cm == nil || cm.DisplayName != nil || cm.RecName == "" || cm.RecName == "display_name" {
			continue
		}
		dn, rec := cm.Field("display_name"), cm.Field(cm.RecName)
		if dn == nil || dn.Stored() || dn.ComputeDB != nil || dn.Compute != nil || dn.Related != "" ||
			rec == nil || !rec.Stored() {
			continue
		}
		out = append(out, nameJoin{field: f, model: f.Relation, rec: rec, table: cm.Table, alias: c.newAlias()})
	}
	return out
}

// selectSQL is the SELECT list of cols and joins and the joins' FROM
// clauses.
func selectSQL(cols readCols, joins []nameJoin) (sel, from string) {
	var b strings.Builder
	b.Grow(len(cols.names)*24 + len(joins)*40)
	for i, c := range cols.names {
		if i > 0 {
			b.WriteString(", ")
		}
		writeQcol(&b, rootAlias, c)
	}
	if len(joins) == 0 {
		return b.String(), ""
	}
	var f strings.Builder
	f.Grow(len(joins) * 64)
	for _, j := range joins {
		b.WriteString(", ")
		writeQcol(&b, j.alias, "id")
		b.WriteString(", ")
		writeQcol(&b, j.alias, j.rec.Column)
		f.WriteString(" LEFT JOIN ")
		f.WriteString(qi(j.table))
		f.WriteString(" AS ")
		f.WriteString(qi(j.alias))
		f.WriteString(" ON ")
		writeQcol(&f, j.alias, "id")
		f.WriteString(" = ")
		writeQcol(&f, rootAlias, j.field.Column)
	}
	return b.String(), f.String()
}

// writeQcol writes qcol(alias, column) to b.
func writeQcol(b *strings.Builder, alias, column string) {
	writeQi(b, alias)
	b.WriteByte('.')
	writeQi(b, column)
}

// writeQi writes qi(name) to b.
func writeQi(b *strings.Builder, name string) {
	b.WriteByte('"')
	if strings.IndexByte(name, '"') < 0 {
		b.WriteString(name)
	} else {
		b.WriteString(strings.ReplaceAll(name, `"`, `""`))
	}
	b.WriteByte('"')
}

// padIDs pads ids to the next power of two by repeating the last one, so
// that IN lists of similar lengths share one prepared statement.
func padIDs(ids []int64) []int64 {
	n := 1
	for n < len(ids) {
		n <<= 1
	}
	if n == len(ids) || len(ids) == 0 {
		return ids
	}
	out := make([]int64, n)
	copy(out, ids)
	for i := len(ids); i < n; i++ {
		out[i] = ids[len(ids)-1]
	}
	return out
}
