package models

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The SQLSTATE codes of PostgreSQL integrity violations.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgNotNullViolation    = "23502"
	pgCheckViolation      = "23514"
)

// IsUniqueViolation reports whether err (anywhere in its chain) is a
// driver error for a UNIQUE or PRIMARY KEY constraint, on either backend.
func IsUniqueViolation(err error) bool {
	return isPG(err, pgUniqueViolation) ||
		isSQLite(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// IsForeignKeyViolation reports whether err is a driver error for a
// FOREIGN KEY constraint: a reference to a missing row, or deleting a row
// still referenced with ON DELETE RESTRICT / NO ACTION.
func IsForeignKeyViolation(err error) bool {
	if isPG(err, pgForeignKeyViolation) || isSQLite(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY) {
		return true
	}
	// SQLite reports ON DELETE RESTRICT as a trigger constraint.
	var se *sqlite.Error
	return isSQLite(err, sqlite3.SQLITE_CONSTRAINT_TRIGGER) && errors.As(err, &se) &&
		strings.Contains(se.Error(), "FOREIGN KEY constraint failed")
}

// IsNotNullViolation reports whether err is a driver error for a NOT NULL
// column given NULL.
func IsNotNullViolation(err error) bool {
	return isPG(err, pgNotNullViolation) || isSQLite(err, sqlite3.SQLITE_CONSTRAINT_NOTNULL)
}

// IsCheckViolation reports whether err is a driver error for a CHECK
// constraint. On SQLite the schema's CHECKs also catch values that did not
// go through ToColumn (a REAL in a decimal column, a badly formatted date).
func IsCheckViolation(err error) bool {
	return isPG(err, pgCheckViolation) || isSQLite(err, sqlite3.SQLITE_CONSTRAINT_CHECK)
}

// ConstraintTable returns what a constraint error says about its
// constraint: on PostgreSQL the table and the constraint name
// ("loyalty_cards", "loyalty_cards_code_key"); on SQLite the text SQLite
// gives after "constraint failed:" ("loyalty_cards.code", or
// "ir_model_fields.model, ir_model_fields.name", or a CHECK expression),
// with table set when that text names one column. Both are empty when err
// is not a constraint error or SQLite names nothing (foreign keys).
func ConstraintTable(err error) (table, constraint string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.TableName, pe.ConstraintName
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return "", ""
	}
	// modernc: "constraint failed: UNIQUE constraint failed: loyalty_cards.code (2067)"
	msg := se.Error()
	const marker = "constraint failed:"
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return "", ""
	}
	constraint = strings.TrimSpace(msg[i+len(marker):])
	if j := strings.LastIndex(constraint, " ("); j >= 0 && strings.HasSuffix(constraint, ")") {
		if _, convErr := strconv.Atoi(constraint[j+2 : len(constraint)-1]); convErr == nil {
			constraint = constraint[:j]
		}
	}
	if t, col, ok := strings.Cut(constraint, "."); ok && !strings.ContainsAny(col, ", ()") && !strings.ContainsAny(t, " ()") {
		table = t
	}
	return table, constraint
}

func isPG(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

func isSQLite(err error, codes ...int) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.Code() == c {
			return true
		}
	}
	return false
}
