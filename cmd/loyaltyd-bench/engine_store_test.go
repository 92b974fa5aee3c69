package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// ledgerRules are ledgerChecks and what holds of the bulk-loaded books.
var ledgerRules = append(slices.Clone(ledgerChecks),
	expireCheck{"an operation of the card for every journal row", `SELECT count(*) FROM point_history h
		WHERE NOT EXISTS (SELECT 1 FROM point_operations o WHERE o.id = h.operation_id AND o.loyalty_card_id = h.loyalty_card_id)`, ""})

func count(t *testing.T, db *models.DB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.DB.DB.QueryRowContext(context.Background(), sql, args...).Scan(&n), sql)
	return n
}

// TestLoadExpiredLots checks the bulk load keeps the ledger's rules, so
// that the expiry measured starts from books the engine could have
// written.
func TestLoadExpiredLots(t *testing.T) {
	db := dbtest.Postgres(t)
	ctx := context.Background()
	now := time.Now()
	const lots, cards = 1000, 70 // 14 or 15 lots a card; 7 cards with a lifetime lot
	program, err := loadExpiredLots(ctx, db, lots, cards, now)
	require.NoError(t, err)
	require.Equal(t, int64(cards), count(t, db, `SELECT count(*) FROM loyalty_cards WHERE program_id = $1`, program))
	require.Equal(t, int64(lots+7), count(t, db, `SELECT count(*) FROM point_moves WHERE state = 'active'`))
	require.Equal(t, int64(7), count(t, db, `SELECT count(*) FROM point_moves WHERE expiration_date IS NULL`))
	require.Equal(t, int64(lots), count(t, db, `SELECT count(*) FROM point_moves WHERE expiration_date < $1::timestamp`, sqlTime(now)))
	require.Equal(t, int64(lots+7), count(t, db, `SELECT count(*) FROM point_history WHERE kind = 'earn' AND lot_amount = points_amount`))
	require.Equal(t, int64(cards), count(t, db, `SELECT count(*) FROM loyalty_cards WHERE points > 0 AND debt = 0 AND history_seq >= 14`))
	// The lifetime lot is each card's last.
	require.Zero(t, count(t, db, `SELECT count(*) FROM point_moves m JOIN point_history h ON h.point_move_id = m.id
		JOIN loyalty_cards c ON c.id = m.loyalty_card_id WHERE m.expiration_date IS NULL AND h.seq <> c.history_seq`))
	for _, r := range ledgerRules {
		require.Zero(t, count(t, db, r.sql), r.what)
	}
	// Before the expiry the checks that follow it must fail: they are not vacuous.
	require.Equal(t, int64(lots), count(t, db, expireChecks[0].sql, expireChecks[0].args(now, program)...))
	require.Equal(t, int64(cards), count(t, db, expireChecks[2].sql, expireChecks[2].args(now, program)...))
	require.Zero(t, count(t, db, expireChecks[1].sql), expireChecks[1].what)
	// New rows get ids past the loaded ones.
	for _, table := range []string{"point_operations", "point_moves", "point_history"} {
		require.Equal(t, int64(lots+8), count(t, db, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id'))`), table)
	}
	want, err := pointsToExpire(ctx, db, now)
	require.NoError(t, err)
	require.Equal(t, count(t, db, `SELECT SUM(points)::bigint * 100 FROM loyalty_cards`)-7*500, want.Shift(2).IntPart())
}

// TestEngineSides runs the order workload and the expiry run at a small
// scale on the engine itself: no order fails and every check holds.
func TestEngineSides(t *testing.T) {
	ctx := context.Background()
	cfg := &engineConfig{Clients: 4, Duration: 300 * time.Millisecond, Cards: 50, Lots: 500, LotCards: 40}
	log := dbtest.Logger(t)

	orders, err := runOrders(ctx, dbtest.PostgresURL(t), cfg, nil, log)
	require.NoError(t, err)
	require.Zero(t, orders.Result.Errors, "%v", orders.Result.Samples)
	require.Empty(t, orders.Failures)
	require.Positive(t, orders.Booked)
	require.Len(t, orders.Checks, 1+len(ledgerChecks))
	require.True(t, slices.IsSorted(orders.Result.Latencies))
	require.Equal(t, orders.Booked, orders.CPU.Tx)
	require.False(t, orders.CPU.ServerOK, "no own server")

	exp, err := runExpire(ctx, dbtest.PostgresURL(t), cfg, log)
	require.NoError(t, err)
	require.Empty(t, exp.Failures)
	require.Equal(t, 500, exp.Stats.Lots)
	require.Equal(t, 40, exp.Stats.Cards)
	require.Zero(t, exp.Again.Lots)
	require.Len(t, exp.Checks, 3+len(expireChecks)+len(ledgerChecks), "%v %v", exp.Checks, exp.Notes)
	require.Empty(t, exp.Notes)
}
