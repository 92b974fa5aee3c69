package models

import (
	"context"
	"fmt"
	"sync"
)

// IDSource allocates the id of a new record elsewhere (the upstream Odoo:
// the record is created there first). vals are the values the record is
// about to be inserted with, by field name, defaults included, read back
// from their columns: many2one ids as int64, decimals as decimal.Decimal,
// dates as time.Time, empty values as nil. An error stops the create:
// nothing is inserted.
type IDSource func(ctx context.Context, vals map[string]any) (int64, error)

// RecordSource reads a record the store does not have from where it lives
// (the upstream Odoo), as Odoo's read answers it; found is false when it
// does not exist there either.
type RecordSource func(ctx context.Context, id int64) (vals map[string]any, found bool, err error)

// authorities are the registry's id and record sources, set at start-up.
type authorities struct {
	mu      sync.RWMutex
	ids     map[string]idSource
	records map[string]RecordSource
}

type idSource struct {
	fn     IDSource
	mirror []string
}

// SetIDSource makes src the id authority of model: the ORM's create of
// model (and copy, which creates) asks src for the id first and inserts
// the row with it as id and as each of the mirror columns (e.g.
// "odoo_card_id"). nil src removes it. Set it before serving.
func (r *Registry) SetIDSource(model string, src IDSource, mirror ...string) {
	a := &r.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ids == nil {
		a.ids = map[string]idSource{}
	}
	if src == nil {
		delete(a.ids, model)
		return
	}
	a.ids[model] = idSource{fn: src, mirror: mirror}
}

// SetRecordSource says where records of model the store lacks can be
// read (nil removes it).
func (r *Registry) SetRecordSource(model string, src RecordSource) {
	a := &r.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.records == nil {
		a.records = map[string]RecordSource{}
	}
	if src == nil {
		delete(a.records, model)
		return
	}
	a.records[model] = src
}

// RecordSource is model's record source, nil when it has none.
func (r *Registry) RecordSource(model string) RecordSource {
	a := &r.auth
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.records[model]
}

func (r *Registry) idSource(model string) (idSource, bool) {
	a := &r.auth
	a.mu.RLock()
	defer a.mu.RUnlock()
	s, ok := a.ids[model]
	return s, ok
}

// externalID asks m's id source, when it has one, for the id of the row p
// is about to insert, and sets it (and its mirrors) in p.
func (o *orm) externalID(ctx context.Context, m *Model, p *prepared) error {
	src, ok := o.reg.idSource(m.Name)
	if !ok {
		return nil
	}
	vals := make(map[string]any, len(p.cols))
	for i, f := range p.fields {
		if f == nil || f.Name == "id" {
			continue
		}
		v, err := FromColumn(o.dialect, f, p.args[i])
		if err != nil {
			return Internal(fmt.Errorf("%s: id source: %w", m.Name, err))
		}
		vals[f.Name] = v
	}
	id, err := src.fn(ctx, vals)
	if err != nil {
		return err
	}
	if id <= 0 {
		return Internal(fmt.Errorf("%s: id source gave id %d", m.Name, id))
	}
	idField := m.Field("id")
	if idField == nil || idField.Column == "" {
		idField = &Field{Name: "id", Type: Integer, Column: "id"}
	}
	p.set(idField, id)
	for _, c := range src.mirror {
		p.set(&Field{Name: c, Type: Integer, Column: c}, id)
	}
	return nil
}
