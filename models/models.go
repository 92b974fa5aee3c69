package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The built-in models and the ir.model metadata tables derived from them.

// Group xml ids the built-in access rights use.
const (
	groupUser       = "base.group_user"
	groupSystem     = "base.group_system"
	groupPosUser    = "point_of_sale.group_pos_user"
	groupPosManager = "point_of_sale.group_pos_manager"
)

// Builtin returns fresh descriptors of the models this package serves:
// loyalty.program, loyalty.rule, loyalty.reward, loyalty.card,
// res.partner, product.product, product.category, res.company,
// res.currency, ir.model, ir.model.fields, loyalty.point.move,
// loyalty.point.history, membership.level.path and loyalty.history (see
// BuiltinAliases for their short names). Each call builds new
// values, since a descriptor can be registered in one registry only:
//
//	reg := models.NewRegistry(db, log)
//	reg.MustRegister(models.Builtin()...)
func Builtin() []*Model {
	return []*Model{
		loyaltyProgramModel(),
		loyaltyRuleModel(),
		loyaltyRewardModel(),
		loyaltyCardModel(),
		resPartnerModel(),
		productProductModel(),
		productCategoryModel(),
		resCompanyModel(),
		resCurrencyModel(),
		irModelModel(),
		irModelFieldsModel(),
		loyaltyPointMoveModel(),
		loyaltyPointHistoryModel(),
		membershipLevelModel(),
		loyaltyHistoryModel(),
	}
}

// constant returns a Default giving v.
func constant(v any) func(*Env) any { return func(*Env) any { return v } }

// logFields are Odoo's log access fields: create_date and write_date on
// the given columns, and create_uid and write_uid (the users who created
// and last wrote the record, set by create and write).
func logFields(createCol, writeCol string) []*Field {
	return []*Field{
		userLogField("create_uid", "Created by"),
		{Name: "create_date", Type: Datetime, String: "Created on", Column: createCol, Readonly: true},
		userLogField("write_uid", "Last Updated by"),
		{Name: "write_date", Type: Datetime, String: "Last Updated on", Column: writeCol, Readonly: true},
	}
}

// userLogField is create_uid / write_uid: a many2one to res.users.
func userLogField(name, label string) *Field {
	return &Field{Name: name, Type: Many2one, String: label, Relation: "res.users", Readonly: true, Column: name}
}

// computeConst computes the same value for every record.
func computeConst(v any) func(*Env, []Row) ([]any, error) {
	return func(_ *Env, rows []Row) ([]any, error) {
		out := make([]any, len(rows))
		for i := range out {
			out[i] = v
		}
		return out, nil
	}
}

// countBy runs "SELECT key, count(*) ... GROUP BY key" (q must select the
// two columns) and returns the counts by key.
func countBy(ctx context.Context, db queryer, q string, args ...any) (map[int64]int64, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, Internal(fmt.Errorf("count: %w", err))
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var k sql.NullInt64
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, Internal(fmt.Errorf("count: %w", err))
		}
		out[k.Int64] = n
	}
	if err := rows.Err(); err != nil {
		return nil, Internal(fmt.Errorf("count: %w", err))
	}
	return out, nil
}

// queryer is the part of bun.IDB the compute functions use.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// rowIDs returns the "id" of each row and "?, ?..." placeholders for them.
func rowIDs(rows []Row, col string) (ids []any, placeholders string) {
	seen := map[int64]bool{}
	for _, r := range rows {
		if id, ok := r[col].(int64); ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for i := range ids {
		if i > 0 {
			placeholders += ", "
		}
		placeholders += "?"
	}
	return ids, placeholders
}

// SyncIrModel fills the ir_model and ir_model_fields tables from the
// registered models (one row per model and per field), updating rows in
// place so their ids stay stable, and deleting those of models and fields
// no longer registered. Call it at start-up, after Migrate.
func (r *Registry) SyncIrModel(ctx context.Context) error {
	if r.DB == nil {
		return errors.New("sync ir.model: registry without database")
	}
	dialect := r.DB.DialectName()
	now := time.Now().UTC().Truncate(time.Second).Format(time.DateTime)
	boolField := &Field{Name: "boolean", Type: Boolean}
	b := func(v bool) any { x, _ := ToColumn(dialect, boolField, v); return x }
	return r.DB.WriteTx(ctx, func(ctx context.Context, tx *Tx) error {
		if dialect == DialectPG {
			// Instances starting together on one database take turns.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('loyaltyd.ir_model'))`); err != nil {
				return fmt.Errorf("sync ir.model: lock: %w", err)
			}
		}
		keep := map[string]bool{}
		for _, m := range r.Models() {
			keep[m.Name] = true
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM ir_model WHERE model = ?`, m.Name).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				err = tx.QueryRowContext(ctx, `INSERT INTO ir_model (model, name, info, state, transient) VALUES (?, ?, ?, 'base', ?) RETURNING id`,
					m.Name, m.Description, m.Description, b(false)).Scan(&id)
			case err == nil:
				_, err = tx.ExecContext(ctx, `UPDATE ir_model SET name = ?, info = ?, write_date = ? WHERE id = ?`,
					m.Description, m.Description, now, id)
			}
			if err != nil {
				return fmt.Errorf("sync ir.model %s: %w", m.Name, err)
			}
			if err := syncIrFields(ctx, tx, m, id, now, b); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, model FROM ir_model`)
		if err != nil {
			return fmt.Errorf("sync ir.model: %w", err)
		}
		var stale []int64
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return fmt.Errorf("sync ir.model: %w", err)
			}
			if !keep[name] {
				stale = append(stale, id)
			}
		}
		rows.Close()
		for _, id := range stale {
			if _, err := tx.ExecContext(ctx, `DELETE FROM ir_model_fields WHERE model_id = ?`, id); err != nil {
				return fmt.Errorf("sync ir.model: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM ir_model WHERE id = ?`, id); err != nil {
				return fmt.Errorf("sync ir.model: %w", err)
			}
		}
		return nil
	})
}

func syncIrFields(ctx context.Context, tx *Tx, m *Model, modelID int64, now string, b func(bool) any) error {
	existing := map[string]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM ir_model_fields WHERE model_id = ?`, modelID)
	if err != nil {
		return fmt.Errorf("sync ir.model.fields %s: %w", m.Name, err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return fmt.Errorf("sync ir.model.fields %s: %w", m.Name, err)
		}
		existing[name] = id
	}
	rows.Close()
	for _, f := range m.Fields {
		d := fieldDescription(m, f)
		var rel any
		if f.Relational() {
			rel = f.Relation
		}
		args := []any{m.Name, f.String, string(f.Type), rel, b(f.Required), b(d["readonly"].(bool)), b(d["store"].(bool))}
		if id, ok := existing[f.Name]; ok {
			delete(existing, f.Name)
			_, err = tx.ExecContext(ctx, `UPDATE ir_model_fields SET model = ?, field_description = ?, ttype = ?, relation = ?, required = ?, readonly = ?, store = ?, write_date = ? WHERE id = ?`,
				append(args, now, id)...)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO ir_model_fields (model, field_description, ttype, relation, required, readonly, store, model_id, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append(args, modelID, f.Name)...)
		}
		if err != nil {
			return fmt.Errorf("sync ir.model.fields %s.%s: %w", m.Name, f.Name, err)
		}
	}
	for _, id := range existing {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ir_model_fields WHERE id = ?`, id); err != nil {
			return fmt.Errorf("sync ir.model.fields %s: %w", m.Name, err)
		}
	}
	return nil
}
