package pull

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// spec is what is pulled of one model: its local descriptor, the stored
// fields both sides have, and how to read them.
type spec struct {
	name, table string
	m           *models.Model
	dialect     string
	cols        []*models.Field // stored scalar and many2one fields, one per column
	m2m         []*models.Field // many2many fields with a local link table
	fields      []string        // asked from Odoo
	active      bool            // both sides have "active": archived rows are read too
	versioned   bool            // the table has sync_version and pulled_version
	writeCol    string
	createCol   string
}

// skipped are never pulled: the id is the key, the log fields are set
// apart, the users are Odoo's and not ours.
var skipped = map[string]bool{
	"id": true, "create_uid": true, "write_uid": true, "create_date": true, "write_date": true, "display_name": true,
}

// versionedTables have sync_version (init) and pulled_version (pull).
var versionedTables = map[string]bool{"res_partner": true, "promotion_programs": true}

// datetimeField converts write_date and create_date values.
var datetimeField = &models.Field{Name: "write_date", Type: models.Datetime}

// newSpec intersects the local model m with the upstream's fields_get
// answer fg. Fields Odoo does not store are read too: product.product's
// name and list_price come from its template (they are not stored on the
// variant), and search_read computes them.
func newSpec(db *models.DB, m *models.Model, fg map[string]map[string]any) (*spec, error) {
	sp := &spec{name: m.Name, table: m.Table, m: m, dialect: db.DialectName(),
		versioned: versionedTables[m.Table], fields: []string{"write_date", "create_date"}}
	if f := m.Field("write_date"); f != nil && f.Stored() {
		sp.writeCol = f.Column
	}
	if f := m.Field("create_date"); f != nil && f.Stored() {
		sp.createCol = f.Column
	}
	if sp.writeCol == "" {
		return nil, fmt.Errorf("pull: %s has no stored write_date", m.Name)
	}
	cols := map[string]bool{}
	for _, f := range m.Fields {
		up, ok := fg[f.Name]
		if !ok || skipped[f.Name] || f.Related != "" {
			continue
		}
		upType, _ := up["type"].(string)
		switch {
		case f.Type == models.Many2many:
			if f.RelTable == "" || upType != "many2many" {
				continue
			}
			sp.m2m = append(sp.m2m, f)
		case !f.Stored() || cols[f.Column]:
			continue
		case upType == "one2many" || upType == "many2many" || upType == "binary":
			continue
		default:
			cols[f.Column] = true
			sp.cols = append(sp.cols, f)
			if f.Name == "active" && f.Type == models.Boolean {
				sp.active = true
			}
		}
		sp.fields = append(sp.fields, f.Name)
	}
	return sp, nil
}

// domain reads archived records too: a domain naming active turns off
// Odoo's implicit active filter.
func (sp *spec) domain() []any {
	if sp.active {
		return []any{[]any{"active", "in", []any{true, false}}}
	}
	return []any{}
}

// row is one pulled record converted to column values.
type row struct {
	id         int64
	vals       []any // per sp.cols
	links      [][]int64
	write      any // write_date column value
	create     any
	hash       int64
	skipReason string
}

// convert turns a search_read / read row into column values.
func (sp *spec) convert(r map[string]any) (row, error) {
	id, ok := r["id"].(int64)
	if !ok || id <= 0 {
		return row{}, fmt.Errorf("%s: row without id", sp.name)
	}
	out := row{id: id, vals: make([]any, len(sp.cols)), links: make([][]int64, len(sp.m2m))}
	for i, f := range sp.cols {
		v := r[f.Name]
		if f.Type == models.Many2one {
			v = m2oID(v)
		}
		cv, err := models.ToColumn(sp.dialect, f, v)
		if err != nil {
			return row{}, fmt.Errorf("%s %d: %s: %w", sp.name, id, f.Name, err)
		}
		if cv == nil && f.Name == "name" {
			cv = "" // Odoo allows nameless contacts; the column does not
		}
		out.vals[i] = cv
	}
	for i, f := range sp.m2m {
		list, _ := r[f.Name].([]any)
		for _, e := range list {
			if n, ok := e.(int64); ok {
				out.links[i] = append(out.links[i], n)
			}
		}
		slices.Sort(out.links[i])
		out.links[i] = slices.Compact(out.links[i])
	}
	var err error
	if out.write, err = models.ToColumn(sp.dialect, datetimeField, r["write_date"]); err != nil || out.write == nil {
		return row{}, fmt.Errorf("%s %d: write_date %v", sp.name, id, r["write_date"])
	}
	out.create, _ = models.ToColumn(sp.dialect, datetimeField, r["create_date"])
	if out.create == nil {
		out.create = out.write
	}
	return out, nil
}

// digest hashes the values written (not write_date: a record rewritten
// with the same values needs no local write).
func (sp *spec) digest(r *row) {
	h := fnv.New64a()
	var b strings.Builder
	for i, f := range sp.cols {
		fmt.Fprintf(&b, "%s=%v\x00", f.Column, r.vals[i])
	}
	for i, f := range sp.m2m {
		fmt.Fprintf(&b, "%s=%v\x00", f.Name, r.links[i])
	}
	_, _ = h.Write([]byte(b.String()))
	r.hash = int64(h.Sum64() >> 1) // fits a signed BIGINT
}

// m2oID reads a many2one as Odoo sends it ([id, name], an id or False).
func m2oID(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			return x[0]
		}
		return nil
	case int64:
		return x
	}
	return nil
}

// q quotes an identifier (both dialects take double quotes).
func q(name string) string { return `"` + name + `"` }

// placeholders returns "?, ?, ..." n times.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
