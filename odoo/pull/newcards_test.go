package pull_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/pull"
)

// TestNewCards: a card created in Odoo outside the engine is taken on the
// next pass (Odoo's points as an opening lot), one the engine knows is
// left alone, a card younger than the settle time is left for later (it
// may be the engine's own, being created in Odoo), and a second pass
// creates nothing.
func TestNewCards(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newFixture(t, db, pull.Options{})
		s := f.srv
		prog := s.Insert("loyalty.program", map[string]any{"name": "Club", "active": true, "program_type": "loyalty"})
		ann := s.Insert("res.partner", map[string]any{"name": "Ann", "active": true})
		f.pull(t)
		c, err := odoo.New(odoo.Config{URL: s.URL, DB: s.DB(), Login: s.Login(), APIKey: s.Password(), MaxAttempts: 1}, nil)
		require.NoError(t, err)
		svc := engine.New(db, engine.Options{}, dbtest.Logger(t))

		known := s.Insert("loyalty.card", map[string]any{"code": "KNOWN", "program_id": prog, "partner_id": ann, "points": 5.0})
		require.NoError(t, svc.InTx(f.ctx, func(ctx context.Context, tx bun.IDB) error {
			_, err := svc.ImportCard(ctx, tx, engine.ImportedCard{ID: known, Program: prog, Code: "KNOWN"})
			return err
		}))
		f.clk.set(t0.Add(time.Minute))
		fresh := s.Insert("loyalty.card", map[string]any{"code": "BACKOFFICE", "program_id": prog, "partner_id": ann, "points": 12.5})
		f.clk.set(t0.Add(4 * time.Minute))
		young := s.Insert("loyalty.card", map[string]any{"code": "YOUNG", "program_id": prog, "points": 1.0})
		now := t0.Add(4*time.Minute + time.Second)

		n, err := pull.NewCards(f.ctx, c, db, svc, now, 2*time.Minute, dbtest.Logger(t))
		require.NoError(t, err)
		require.Equal(t, 1, n)
		st, err := svc.Card(f.ctx, db, fresh)
		require.NoError(t, err)
		require.Equal(t, "12.50", st.Points.StringFixed(2))
		require.NoError(t, engine.CheckInvariants(f.ctx, db, fresh))
		require.Equal(t, 0, f.count(t, `SELECT count(*) FROM loyalty_cards WHERE id = ?`, young), "too young: maybe the engine's own")
		require.Equal(t, 0, f.count(t, `SELECT count(*) FROM point_history WHERE loyalty_card_id = ?`, known), "known: left alone")

		n, err = pull.NewCards(f.ctx, c, db, svc, now, 2*time.Minute, dbtest.Logger(t))
		require.NoError(t, err)
		require.Zero(t, n, "nothing new")
		n, err = pull.NewCards(f.ctx, c, db, svc, now.Add(3*time.Minute), 2*time.Minute, dbtest.Logger(t))
		require.NoError(t, err)
		require.Equal(t, 1, n, "the young card, once settled")
		require.Equal(t, 1, f.count(t, `SELECT count(*) FROM loyalty_cards WHERE id = ? AND odoo_card_id = ?`, young, young))
	})
}
