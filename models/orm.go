package models

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// genericMethods are the ORM methods every model answers (search, read,
// create...), implemented in the orm_*.go files.
var genericMethods = map[string]MethodFunc{
	"search":              ormSearch,
	"search_count":        ormSearchCount,
	"search_read":         ormSearchRead,
	"read":                ormRead,
	"create":              ormCreate,
	"write":               ormWrite,
	"unlink":              ormUnlink,
	"fields_get":          ormFieldsGet,
	"name_search":         ormNameSearch,
	"name_get":            ormNameGet,
	"name_create":         ormNameCreate,
	"exists":              ormExists,
	"default_get":         ormDefaultGet,
	"check_access_rights": ormCheckAccessRights,
	"copy":                ormCopy,
	"read_group":          ormReadGroup,
	"web_read_group":      ormWebReadGroup,
	"web_search_read":     ormWebSearchRead,
	"web_read":            ormWebRead,
	"search_fetch":        ormSearchFetch,
	"web_save":            ormWebSave,
}

// readOnlyMethods run outside a write transaction.
var readOnlyMethods = map[string]bool{
	"search":              true,
	"search_count":        true,
	"search_read":         true,
	"read":                true,
	"fields_get":          true,
	"name_search":         true,
	"name_get":            true,
	"exists":              true,
	"default_get":         true,
	"check_access_rights": true,
	"read_group":          true,
	"web_read_group":      true,
	"web_search_read":     true,
	"web_read":            true,
	"search_fetch":        true,
}

// GenericMethod returns the generic implementation of an ORM method
// (search, read, create, write, unlink...), or nil. A model's own method
// may delegate to it, for instance after preparing the values.
func GenericMethod(method string) MethodFunc { return genericMethods[method] }

// orm is one ORM call's working set: registry, transaction (or database
// for reads), environment and dialect. Nested operations (x2many commands,
// cascades) reuse it.
type orm struct {
	reg     *Registry
	db      bun.IDB
	env     *Env
	dialect string
	depth   int // nesting of reads and writes through relations
}

// maxNesting bounds recursion through relations (reads of related
// fields, x2many commands, cascading deletes).
const maxNesting = 32

func newORM(c *Call) (*orm, error) {
	if c.Registry == nil || c.Registry.DB == nil || c.DB == nil || c.Env == nil {
		return nil, Internal(fmt.Errorf("%s.%s: call without registry, database or env", c.Model.Name, c.Method))
	}
	return &orm{reg: c.Registry, db: c.DB, env: c.Env, dialect: c.Registry.DB.DialectName()}, nil
}

// compiler returns a fresh SQL compiler for this call.
func (o *orm) compiler() *compiler { return newCompiler(o.reg, o.env, o.dialect) }

// enter guards a nested operation.
func (o *orm) enter() (func(), error) {
	o.depth++
	if o.depth > maxNesting {
		o.depth--
		return nil, ValueErrorf("Too many nested operations through relations.")
	}
	return func() { o.depth-- }, nil
}

// parseIDs reads Odoo's ids argument: one id or a list of ids; False and
// None are no ids (an empty recordset).
func parseIDs(v any) ([]int64, error) {
	switch x := v.(type) {
	case nil:
		return []int64{}, nil
	case bool:
		if x {
			return nil, ValueErrorf("Invalid id True: ids must be integers")
		}
		return []int64{}, nil
	case []int64:
		return x, nil
	case []any:
		out := make([]int64, 0, len(x))
		for _, e := range x {
			id, ok := asID(e)
			if !ok {
				return nil, ValueErrorf("Invalid id %s: ids must be integers", reprPy(e))
			}
			out = append(out, id)
		}
		return out, nil
	}
	if id, ok := asID(v); ok {
		return []int64{id}, nil
	}
	return nil, ValueErrorf("Invalid id %s: ids must be integers", reprPy(v))
}

// uniqueIDs drops duplicates, keeping the first occurrence.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// existing returns the ids of ids present in m's table, in the order of
// ids (duplicates kept).
func (o *orm) existing(ctx context.Context, m *Model, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return []int64{}, nil
	}
	found := make(map[int64]bool, len(ids))
	for _, chunk := range chunkIDs(uniqueIDs(ids)) {
		c := o.compiler()
		q := "SELECT " + qcol(rootAlias, "id") + " FROM " + qi(m.Table) + " AS " + qi(rootAlias) +
			" WHERE " + qcol(rootAlias, "id") + " IN (" + c.argList(chunk) + ")"
		rows, err := o.db.QueryContext(ctx, q, c.args...)
		if err != nil {
			return nil, Internal(fmt.Errorf("%s exists: %w", m.Name, err))
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, Internal(fmt.Errorf("%s exists: %w", m.Name, err))
			}
			found[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, Internal(fmt.Errorf("%s exists: %w", m.Name, err))
		}
	}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if found[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// idChunk bounds the ids of one IN list.
const idChunk = 1000

func chunkIDs(ids []int64) [][]int64 {
	var out [][]int64
	for len(ids) > idChunk {
		out = append(out, ids[:idChunk])
		ids = ids[idChunk:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// missingError is Odoo 17's MissingError for records that do not exist.
func (o *orm) missingError(m *Model, ids []int64) error {
	return MissingErrorf("Record does not exist or has been deleted.\n(Record: %s, User: %d)",
		reprRecords(m.Name, ids), o.env.UID)
}

// checkExist fails with the MissingError when some of ids are missing.
func (o *orm) checkExist(ctx context.Context, m *Model, ids []int64) error {
	ex, err := o.existing(ctx, m, ids)
	if err != nil {
		return err
	}
	if len(ex) == len(ids) {
		return nil
	}
	found := make(map[int64]bool, len(ex))
	for _, id := range ex {
		found[id] = true
	}
	var missing []int64
	for _, id := range uniqueIDs(ids) {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	return o.missingError(m, missing)
}
