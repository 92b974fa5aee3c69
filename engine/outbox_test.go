package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// syncEvents lists the outbox as "card action seq_from-seq_to points"
// lines, in id order.
func (f *lgFix) syncEvents() []string {
	f.t.Helper()
	rows, err := f.db.QueryContext(f.ctx, `SELECT entity_type, entity_id, part, action, status, lane,
		COALESCE(seq_from, 0), COALESCE(seq_to, 0), points FROM sync_log ORDER BY id`)
	require.NoError(f.t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, action, status, lane string
		var id, part, from, to int64
		var pts any
		require.NoError(f.t, rows.Scan(&typ, &id, &part, &action, &status, &lane, &from, &to, &pts))
		require.Equal(f.t, id%engine.SyncParts, part)
		p := "-"
		if pts != nil {
			p = lgDec(f.db, pts).StringFixed(2)
		}
		out = append(out, fmt.Sprintf("%s %d %s %s %s %d-%d %s", typ, id, action, status, lane, from, to, p))
	}
	require.NoError(f.t, rows.Err())
	return out
}

func TestOutboxEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := lgSetup(t, db, nil)
		a := f.card(f.program(0, "", 0), f.partner(0))
		b := f.card(f.program(0, "", 0), f.partner(0))

		// Standalone: no events.
		_, err := f.earn(engine.Movement{Card: a, Points: lgD("10"), Key: "standalone"})
		require.NoError(t, err)
		require.Empty(t, f.syncEvents())

		f.svc.EnableOutbox()
		steps := []struct {
			name string
			run  func() error
			want []string // events added
		}{
			{"earn", func() error {
				_, err := f.earn(engine.Movement{Card: a, Points: lgD("5.50"), Key: "e1"})
				return err
			}, []string{fmt.Sprintf("loyalty.card %d points pending realtime 2-2 15.50", a)}},
			{"replay writes nothing", func() error {
				_, err := f.earn(engine.Movement{Card: a, Points: lgD("5.50"), Key: "e1"})
				return err
			}, nil},
			{"failed redeem writes nothing", func() error {
				_, err := f.redeem(engine.Movement{Card: a, Points: lgD("1000"), Key: "r-fail"})
				require.ErrorIs(t, err, engine.ErrInsufficientPoints)
				return nil
			}, nil},
			{"redeem over two lots: one event", func() error {
				_, err := f.redeem(engine.Movement{Card: a, Points: lgD("12"), Key: "r1"})
				return err
			}, []string{fmt.Sprintf("loyalty.card %d points pending realtime 3-4 3.50", a)}},
			{"transfer: one per card", func() error {
				_, _, err := f.transfer(a, b, 0, "t1")
				return err
			}, []string{
				fmt.Sprintf("loyalty.card %d points pending realtime 5-5 0.00", a),
				fmt.Sprintf("loyalty.card %d points pending realtime 1-1 3.50", b),
			}},
		}
		var want []string
		for _, st := range steps {
			require.NoError(t, st.run(), st.name)
			want = append(want, st.want...)
			require.Equal(t, want, f.syncEvents(), st.name)
		}

		// Expiry: one event per card the batch touched, with its rows.
		f.now = lgDay(2026, 1, 2, 9, 0)
		for i := range 3 {
			exp := lgDay(2026, 1, 3, 0, 0)
			_, err := f.earn(engine.Movement{Card: b, Points: lgD("1"), Key: fmt.Sprintf("x%d", i), Expiry: &exp})
			require.NoError(t, err)
			want = append(want, fmt.Sprintf("loyalty.card %d points pending realtime %d-%d %d.50", b, i+2, i+2, 4+i))
		}
		_, err = f.svc.ExpireForTest(f.ctx, lgDay(2026, 1, 4, 0, 0), 100, 0)
		require.NoError(t, err)
		want = append(want, fmt.Sprintf("loyalty.card %d points pending realtime 5-7 3.50", b))
		require.Equal(t, want, f.syncEvents())
		f.check(a, b)
	})
}

