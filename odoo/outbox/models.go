package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

const groupSystem = "base.group_system"

// Models are the outbox's RPC models, for administrators
// (base.group_system):
//
//	loyalty.sync       (no records) get_sync_stats() → {pending, failed, synced_today,
//	                   sync_rate, oldest_pending_age}; retry_failed(ids=False) → count
//	loyalty.sync.log   the sync_log rows, read-only (search_read the failed ones)
func Models(db *models.DB, now func() time.Time) []*models.Model {
	if now == nil {
		now = time.Now
	}
	admin := map[models.Op][]string{models.OpRead: {groupSystem}}
	return []*models.Model{
		{
			Name:        "loyalty.sync",
			Description: "Loyalty Sync",
			Table:       "loyalty_sync",
			Fields:      []*models.Field{{Name: "name", Type: models.Char, String: "Name"}},
			Access:      map[models.Op][]string{},
			Methods: map[string]models.MethodFunc{
				"get_sync_stats": func(ctx context.Context, c *models.Call) (any, error) {
					if err := requireAdmin(c); err != nil {
						return nil, err
					}
					st, err := ReadStats(ctx, db, now())
					if err != nil {
						return nil, err
					}
					return st.Map(), nil
				},
				"retry_failed": func(ctx context.Context, c *models.Call) (any, error) {
					if err := requireAdmin(c); err != nil {
						return nil, err
					}
					ids, err := idsOf(c)
					if err != nil {
						return nil, err
					}
					return RetryFailed(ctx, c.DB, ids)
				},
			},
			ReadOnly: map[string]bool{"get_sync_stats": true},
		},
		{
			Name:        "loyalty.sync.log",
			Description: "Loyalty Sync Log",
			Table:       "sync_log",
			Order:       "id desc",
			Fields: []*models.Field{
				{Name: "entity_type", Type: models.Char, String: "Entity Type", Column: "entity_type", Readonly: true},
				{Name: "entity_id", Type: models.Integer, String: "Entity", Column: "entity_id", Readonly: true},
				{Name: "action", Type: models.Char, String: "Action", Column: "action", Readonly: true},
				{Name: "status", Type: models.Char, String: "Status", Column: "status", Readonly: true},
				{Name: "lane", Type: models.Char, String: "Lane", Column: "lane", Readonly: true},
				{Name: "error_message", Type: models.Text, String: "Error", Column: "error_message", Readonly: true},
				{Name: "attempts", Type: models.Integer, String: "Attempts", Column: "attempts", Readonly: true},
				{Name: "points", Type: models.Float, String: "Points", Column: "points", Decimal: true, Readonly: true},
				{Name: "seq_from", Type: models.Integer, String: "From Seq", Column: "seq_from", Readonly: true},
				{Name: "seq_to", Type: models.Integer, String: "To Seq", Column: "seq_to", Readonly: true},
				{Name: "payload", Type: models.Text, String: "Payload", Column: "payload", Readonly: true},
				{Name: "create_date", Type: models.Datetime, String: "Created on", Column: "created_at", Readonly: true},
				{Name: "synced_at", Type: models.Datetime, String: "Synced on", Column: "synced_at", Readonly: true},
				{Name: "next_attempt_at", Type: models.Datetime, String: "Next Attempt", Column: "next_attempt_at", Readonly: true},
				{Name: "last_attempt_at", Type: models.Datetime, String: "Last Attempt", Column: "last_attempt_at", Readonly: true},
			},
			Access: admin,
		},
	}
}

func requireAdmin(c *models.Call) error {
	if c.Env.Superuser || c.Env.HasGroup(groupSystem) {
		return nil
	}
	return models.AccessErrorf("You are not allowed to manage the synchronisation (%s.%s).\n\n"+
		"Contact your administrator to request access if necessary.", c.Model.Name, c.Method)
}

// idsOf reads retry_failed's optional ids (False or absent: all).
func idsOf(c *models.Call) ([]int64, error) {
	v, ok := c.Arg(0, "ids")
	if !ok || v == nil || v == false {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		if id, ok := v.(int64); ok {
			return []int64{id}, nil
		}
		return nil, models.TypeErrorf("retry_failed: ids must be a list of ids")
	}
	ids := make([]int64, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case int64:
			ids = append(ids, x)
		case float64:
			ids = append(ids, int64(x))
		default:
			return nil, models.TypeErrorf("retry_failed: ids must be a list of ids")
		}
	}
	return ids, nil
}

// CardWriteHook queues a card event (batch lane, due after delay) for an
// RPC write of loyalty.card fields other than points; register it with
// Registry.OnWrite("loyalty.card", ...) in upstream mode.
func CardWriteHook(delay time.Duration, now func() time.Time) models.WriteHook {
	if now == nil {
		now = time.Now
	}
	return func(ctx context.Context, tx bun.IDB, ids []int64, vals map[string]any) error {
		fields := maps.Clone(vals)
		for _, f := range []string{"points", "id", "write_date", "write_uid", "create_date", "create_uid"} {
			delete(fields, f)
		}
		if len(fields) == 0 || len(ids) == 0 {
			return nil
		}
		js, err := json.Marshal(fields)
		if err != nil {
			return models.ValueErrorf("loyalty.card write: %s", err.Error())
		}
		due := now().Add(delay).UTC().Truncate(time.Second).Format(models.DatetimeLayout)
		for _, id := range slices.Sorted(slices.Values(ids)) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_log (entity_type, entity_id, part, action, status, lane,
				payload, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, engine.SyncEntityCard, id, id%engine.SyncParts,
				engine.SyncActionCard, engine.SyncPending, engine.SyncLaneBatch, string(js), due); err != nil {
				return fmt.Errorf("outbox: queue card event: %w", err)
			}
		}
		return nil
	}
}
