package migrations_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/migrate"

	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// TestLedgerMigrationKeepsData applies the ledger migration to a store
// that already holds lots and journal rows (on SQLite it rebuilds both
// tables with foreign keys on), then rolls it back: rows, ids, id
// sequences and references survive both ways.
func TestLedgerMigrationKeepsData(t *testing.T) {
	t.Parallel()
	dbtest.EachConfig(t, func(t *testing.T, cfg models.StoreConfig) {
		t.Parallel()
		ctx := t.Context()
		db := dbtest.Open(t, cfg)
		before := migrate.NewMigrations()
		var ledger int
		for i, m := range migrations.Migrations.Sorted() {
			if m.Name+"_"+m.Comment == "20261125000004_ledger" {
				ledger = i
				break
			}
			before.Add(m)
		}
		require.NotZero(t, ledger)
		require.NoError(t, models.Migrate(ctx, db, before, dbtest.Logger(t)))

		exec := func(q string) {
			t.Helper()
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
		exec("INSERT INTO promotion_programs (name) VALUES ('p')")
		exec("INSERT INTO loyalty_cards (program_id, code, points) VALUES (1, 'c', 500)")
		for _, q := range []string{
			"INSERT INTO point_moves (loyalty_card_id, membership_product_id, gain_date, initial_point, remaining_point, state) VALUES (1, 4, '2026-01-01 10:00:00', 500, 500, 'active')",
			"INSERT INTO point_moves (loyalty_card_id, membership_product_id, gain_date, initial_point, remaining_point, state) VALUES (1, 4, '2026-01-02 10:00:00', 100, 100, 'active')",
			"DELETE FROM point_moves WHERE id = 2",
			"INSERT INTO point_history (loyalty_card_id, point_move_id, points_amount, points_balance, transaction_time, membership_product_id, status_membership_product_id) VALUES (1, 1, 500, 500, '2026-01-01 10:00:00', 4, 5)",
		} {
			exec(q)
		}

		// Up: the rest of the migrations, the ledger's included.
		require.NoError(t, models.Migrate(ctx, db, migrations.Migrations, dbtest.Logger(t)))
		var n, move, tier, status int64
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM point_moves WHERE membership_product_id = 4").Scan(&n))
		require.EqualValues(t, 1, n)
		require.NoError(t, db.QueryRowContext(ctx, "SELECT point_move_id, membership_product_id, status_membership_product_id FROM point_history").Scan(&move, &tier, &status))
		require.Equal(t, [3]int64{1, 4, 5}, [3]int64{move, tier, status})
		// No tier is allowed now; ids are not reused; references hold.
		var id int64
		require.NoError(t, db.QueryRowContext(ctx, "INSERT INTO point_moves (loyalty_card_id, gain_date, initial_point, remaining_point, state) VALUES (1, '2026-01-03 10:00:00', 1, 1, 'active') RETURNING id").Scan(&id))
		require.EqualValues(t, 3, id)
		_, err := db.ExecContext(ctx, "INSERT INTO point_history (loyalty_card_id, point_move_id, points_amount, points_balance, transaction_time) VALUES (1, 99, 1, 1, '2026-01-01 10:00:00')")
		require.True(t, models.IsForeignKeyViolation(err), "%v", err)
		_, err = db.ExecContext(ctx, "DELETE FROM point_moves WHERE id = 1")
		require.True(t, models.IsForeignKeyViolation(err), "%v", err)
		if db.DialectName() == models.DialectSQLite {
			rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
			require.NoError(t, err)
			require.False(t, rows.Next(), "foreign key violations after the rebuild")
			require.NoError(t, rows.Close())
		}
		exec("INSERT INTO point_history (loyalty_card_id, seq, kind, point_move_id, points_amount, points_balance, lot_amount, transaction_time) VALUES (1, 1, 'earn', 3, 1, 501, 1, '2026-01-03 10:00:00')")
		_, err = db.ExecContext(ctx, "INSERT INTO point_history (loyalty_card_id, seq, kind, points_amount, points_balance, transaction_time) VALUES (1, 1, 'debt', -1, 500, '2026-01-03 10:00:00')")
		require.True(t, models.IsUniqueViolation(err), "one seq per card: %v", err)

		// Down: the second Migrate above was one group (the ledger and
		// any later migration); rolled back as one.
		m := migrate.NewMigrator(db.DB, migrations.Migrations)
		_, err = m.Rollback(ctx)
		require.NoError(t, err)
		applied, err := m.AppliedMigrations(ctx)
		require.NoError(t, err)
		require.Len(t, applied, ledger)
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM point_moves").Scan(&n))
		require.EqualValues(t, 2, n)
		require.NoError(t, db.QueryRowContext(ctx, "SELECT membership_product_id FROM point_moves WHERE id = 3").Scan(&tier))
		require.EqualValues(t, 0, tier)
	})
}
