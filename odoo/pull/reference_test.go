package pull_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo/pull"
)

// TestReferenceData: upsert by Odoo's id with many2one and many2many
// values, archived records arriving archived, the deletion sweep, Odoo
// winning over a local change (logged), a pending tier event keeping the
// engine's membership product, and the cache invalidated for every row
// written.
func TestReferenceData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFixture(t, db, pull.Options{PageSize: 2, Overlap: time.Minute})
		s := f.srv
		root := s.Insert("product.category", map[string]any{"name": "All"})
		// A child written before its parent's last write: the parent is
		// pulled on demand.
		child := s.Insert("product.category", map[string]any{"name": "Saleable", "parent_id": root})
		lonely := s.Insert("product.category", map[string]any{"name": "Unused"})
		f.clk.set(t0.Add(time.Minute))
		s.Write("product.category", root, map[string]any{"name": "All products"})
		gold := s.Insert("product.product", map[string]any{"name": "Gold", "categ_id": child, "list_price": 12.5, "active": true})
		silver := s.Insert("product.product", map[string]any{"name": "Silver", "categ_id": child, "active": true})
		p1 := s.Insert("res.partner", map[string]any{"name": "Ann", "membership_product_id": gold, "active": true})
		p2 := s.Insert("res.partner", map[string]any{"name": "Bob", "active": false}) // archived upstream
		p3 := s.Insert("res.partner", map[string]any{"name": "Cid", "active": true})
		p4 := s.Insert("res.partner", map[string]any{"name": "Dee", "active": true, "membership_product_id": silver})
		prog := s.Insert("loyalty.program", map[string]any{"name": "Club", "active": true, "program_type": "loyalty"})
		rule := s.Insert("loyalty.rule", map[string]any{"program_id": prog, "active": true, "minimum_qty": int64(2),
			"product_ids": []any{gold, silver}})
		f.clk.set(t0.Add(2 * time.Minute))

		st := f.pull(t)
		require.Equal(t, 11, st.Written, "every record once: %+v", st)
		got, ok := f.partner(t, p1)
		require.True(t, ok)
		require.Equal(t, partnerRow{Name: "Ann", Active: true, Tier: gold}, got)
		got, _ = f.partner(t, p2)
		require.False(t, got.Active, "archived upstream arrives archived")
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM product_category WHERE id = ? AND parent_id = ?`, child, root))
		require.Equal(t, 1, s.Executed("product.category", "read"), "the parent was pulled on demand")
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM product_product WHERE id = ? AND categ_id = ?`, gold, child))
		require.Equal(t, 2, f.count(t, `SELECT count(*) FROM promotion_rule_product_rel WHERE rule_id = ?`, rule))
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM promotion_rules WHERE id = ? AND minimum_qty = 2 AND program_id = ?`, rule, prog))
		require.Equal(t, 1, f.cache.count(pull.CacheKey("res.partner", p1)))

		// Upstream: a rule loses a product, Cid is deleted, a category too.
		f.clk.set(t0.Add(3 * time.Minute))
		s.Write("loyalty.rule", rule, map[string]any{"product_ids": []any{silver}})
		s.Delete("res.partner", p3)
		s.Delete("product.category", lonely)
		// Locally: Ann edited (Odoo wins), Dee re-tiered by the engine with
		// its outbox event pending.
		_, err := db.ExecContext(f.ctx, `UPDATE res_partner SET name = 'Ann local', write_date = ? WHERE id = ?`,
			dt(db, t0.Add(150*time.Second)), p1)
		require.NoError(t, err)
		_, err = db.ExecContext(f.ctx, `UPDATE res_partner SET membership_product_id = ?, write_date = ? WHERE id = ?`,
			gold, dt(db, t0.Add(150*time.Second)), p4)
		require.NoError(t, err)
		_, err = db.ExecContext(f.ctx, `INSERT INTO sync_log (entity_type, entity_id, action, status) VALUES ('res.partner', ?, 'tier', 'pending')`, p4)
		require.NoError(t, err)
		s.Write("res.partner", p1, map[string]any{"email": "ann@example.com"})
		s.Write("res.partner", p4, map[string]any{"name": "Dee Dee"})

		st = f.pull(t)
		require.Equal(t, 3, st.Written, "the rule, Ann and Dee: %+v", st)
		require.Equal(t, 2, st.Overwritten)
		got, _ = f.partner(t, p1)
		require.Equal(t, "Ann", got.Name, "Odoo wins for reference data")
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM sync_log WHERE action = 'overwrite' AND entity_type = 'res.partner' AND entity_id = ?`, p1))
		got, _ = f.partner(t, p4)
		require.Equal(t, partnerRow{Name: "Dee Dee", Active: true, Tier: gold}, got, "the pending tier event is respected")
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM promotion_rule_product_rel WHERE rule_id = ?`, rule))

		// The sweep: Cid archived, the unused category deleted.
		n, err := f.p.Sweep(f.ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		got, ok = f.partner(t, p3)
		require.True(t, ok)
		require.False(t, got.Active)
		require.Zero(t, f.count(t, `SELECT count(*) FROM product_category WHERE id = ?`, lonely))
		n, err = f.p.Sweep(f.ctx)
		require.NoError(t, err)
		require.Zero(t, n, "a second sweep finds nothing")

		// Once the tier event is delivered, Odoo's value comes back on the
		// next change.
		_, err = db.ExecContext(f.ctx, `UPDATE sync_log SET status = 'synced' WHERE action = 'tier'`)
		require.NoError(t, err)
		f.clk.set(t0.Add(4 * time.Minute))
		s.Write("res.partner", p4, map[string]any{"membership_product_id": gold})
		f.pull(t)
		got, _ = f.partner(t, p4)
		require.Equal(t, gold, got.Tier)

		// PullRecords: on demand, and a record gone upstream is archived.
		s.Write("res.partner", p2, map[string]any{"name": "Bob 2"})
		st, err = f.p.PullRecords(f.ctx, "res.partner", []int64{p2, p3})
		require.NoError(t, err)
		require.Equal(t, 1, st.Written)
		got, _ = f.partner(t, p2)
		require.Equal(t, "Bob 2", got.Name)
	})
}

// dt is a datetime argument for db's dialect.
func dt(db *models.DB, t time.Time) any {
	v, err := models.ToColumn(db.DialectName(), &models.Field{Name: "d", Type: models.Datetime}, t.Format(models.DatetimeLayout))
	if err != nil {
		panic(err)
	}
	return v
}

// TestRefusedRowSkipped: a record the store refuses (here a currency whose
// name another one already has: the local column is unique) is skipped and
// logged; the rest of its page is stored, the cursor moves on, and the
// other models are pulled.
func TestRefusedRowSkipped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFixture(t, db, pull.Options{PageSize: 10, Overlap: time.Second})
		f.srv.Install("res.currency")
		f.srv.Fields("res.currency", map[string]string{"name": "char", "symbol": "char", "active": "boolean"})
		f.srv.Insert("res.currency", map[string]any{"name": "EUR", "symbol": "€", "active": true})
		f.srv.Insert("res.currency", map[string]any{"name": "EUR", "symbol": "E", "active": true})
		f.srv.Insert("res.currency", map[string]any{"name": "GBP", "symbol": "£", "active": true})
		f.srv.Insert("res.partner", map[string]any{"name": "Ann", "active": true})
		f.clk.set(t0.Add(time.Minute))

		st, err := f.p.Pull(f.ctx)
		require.NoError(t, err)
		require.Equal(t, 3, st.Written, "EUR, GBP and Ann: %+v", st)
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM res_currency WHERE name = 'GBP' AND id = 3`))
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM res_currency WHERE name = 'EUR' AND id = 1`))
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM res_partner WHERE name = 'Ann'`))
		cur, err := f.p.Cursor(f.ctx, "res.currency")
		require.NoError(t, err)
		require.Equal(t, t0, cur.WriteDate)
	})
}
