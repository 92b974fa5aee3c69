package models

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Integrity errors become Odoo's ValidationErrors (odoo/service/model.py
// _as_validation_error): the texts below are Odoo 17's.

// notNullError is Odoo's message for a NOT NULL violation.
func notNullError(m *Model, f *Field) error {
	return ValidationErrorf("The operation cannot be completed:\n"+
		"- Create/update: a mandatory field is not set.\n"+
		"- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"+
		"Model: %s (%s)\nField: %s (%s)\n", m.Description, m.Name, f.String, f.Name)
}

// fkError is Odoo's message for a foreign key violation; constraint is
// named as Odoo's tables would name it ("loyalty_card_program_id_fkey").
func fkError(m *Model, constraint string) error {
	return ValidationErrorf("The operation cannot be completed: another model requires the record being deleted."+
		" If possible, archive it instead.\n\nModel: %s (%s)\nConstraint: %s\n", m.Description, m.Name, constraint)
}

// uniqueMessages are the texts of Odoo's SQL unique constraints, by
// "model.field".
var uniqueMessages = map[string]string{
	"loyalty.card.code":    "A coupon/loyalty card must have a unique code.",
	"res.currency.name":    "The currency code must be unique!",
	"ir.model.model":       "Each model must have a unique name.",
	"ir.model.fields.name": "Field names must be unique per model.",
}

// uniqueError is the message for a unique violation on f.
func uniqueError(m *Model, f *Field) error {
	if f == nil {
		return ValidationErrorf("The operation cannot be completed: a record of %s (%s) with the same unique values already exists.", m.Description, m.Name)
	}
	if msg, ok := uniqueMessages[m.Name+"."+f.Name]; ok {
		return ValidationErrorf("The operation cannot be completed: %s", msg)
	}
	return ValidationErrorf("The operation cannot be completed: another record of %s (%s) already has this %s (%s).",
		m.Description, m.Name, f.String, f.Name)
}

// pgKeyRE reads the column out of PostgreSQL's "Key (code)=(X) ..." detail.
var pgKeyRE = regexp.MustCompile(`^Key \(([a-z0-9_", ]+)\)=`)

// dbError translates a driver error of a statement on m: integrity
// violations become ValidationErrors, anything else is internal.
func (o *orm) dbError(m *Model, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	table, column, constraint := constraintInfo(err)
	tm, tf := o.modelByColumn(table, column)
	if tm == nil {
		tm = m
	}
	switch {
	case IsNotNullViolation(err):
		if tf == nil {
			tf = &Field{Name: column, String: column}
		}
		return notNullError(tm, tf)
	case IsForeignKeyViolation(err):
		if tf != nil {
			constraint = strings.ReplaceAll(tm.Name, ".", "_") + "_" + tf.Name + "_fkey"
		}
		if constraint == "" {
			constraint = "unknown"
		}
		return fkError(tm, constraint)
	case IsUniqueViolation(err):
		return uniqueError(tm, tf)
	case IsCheckViolation(err):
		return ValidationErrorf("The operation cannot be completed: a value of %s (%s) is not allowed (%s).",
			tm.Description, tm.Name, constraint)
	}
	return Internal(fmt.Errorf("%s: %w", m.Name, err))
}

// constraintInfo reads table, column and constraint from a driver error.
func constraintInfo(err error) (table, column, constraint string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		table, column, constraint = pe.TableName, pe.ColumnName, pe.ConstraintName
		if column == "" {
			if g := pgKeyRE.FindStringSubmatch(pe.Detail); g != nil && !strings.Contains(g[1], ",") {
				column = strings.Trim(g[1], `"`)
			}
		}
		if column == "" && table != "" && strings.HasPrefix(constraint, table+"_") {
			c := strings.TrimPrefix(constraint, table+"_")
			for _, suf := range []string{"_fkey", "_key"} {
				if strings.HasSuffix(c, suf) {
					column = strings.TrimSuffix(c, suf)
				}
			}
		}
		return table, column, constraint
	}
	// SQLite: "NOT NULL constraint failed: loyalty_cards.program_id".
	_, c := ConstraintTable(err)
	if t, col, ok := strings.Cut(c, "."); ok && !strings.Contains(col, ",") {
		return t, col, ""
	}
	return "", "", c
}

// modelByColumn finds the model stored in table and its field on column.
func (o *orm) modelByColumn(table, column string) (*Model, *Field) {
	if table == "" {
		return nil, nil
	}
	for _, m := range o.reg.Models() {
		if m.Table != table {
			continue
		}
		for _, f := range m.Fields {
			if f.Stored() && f.Column == column {
				return m, f
			}
		}
		return m, nil
	}
	return nil, nil
}