// BenchmarkEarnOutbox is one earn per transaction on PostgreSQL, with the
// outbox off (standalone) and on (one sync event and a NOTIFY in the
// same statement):
//
//	scripts/test-services.sh go test -run XXX -bench EarnOutbox ./engine/
func BenchmarkEarnOutbox(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			db := dbtest.Postgres(b)
			ctx := b.Context()
			var prog, card int64
			require.NoError(b, db.QueryRowContext(ctx, "INSERT INTO promotion_programs (name) VALUES ('bench') RETURNING id").Scan(&prog))
			require.NoError(b, db.QueryRowContext(ctx, "INSERT INTO loyalty_cards (program_id, code) VALUES (?, 'B1') RETURNING id", prog).Scan(&card))
			svc := engine.New(db, engine.Options{}, nil)
			if on {
				svc.EnableOutbox()
			}
			i := 0
			for b.Loop() {
				i++
				require.NoError(b, svc.InTx(ctx, func(ctx context.Context, tx bun.IDB) error {
					_, err := svc.Earn(ctx, tx, engine.Movement{Card: card, Points: lgD("1"), Key: fmt.Sprintf("b%d", i)})
					return err
				}))
			}
		})
	}
}

// TestOutboxTierEvent: an order that moves the customer to another tier
// writes one tier event for the partner, in its transaction; an order
// that does not, none.
func TestOutboxTierEvent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newOrdFix(t, db, engine.Options{})
		f.svc.EnableOutbox()
		f.program(ordBronzeProg, "loyalty", "both", ordBronze, true)
		f.rule(ordBronzeProg, "money", "1", nil)
		f.program(ordSilverProg, "loyalty", "both", ordSilver, true)
		f.rule(ordSilverProg, "money", "1", nil)
		f.exec(`INSERT INTO membership_levels (name, membership_product_id, sequence, min_spending) VALUES
			('Bronze', ?, 10, ?), ('Silver', ?, 20, ?)`, ordBronze, ordDec(db, "0"), ordSilver, ordDec(db, "1000"))
		tiers := func() []string {
			rows, err := db.QueryContext(f.ctx, `SELECT entity_type, entity_id, part, lane, payload FROM sync_log
				WHERE action = 'tier' ORDER BY id`)
			require.NoError(t, err)
			defer rows.Close()
			var out []string
			for rows.Next() {
				var typ, lane, payload string
				var id, part int64
				require.NoError(t, rows.Scan(&typ, &id, &part, &lane, &payload))
				require.Equal(t, id%engine.SyncParts, part)
				out = append(out, fmt.Sprintf("%s %d %s %s", typ, id, lane, payload))
			}
			require.NoError(t, rows.Err())
			return out
		}
		for i, step := range []struct {
			amount string
			want   []string
		}{
			{"600.00", []string{fmt.Sprintf(`res.partner %d realtime {"membership_product_id":%d}`, ordAlice, ordBronze)}},
			{"300.00", nil},
			{"200.00", []string{fmt.Sprintf(`res.partner %d realtime {"membership_product_id":%d}`, ordAlice, ordSilver)}},
		} {
			before := tiers()
			f.process(engine.Order{Model: "pos.order", ID: int64(i + 1), Name: fmt.Sprintf("Shop/%04d", i+1), Partner: ordAlice,
				Date: ordNow, Lines: []engine.OrderLine{ordLine(ordBread, "1", step.amount, step.amount)}})
			require.Equal(t, append(before, step.want...), tiers(), "order %d", i+1)
		}
		// Each card the orders changed: its last points event carries its balance.
		rows, err := db.QueryContext(f.ctx, `SELECT c.id, c.points, (SELECT s.points FROM sync_log s
			WHERE s.entity_id = c.id AND s.action = 'points' ORDER BY s.id DESC LIMIT 1) FROM loyalty_cards c
			WHERE c.history_seq > 0`)
		require.NoError(t, err)
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id int64
			var pts, ev any
			require.NoError(t, rows.Scan(&id, &pts, &ev))
			require.NotNil(t, ev, "card %d has no points event", id)
			require.True(t, lgDec(db, pts).Equal(lgDec(db, ev)), "card %d", id)
			n++
		}
		require.NoError(t, rows.Err())
		require.Equal(t, 2, n) // bronze and silver
	})
}
