package auth

import (
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// dateTimeField describes the datetime columns this package writes
// directly (write_date, expiration_date), for models.ToColumn/FromColumn.
var dateTimeField = &models.Field{Name: "write_date", Type: models.Datetime, Column: "write_date"}

// dialectName is models.DB.DialectName for any bun handle (a Tx included).
func dialectName(db bun.IDB) string {
	if db.Dialect().Name() == dialect.PG {
		return models.DialectPG
	}
	return models.DialectSQLite
}

// timeArg converts t to a datetime column argument for db.
func timeArg(db bun.IDB, t time.Time) (any, error) {
	v, err := models.ToColumn(dialectName(db), dateTimeField, t.UTC().Truncate(time.Second))
	if err != nil {
		return nil, fmt.Errorf("datetime column: %w", err)
	}
	return v, nil
}

// timeValue converts a datetime column value read from db; NULL is nil.
func timeValue(db bun.IDB, raw any) (*time.Time, error) {
	v, err := models.FromColumn(dialectName(db), dateTimeField, raw)
	if err != nil {
		return nil, fmt.Errorf("datetime column: %w", err)
	}
	t, ok := v.(time.Time)
	if !ok {
		return nil, nil
	}
	return &t, nil
}
