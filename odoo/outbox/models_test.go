package outbox_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo/outbox"
)

// TestSyncModels: loyalty.sync.log lists the failed events to an
// administrator, read-only; loyalty.sync's methods and the log refuse
// other users.
func TestSyncModels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFix(t, db)
		reg := models.NewRegistry(db, dbtest.Logger(t))
		require.NoError(t, reg.Register(outbox.Models(db, nil)...))
		bad := f.card(true)
		good := f.card(true)
		badOdoo, _ := f.local(bad)
		f.srv.RejectLoad("loyalty.card", badOdoo, "Archived card.")
		f.earn(f.svc, bad, "1")
		f.earn(f.svc, good, "2")
		f.drain(f.deliverer(db, outbox.Options{}))

		admin := &models.Env{DB: "loyalty", UID: 2, Version: 17, Groups: map[string]bool{"base.group_system": true}}
		user := &models.Env{DB: "loyalty", UID: 6, Version: 17, Groups: map[string]bool{"base.group_user": true}}
		call := func(env *models.Env, model, method string, args []any, kw map[string]any) (any, error) {
			return reg.Execute(models.WithEnv(f.ctx, env), env, model, method, args, kw)
		}
		got, err := call(admin, "loyalty.sync.log", "search_read", []any{[]any{[]any{"status", "=", "failed"}}},
			map[string]any{"fields": []any{"entity_id", "action", "error_message"}})
		require.NoError(t, err)
		rows := got.([]any)
		require.Len(t, rows, 1)
		entity, _ := rows[0].(*models.Dict).Get("entity_id")
		msg, _ := rows[0].(*models.Dict).Get("error_message")
		require.EqualValues(t, bad, entity)
		require.Equal(t, "Archived card.", msg)

		for _, c := range []struct {
			model, method string
			args          []any
		}{
			{"loyalty.sync.log", "search_read", []any{[]any{}}},
			{"loyalty.sync.log", "write", []any{[]any{int64(1)}, map[string]any{"status": "synced"}}},
			{"loyalty.sync", "get_sync_stats", nil},
			{"loyalty.sync", "retry_failed", nil},
		} {
			_, err := call(user, c.model, c.method, c.args, nil)
			require.Equal(t, models.KindAccessError, models.KindOf(err), "%s.%s: %v", c.model, c.method, err)
		}
		_, err = call(admin, "loyalty.sync.log", "write", []any{[]any{int64(1)}, map[string]any{"status": "synced"}}, nil)
		require.Error(t, err, "the log is read-only")

		st, err := call(admin, "loyalty.sync", "get_sync_stats", nil, nil)
		require.NoError(t, err)
		require.EqualValues(t, 1, st.(map[string]any)["failed"])
		f.srv.RejectLoad("loyalty.card", badOdoo, "")
		n, err := call(admin, "loyalty.sync", "retry_failed", nil, nil)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		require.Equal(t, 1, f.status(engine.SyncPending))
	})
}

// TestDeliverTier: a tier event writes the partner's membership level
// where the upstream has the seed addon.
func TestDeliverTier(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFix(t, db)
		level := f.srv.Insert("product.product", map[string]any{"name": "Gold"})
		f.exec(`INSERT INTO sync_log (entity_type, entity_id, part, action, status, lane, payload)
			VALUES ('res.partner', ?, ?, 'tier', 'pending', 'realtime', ?)`, f.partner, f.partner%engine.SyncParts,
			`{"membership_product_id": `+strconv.FormatInt(level, 10)+`}`)
		f.drain(f.deliverer(db, outbox.Options{}))
		require.Equal(t, 1, f.status(engine.SyncSynced))
		for _, r := range f.srv.Records("res.partner") {
			if r["id"] == f.partner {
				require.Equal(t, level, r["membership_product_id"])
				return
			}
		}
		t.Fatal("partner not found")
	})
}
