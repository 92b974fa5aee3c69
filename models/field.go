package models

import (
	"context"

	"github.com/uptrace/bun"
)

// FieldType is an Odoo field type as fields_get reports it.
type FieldType string

// The Odoo field types the registry knows.
const (
	Char      FieldType = "char"
	Text      FieldType = "text"
	HTML      FieldType = "html"
	Integer   FieldType = "integer"
	Float     FieldType = "float"
	Monetary  FieldType = "monetary"
	Boolean   FieldType = "boolean"
	Date      FieldType = "date"
	Datetime  FieldType = "datetime"
	Selection FieldType = "selection"
	Many2one  FieldType = "many2one"
	One2many  FieldType = "one2many"
	Many2many FieldType = "many2many"
	Binary    FieldType = "binary"
)

// Field describes one Odoo field of a model and where it is stored.
//
// A field with Column set is stored in the model's table. Decimal marks a
// float/monetary column kept exact (NUMERIC(18,2) on PostgreSQL, hundredths
// in an INTEGER on SQLite); values are shopspring decimals in Go and doubles
// on the wire. A one2many is stored on the comodel (Relation) in its
// RelationField column; a many2many in the RelTable (RelColumn1 = this model's
// id, RelColumn2 = the comodel's id).
type Field struct {
	Name     string
	Type     FieldType
	String   string // label
	Help     string
	Column   string // "" when not stored in the model's table
	Required bool
	Readonly bool

	Relation      string // comodel for relational fields
	RelationField string // inverse many2one field name, one2many only
	RelTable      string // many2many link table
	RelColumn1    string
	RelColumn2    string
	OnDelete      string // many2one: "restrict", "cascade", "set null"

	Selection [][2]string // selection values and labels
	Decimal   bool        // exact decimal column (see above)
	Digits    [2]int      // float digits when not zero
	Translate bool
	Size      int
	Related   string // "program_id.program_type" for related fields (read-only)
	Groups    string // comma-separated xml ids of groups allowed to see the field

	// Default returns the default value for create; nil means none.
	Default func(env *Env) any
	// Compute, when set, computes the value of a non-stored field for the
	// records read; rows hold the stored columns already read.
	Compute func(env *Env, rows []Row) ([]any, error) `json:"-"`
	// Depends names stored fields Compute needs in its rows.
	Depends []string
	// ComputeDB is Compute for values that need the store (counts of
	// related records, values of other tables); it runs in the call's
	// transaction and takes precedence over Compute.
	ComputeDB func(ctx context.Context, db bun.IDB, env *Env, rows []Row) ([]any, error) `json:"-"`
}

// Stored reports whether the field has a column in the model's table.
func (f *Field) Stored() bool { return f.Column != "" }

// Relational reports whether the field points at another model.
func (f *Field) Relational() bool {
	return f.Type == Many2one || f.Type == One2many || f.Type == Many2many
}

// Row is one record read from a table: column name to the driver value,
// already normalised by the store (decimals as decimal.Decimal, times as
// time.Time, integers as int64, NULL as nil).
type Row map[string]any
