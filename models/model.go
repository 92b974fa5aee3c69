package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
)

// Op is an access-rights operation, as in Odoo's ir.model.access.
type Op string

// The four operations Odoo checks.
const (
	OpRead   Op = "read"
	OpWrite  Op = "write"
	OpCreate Op = "create"
	OpUnlink Op = "unlink"
)

// Model describes one Odoo model served from the store: its name, table,
// fields, access rights and the methods beyond the generic ORM ones.
// Adding a model is one file that builds a *Model and registers it.
type Model struct {
	Name        string // Odoo name, "loyalty.card"
	Description string // "Loyalty Coupon", used in messages and ir.model
	Table       string // SQL table
	Order       string // default order, Odoo syntax ("sequence, id")
	RecName     string // field giving display_name; "" for a computed one
	// DisplayName computes display_name when RecName is not enough.
	DisplayName func(env *Env, row Row) string `json:"-"`

	Fields []*Field // in declaration order; "id" first
	byName map[string]*Field

	// Access lists, per operation, the group xml ids allowed; an operation
	// missing from the map is allowed to no group.
	Access map[Op][]string

	// Methods are the model's own methods beyond the generic ORM ones; they
	// take precedence over a generic method of the same name.
	Methods map[string]MethodFunc `json:"-"`
	// ReadOnly names the model's own methods that only read: they run
	// outside a write transaction.
	ReadOnly map[string]bool `json:"-"`
	// RecordMethods names the model's own methods that take record ids
	// first (the others are model-level, like Odoo's @api.model).
	RecordMethods map[string]bool `json:"-"`
}

// Field returns the field named name, or nil.
func (m *Model) Field(name string) *Field { return m.byName[name] }

// HasActive reports whether the model has an "active" boolean field.
func (m *Model) HasActive() bool {
	f := m.byName["active"]
	return f != nil && f.Type == Boolean && f.Stored()
}

// init indexes the fields and adds the magic fields every Odoo model has.
func (m *Model) init() error {
	if m.Name == "" || m.Table == "" {
		return fmt.Errorf("model %q: name and table are required", m.Name)
	}
	if m.Order == "" {
		m.Order = "id"
	}
	m.byName = make(map[string]*Field, len(m.Fields)+2)
	if !slices.ContainsFunc(m.Fields, func(f *Field) bool { return f.Name == "id" }) {
		m.Fields = append([]*Field{{Name: "id", Type: Integer, String: "ID", Column: "id", Readonly: true}}, m.Fields...)
	}
	for _, f := range m.Fields {
		if f.Name == "" || f.Type == "" {
			return fmt.Errorf("model %s: a field lacks a name or type", m.Name)
		}
		if _, dup := m.byName[f.Name]; dup {
			return fmt.Errorf("model %s: field %s declared twice", m.Name, f.Name)
		}
		if f.Relational() && f.Relation == "" {
			return fmt.Errorf("model %s: field %s: relational field without relation", m.Name, f.Name)
		}
		if f.Type == One2many && f.RelationField == "" {
			return fmt.Errorf("model %s: field %s: one2many without relation field", m.Name, f.Name)
		}
		if f.Type == Many2many && (f.RelTable == "" || f.RelColumn1 == "" || f.RelColumn2 == "") {
			return fmt.Errorf("model %s: field %s: many2many without its link table", m.Name, f.Name)
		}
		m.byName[f.Name] = f
	}
	if m.byName["display_name"] == nil {
		f := &Field{Name: "display_name", Type: Char, String: "Display Name", Readonly: true}
		m.Fields = append(m.Fields, f)
		m.byName[f.Name] = f
	}
	if m.RecName == "" && m.byName["name"] != nil && m.DisplayName == nil {
		m.RecName = "name"
	}
	return nil
}

// MethodFunc implements one model method. It runs inside the call's
// transaction (c.DB) and returns a value the codecs can encode.
type MethodFunc func(ctx context.Context, c *Call) (any, error)

// Call is one ORM call after routing: the model, the method, the arguments
// as the client sent them (positional and keyword), the environment and the
// transaction to use.
type Call struct {
	Env      *Env
	Model    *Model
	Method   string
	Args     []any
	Kwargs   map[string]any
	DB       bun.IDB
	Registry *Registry
}

// Arg returns the argument at position i, or the keyword argument name,
// and whether either was given. Python's None and False both count as
// given; callers decide what False means for their parameter.
func (c *Call) Arg(i int, name string) (any, bool) {
	if i >= 0 && i < len(c.Args) {
		return c.Args[i], true
	}
	if v, ok := c.Kwargs[name]; ok {
		return v, true
	}
	return nil, false
}

// isPrivate reports names Odoo refuses to call remotely (check_method_name).
func isPrivate(method string) bool {
	return strings.HasPrefix(method, "_") || method == "init"
}
