package engine_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// BenchmarkExpire expires EXPIRE_BENCH_LOTS lots (default 100,000; 10
// per card, each with its earn row) on PostgreSQL, with
// EXPIRE_BENCH_WORKERS workers (default: Expire's). The 1,000,000-lot
// figure of make bench comes from loyaltyd-bench engine, on a PostgreSQL
// with durable commits:
//
//	scripts/test-services.sh go test -run XXX -bench Expire -benchtime 1x ./engine/
func BenchmarkExpire(b *testing.B) {
	lots := 100_000
	if s := os.Getenv("EXPIRE_BENCH_LOTS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(b, err)
		lots = n
	}
	cards := max(lots/10, 1)
	workers := 0 // Expire's default
	if s := os.Getenv("EXPIRE_BENCH_WORKERS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(b, err)
		workers = n
	}
	for b.Loop() {
		b.StopTimer()
		db := dbtest.Postgres(b)
		ctx := b.Context()
		start := time.Now()
		for _, q := range []string{
			"INSERT INTO promotion_programs (name) VALUES ('bench')",
			"INSERT INTO loyalty_cards (program_id, code, points, history_seq) SELECT 1, 'B' || g, 100, 10 FROM generate_series(1, " +
				strconv.Itoa(cards) + ") g",
			`INSERT INTO point_moves (loyalty_card_id, gain_date, expiration_date, initial_point, remaining_point, state, origin)
			 SELECT c.id, TIMESTAMP '2026-01-01 10:00:00', TIMESTAMP '2026-01-31 23:59:59' + k * INTERVAL '1 hour', 10, 10, 'active', 'bench'
			 FROM loyalty_cards c, generate_series(1, 10) k ORDER BY k, c.id`,
			`INSERT INTO point_history (loyalty_card_id, seq, kind, point_move_id, points_amount, points_balance, lot_amount,
			 transaction_time, origin) SELECT loyalty_card_id, ROW_NUMBER() OVER (PARTITION BY loyalty_card_id ORDER BY id), 'earn', id, 10,
			 10 * ROW_NUMBER() OVER (PARTITION BY loyalty_card_id ORDER BY id), 10, gain_date, origin FROM point_moves`,
			"ANALYZE loyalty_cards", "ANALYZE point_moves", "ANALYZE point_history",
		} {
			if os.Getenv("EXPIRE_BENCH_NOFK") != "" && q == "ANALYZE loyalty_cards" {
				// What the journal's foreign keys cost (an experiment).
				for _, fk := range []string{"point_history_loyalty_card_id_fkey", "point_history_point_move_id_fkey"} {
					_, err := db.ExecContext(ctx, "ALTER TABLE point_history DROP CONSTRAINT "+fk)
					require.NoError(b, err)
				}
			}
			_, err := db.ExecContext(ctx, q)
			require.NoError(b, err, q)
		}
		b.Logf("seeded %d lots on %d cards in %s", cards*10, cards, time.Since(start).Round(time.Millisecond))
		svc := engine.New(db, engine.Options{}, nil)
		if os.Getenv("EXPIRE_BENCH_OUTBOX") != "" {
			svc.EnableOutbox() // one sync event per card (issue 5)
		}
		b.StartTimer()
		start = time.Now()
		st, err := svc.ExpireForTest(ctx, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), 20000, workers)
		took := time.Since(start)
		b.StopTimer()
		require.NoError(b, err)
		require.Equal(b, cards*10, st.Lots)
		b.ReportMetric(float64(st.Lots)/took.Seconds(), "lots/s")
		b.Logf("expired %d lots of %d cards (%s points) in %s", st.Lots, st.Cards, st.Points.StringFixed(2), took.Round(time.Millisecond))
		for _, c := range []int64{1, int64(cards)} {
			require.NoError(b, engine.CheckInvariants(ctx, db, c))
		}
		b.StartTimer()
	}
}
