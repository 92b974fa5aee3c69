package models_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/migrate"

	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
)

// The tables the init migration creates, and the indexes others rely on.
var (
	allTables = []string{
		"res_company", "res_currency", "res_partner", "product_category", "product_product",
		"res_groups", "res_users", "res_groups_users_rel", "res_users_apikeys",
		"promotion_programs", "promotion_rules", "promotion_rule_product_rel", "promotion_rewards",
		"membership_levels", "loyalty_cards", "point_moves", "point_history", "sync_log",
		"ir_model", "ir_model_fields",
	}
	seedIndexes = []string{
		"idx_point_moves_card_state", "idx_point_history_card", "idx_loyalty_cards_partner",
		"idx_loyalty_cards_sync", "idx_loyalty_cards_program",
		"idx_res_partner_name", "idx_res_partner_membership_product", "idx_res_users_apikeys_key_index",
	}
)

// Fields describing a few columns, as model descriptors would.
var (
	pointsField   = &models.Field{Name: "points", Type: models.Float, Decimal: true, Column: "points"}
	expiryField   = &models.Field{Name: "expiration_date", Type: models.Date, Column: "expiration_date"}
	createdField  = &models.Field{Name: "create_date", Type: models.Datetime, Column: "created_at"}
	gainDateField = &models.Field{Name: "gain_date", Type: models.Datetime, Column: "gain_date"}
	activeField   = &models.Field{Name: "active", Type: models.Boolean, Column: "active"}
	idField       = &models.Field{Name: "id", Type: models.Integer, Column: "id"}
)

// bundle is one test's database and helpers bound to it.
type bundle struct {
	t   *testing.T
	ctx context.Context
	db  *models.DB
}

func setup(t *testing.T, db *models.DB) *bundle {
	t.Helper()
	return &bundle{t: t, ctx: t.Context(), db: db}
}

// col converts a value for f with ToColumn, failing the test on error.
func (b *bundle) col(f *models.Field, v any) any {
	b.t.Helper()
	out, err := models.ToColumn(b.db.DialectName(), f, v)
	require.NoError(b.t, err)
	return out
}

// read converts a driver value for f with FromColumn.
func (b *bundle) read(f *models.Field, raw any) any {
	b.t.Helper()
	out, err := models.FromColumn(b.db.DialectName(), f, raw)
	require.NoError(b.t, err)
	return out
}

// one runs a query returning a single value.
func (b *bundle) one(query string, args ...any) any {
	b.t.Helper()
	var v any
	require.NoError(b.t, b.db.QueryRowContext(b.ctx, query, args...).Scan(&v))
	return v
}

// program inserts a loyalty program and returns its id.
func (b *bundle) program(name string) int64 {
	b.t.Helper()
	var id int64
	require.NoError(b.t, b.db.QueryRowContext(b.ctx,
		"INSERT INTO promotion_programs (name, program_type) VALUES (?, 'loyalty') RETURNING id", name).Scan(&id))
	return id
}

// card inserts a card with points and returns its id.
func (b *bundle) card(program int64, code string, points any) int64 {
	b.t.Helper()
	id, err := b.insertCard(program, code, points)
	require.NoError(b.t, err)
	return id
}

func (b *bundle) insertCard(program int64, code string, points any) (int64, error) {
	var id int64
	err := b.db.QueryRowContext(b.ctx,
		"INSERT INTO loyalty_cards (program_id, code, points) VALUES (?, ?, ?) RETURNING id",
		program, code, b.col(pointsField, points)).Scan(&id)
	return id, err
}

func TestStore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		t.Run("Dialect", func(t *testing.T) {
			want := models.DialectSQLite
			if strings.Contains(t.Name(), "/postgres/") {
				want = models.DialectPG
			}
			require.Equal(t, want, db.DialectName())
		})
		t.Run("Tables", func(t *testing.T) { testTables(t, setup(t, db)) })
		t.Run("Seed", func(t *testing.T) { testSeed(t, setup(t, db)) })
		t.Run("MigrateAgain", func(t *testing.T) { testMigrateAgain(t, setup(t, db)) })
		t.Run("Decimals", func(t *testing.T) { testDecimals(t, setup(t, db)) })
		t.Run("DecimalSum", func(t *testing.T) { testDecimalSum(t, setup(t, db)) })
		t.Run("Dates", func(t *testing.T) { testDates(t, setup(t, db)) })
		t.Run("Constraints", func(t *testing.T) { testConstraints(t, setup(t, db)) })
		t.Run("ConcurrentWriteTx", func(t *testing.T) { testConcurrentWriteTx(t, setup(t, db)) })
	})
}

func testTables(t *testing.T, b *bundle) {
	for _, table := range allTables {
		_, err := b.db.ExecContext(b.ctx, "SELECT count(*) FROM "+table)
		require.NoError(t, err, table)
	}
	var q string
	if b.db.DialectName() == models.DialectPG {
		q = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
	} else {
		q = "SELECT name FROM sqlite_master WHERE type = 'index'"
	}
	var indexes []string
	require.NoError(t, b.db.NewRaw(q).Scan(b.ctx, &indexes))
	for _, idx := range seedIndexes {
		require.Contains(t, indexes, idx)
	}
}

func testSeed(t *testing.T, b *bundle) {
	var name string
	var currency int64
	require.NoError(t, b.db.QueryRowContext(b.ctx, "SELECT name, currency_id FROM res_company WHERE id = 1").Scan(&name, &currency))
	require.Equal(t, "My Company", name)
	require.EqualValues(t, 1, currency)

	var symbol, position string
	require.NoError(t, b.db.QueryRowContext(b.ctx,
		`SELECT name, symbol, "position" FROM res_currency WHERE id = 1`).Scan(&name, &symbol, &position))
	require.Equal(t, []string{"USD", "$", "before"}, []string{name, symbol, position})
	require.Equal(t, true, b.read(activeField, b.one("SELECT active FROM res_currency WHERE id = 1")))

	var groups []string
	require.NoError(t, b.db.NewRaw("SELECT xml_id || '|' || name || '|' || category FROM res_groups ORDER BY id").Scan(b.ctx, &groups))
	require.Equal(t, []string{
		"base.group_user|Internal User|User types",
		"base.group_system|Settings|Administration",
		"point_of_sale.group_pos_user|User|Point of Sale",
		"point_of_sale.group_pos_manager|Administrator|Point of Sale",
	}, groups)

	// New rows get ids after the seeded ones.
	var id int64
	require.NoError(t, b.db.QueryRowContext(b.ctx,
		"INSERT INTO res_groups (xml_id, name, category) VALUES ('x.test', 'T', 'C') RETURNING id").Scan(&id))
	require.EqualValues(t, 5, id)
}

func testMigrateAgain(t *testing.T, b *bundle) {
	require.NoError(t, models.Migrate(b.ctx, b.db, migrations.Migrations, dbtest.Logger(t)))
	n := b.read(idField, b.one("SELECT count(*) FROM bun_migrations"))
	require.EqualValues(t, len(migrations.Migrations.Sorted()), n)
	require.EqualValues(t, 0, b.read(idField, b.one("SELECT count(*) FROM bun_migration_locks")))
}

func testDecimals(t *testing.T, b *bundle) {
	prog := b.program("decimals")
	cases := []struct {
		in   any
		want string
	}{
		{0.01, "0.01"},
		{0.1 + 0.2, "0.30"},
		{"12345678901234.56", "12345678901234.56"},
		{-42.5, "-42.50"},
		{decimal.RequireFromString("9999999999999999.99"), "9999999999999999.99"},
		{int64(7), "7.00"},
		{2.675, "2.68"}, // half-up on the shortest decimal form, like Odoo
		{-0.005, "-0.01"},
	}
	for i, c := range cases {
		id := b.card(prog, fmt.Sprintf("DEC-%d", i), c.in)
		got := b.read(pointsField, b.one("SELECT points FROM loyalty_cards WHERE id = ?", id))
		require.IsType(t, decimal.Decimal{}, got)
		require.Equal(t, c.want, got.(decimal.Decimal).StringFixed(2), "case %d: %v", i, c.in)
	}

	// ORDER BY and comparisons are numeric, also for negatives.
	order := b.program("order")
	for i, p := range []string{"10", "9.99", "-1.5", "100", "0.01", "2", "-10"} {
		b.card(order, fmt.Sprintf("ORD-%d", i), p)
	}
	rows, err := b.db.QueryContext(b.ctx, "SELECT points FROM loyalty_cards WHERE program_id = ? ORDER BY points", order)
	require.NoError(t, err)
	var sorted []string
	for rows.Next() {
		var raw any
		require.NoError(t, rows.Scan(&raw))
		sorted = append(sorted, b.read(pointsField, raw).(decimal.Decimal).String())
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{"-10", "-1.5", "0.01", "2", "9.99", "10", "100"}, sorted)
	n := b.one("SELECT count(*) FROM loyalty_cards WHERE program_id = ? AND points >= ?", order, b.col(pointsField, 9.995))
	require.EqualValues(t, 2, b.read(idField, n)) // 9.995 rounds to 10.00

	// The overflow a NUMERIC(18,2) would raise is caught before the driver.
	_, err = models.ToColumn(b.db.DialectName(), pointsField, "10000000000000000")
	require.Equal(t, models.KindValue, models.KindOf(err))
}

func testDecimalSum(t *testing.T, b *bundle) {
	prog := b.program("sum")
	cardID := b.card(prog, "SUM-1", 0)
	// 625 rows written through ToColumn, then doubled in SQL four times:
	// 10,000 rows of 0.01 (cheaper than 10,000 inserts under -race).
	const seed, batch = 625, 125
	cent := b.col(pointsField, 0.01)
	now := b.col(gainDateField, time.Now())
	err := b.db.WriteTx(b.ctx, func(ctx context.Context, tx *models.Tx) error {
		for i := 0; i < seed; i += batch {
			var sb strings.Builder
			args := make([]any, 0, batch*4)
			sb.WriteString("INSERT INTO point_moves (loyalty_card_id, membership_product_id, gain_date, " +
				"initial_point, remaining_point, state) VALUES ")
			for j := 0; j < batch; j++ {
				if j > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, 1, ?, ?, ?, 'active')")
				args = append(args, cardID, now, cent, cent)
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return err
			}
		}
		for i := 0; i < 4; i++ {
			if _, err := tx.ExecContext(ctx, "INSERT INTO point_moves (loyalty_card_id, membership_product_id, "+
				"gain_date, initial_point, remaining_point, state) SELECT loyalty_card_id, membership_product_id, "+
				"gain_date, initial_point, remaining_point, state FROM point_moves WHERE loyalty_card_id = ?", cardID); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.EqualValues(t, 10000, b.read(idField, b.one("SELECT count(*) FROM point_moves WHERE loyalty_card_id = ?", cardID)))
	sum := b.read(pointsField, b.one("SELECT SUM(initial_point) FROM point_moves WHERE loyalty_card_id = ?", cardID))
	require.Equal(t, "100.00", sum.(decimal.Decimal).StringFixed(2))
	require.True(t, sum.(decimal.Decimal).Equal(decimal.NewFromInt(100)))
}

func testDates(t *testing.T, b *bundle) {
	prog := b.program("dates")
	before := time.Now().UTC().Truncate(time.Second)
	id := b.card(prog, "DATE-1", 1)
	_, err := b.db.ExecContext(b.ctx, "UPDATE loyalty_cards SET expiration_date = ? WHERE id = ?",
		b.col(expiryField, "2024-02-29"), id)
	require.NoError(t, err)
	require.Equal(t, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		b.read(expiryField, b.one("SELECT expiration_date FROM loyalty_cards WHERE id = ?", id)))

	// The default creation time is UTC now, to the second.
	created := b.read(createdField, b.one("SELECT created_at FROM loyalty_cards WHERE id = ?", id)).(time.Time)
	require.Equal(t, time.UTC, created.Location())
	require.WithinDuration(t, before, created, 5*time.Second)
	require.Equal(t, 0, created.Nanosecond())

	// Datetimes round-trip in UTC, from strings and from zoned times alike.
	for _, in := range []any{
		"2024-12-31 23:59:59",
		time.Date(2025, 1, 1, 8, 59, 59, 999, time.FixedZone("WIB", 9*3600)),
	} {
		var moveID int64
		require.NoError(t, b.db.QueryRowContext(b.ctx,
			"INSERT INTO point_moves (loyalty_card_id, membership_product_id, gain_date, initial_point, "+
				"remaining_point, state) VALUES (?, 1, ?, ?, ?, 'active') RETURNING id",
			id, b.col(gainDateField, in), b.col(pointsField, 1), b.col(pointsField, 1)).Scan(&moveID))
		got := b.read(gainDateField, b.one("SELECT gain_date FROM point_moves WHERE id = ?", moveID))
		require.Equal(t, time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), got)
	}
	// Comparisons on datetimes order chronologically.
	n := b.one("SELECT count(*) FROM point_moves WHERE loyalty_card_id = ? AND gain_date > ?",
		id, b.col(gainDateField, "2024-12-31 23:59:58"))
	require.EqualValues(t, 2, b.read(idField, n))
}

func testConstraints(t *testing.T, b *bundle) {
	prog := b.program("constraints")
	b.card(prog, "UNIQ-1", 1)
	_, err := b.insertCard(prog, "UNIQ-1", 2)
	require.Error(t, err)
	require.True(t, models.IsUniqueViolation(err), "%v", err)
	require.False(t, models.IsForeignKeyViolation(err))
	require.True(t, models.IsUniqueViolation(fmt.Errorf("wrapped: %w", err)))
	table, constraint := models.ConstraintTable(err)
	require.Equal(t, "loyalty_cards", table)
	if b.db.DialectName() == models.DialectPG {
		require.Equal(t, "loyalty_cards_code_key", constraint)
	} else {
		require.Equal(t, "loyalty_cards.code", constraint)
	}

	// Cards keep their program: ON DELETE RESTRICT.
	_, err = b.db.ExecContext(b.ctx, "DELETE FROM promotion_programs WHERE id = ?", prog)
	require.Error(t, err)
	require.True(t, models.IsForeignKeyViolation(err), "%v", err)
	require.False(t, models.IsUniqueViolation(err))

	// And must name an existing one.
	_, err = b.insertCard(999999, "FK-1", 1)
	require.True(t, models.IsForeignKeyViolation(err), "%v", err)

	_, err = b.db.ExecContext(b.ctx, "INSERT INTO loyalty_cards (program_id, code) VALUES (?, NULL)", prog)
	require.True(t, models.IsNotNullViolation(err), "%v", err)
	if table, constraint = models.ConstraintTable(err); b.db.DialectName() == models.DialectSQLite {
		require.Equal(t, []string{"loyalty_cards", "loyalty_cards.code"}, []string{table, constraint})
	}

	// Rules go with their program: ON DELETE CASCADE.
	other := b.program("cascade")
	_, err = b.db.ExecContext(b.ctx, "INSERT INTO promotion_rules (program_id) VALUES (?)", other)
	require.NoError(t, err)
	_, err = b.db.ExecContext(b.ctx, "DELETE FROM promotion_programs WHERE id = ?", other)
	require.NoError(t, err)
	require.EqualValues(t, 0, b.read(idField, b.one("SELECT count(*) FROM promotion_rules WHERE program_id = ?", other)))

	require.False(t, models.IsUniqueViolation(nil))
	require.False(t, models.IsForeignKeyViolation(fmt.Errorf("plain")))

	if b.db.DialectName() == models.DialectSQLite {
		// Values that bypassed ToColumn are refused rather than stored in a
		// form that would sort and sum wrongly.
		for _, q := range []string{
			"UPDATE loyalty_cards SET points = 12.34 WHERE code = 'UNIQ-1'",
			"UPDATE loyalty_cards SET points = '12.34' WHERE code = 'UNIQ-1'",
			"UPDATE loyalty_cards SET created_at = '2024-01-01T00:00:00Z' WHERE code = 'UNIQ-1'",
			"UPDATE loyalty_cards SET expiration_date = '2024-01-01 00:00:00' WHERE code = 'UNIQ-1'",
			"UPDATE loyalty_cards SET active = 2 WHERE code = 'UNIQ-1'",
		} {
			_, err := b.db.ExecContext(b.ctx, q)
			require.True(t, models.IsCheckViolation(err), "%s: %v", q, err)
		}
	}
}

func testConcurrentWriteTx(t *testing.T, b *bundle) {
	prog := b.program("concurrent")
	cardID := b.card(prog, "CONC-1", 0)
	const writers, readers = 32, 8
	one := b.col(pointsField, 1)
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	stop := make(chan struct{})
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var n int64
				if err := b.db.QueryRowContext(b.ctx, "SELECT count(*) FROM point_history").Scan(&n); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
			}
		}()
	}
	var writersWG sync.WaitGroup
	for i := 0; i < writers; i++ {
		writersWG.Add(1)
		go func() {
			defer writersWG.Done()
			err := b.db.WriteTx(b.ctx, func(ctx context.Context, tx *models.Tx) error {
				var raw any
				if err := tx.QueryRowContext(ctx, "SELECT points FROM loyalty_cards WHERE id = ?", cardID).Scan(&raw); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, "UPDATE loyalty_cards SET points = points + ?, sync_version = sync_version + 1 WHERE id = ?",
					one, cardID); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, "INSERT INTO point_history (loyalty_card_id, points_amount, points_balance, "+
					"transaction_time, membership_product_id, status_membership_product_id) VALUES (?, ?, ?, ?, 1, 1)",
					cardID, one, one, b.col(gainDateField, time.Now()))
				return err
			})
			if err != nil {
				errs <- fmt.Errorf("writer: %w", err)
			}
		}()
	}
	writersWG.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err) // no SQLITE_BUSY, no serialization failure
	}
	require.Equal(t, "32", b.read(pointsField, b.one("SELECT points FROM loyalty_cards WHERE id = ?", cardID)).(decimal.Decimal).String())
	require.EqualValues(t, writers, b.read(idField, b.one("SELECT count(*) FROM point_history WHERE loyalty_card_id = ?", cardID)))
}

// TestMigrate runs the migrations on empty databases: up, down and up
// again, and two instances migrating one database at once.
func TestMigrate(t *testing.T) {
	t.Parallel()
	dbtest.EachConfig(t, func(t *testing.T, cfg models.StoreConfig) {
		ctx := t.Context()
		log := dbtest.Logger(t)
		first, second := dbtest.Open(t, cfg), dbtest.Open(t, cfg)

		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, db := range []*models.DB{first, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = models.Migrate(ctx, db, migrations.Migrations, log)
			}()
		}
		wg.Wait()
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])
		b := setup(t, first)
		require.EqualValues(t, len(migrations.Migrations.Sorted()), b.read(idField, b.one("SELECT count(*) FROM bun_migrations")))
		require.EqualValues(t, 4, b.read(idField, b.one("SELECT count(*) FROM res_groups")))

		// Down drops every table; up recreates them.
		m := migrate.NewMigrator(first.DB, migrations.Migrations)
		_, err := m.Rollback(ctx)
		require.NoError(t, err)
		_, err = first.ExecContext(ctx, "SELECT count(*) FROM loyalty_cards")
		require.Error(t, err)
		require.NoError(t, models.Migrate(ctx, second, migrations.Migrations, log))
		testTables(t, setup(t, second))
	})
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	log := dbtest.Logger(t)

	t.Run("memory", func(t *testing.T) {
		db, err := models.Open(ctx, models.StoreConfig{URL: ":memory:"}, log)
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, models.Migrate(ctx, db, migrations.Migrations, log))
		b := setup(t, db)
		b.card(b.program("mem"), "MEM-1", 1.5)
		require.EqualValues(t, 1, b.read(idField, b.one("SELECT count(*) FROM loyalty_cards")))

		// Each :memory: store is its own database.
		other, err := models.Open(ctx, models.StoreConfig{URL: ":memory:"}, log)
		require.NoError(t, err)
		defer other.Close()
		_, err = other.ExecContext(ctx, "SELECT count(*) FROM loyalty_cards")
		require.Error(t, err)
	})
	t.Run("sqlite URL", func(t *testing.T) {
		path := t.TempDir() + "/sub/dir/x.db"
		db, err := models.Open(ctx, models.StoreConfig{URL: "sqlite://" + path}, log)
		require.NoError(t, err)
		defer db.Close()
		require.Equal(t, models.DialectSQLite, db.DialectName())
		var mode string
		require.NoError(t, db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
		require.Equal(t, "wal", mode)
		var fk, busy int
		require.NoError(t, db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
		require.NoError(t, db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy))
		require.Equal(t, []int{1, 10000}, []int{fk, busy})
	})
	t.Run("data dir", func(t *testing.T) {
		dir := t.TempDir() + "/data"
		db, err := models.Open(ctx, models.StoreConfig{DataDir: dir, DBName: "odoo"}, log)
		require.NoError(t, err)
		defer db.Close()
		require.FileExists(t, dir+"/odoo.sqlite")
	})
	t.Run("errors", func(t *testing.T) {
		for _, cfg := range []models.StoreConfig{
			{URL: "mysql://root:secret@localhost/x"},
			{DataDir: "", DBName: "x"},
			{DataDir: t.TempDir(), DBName: "../escape"},
		} {
			_, err := models.Open(ctx, cfg, log)
			require.Error(t, err, "%+v", cfg)
			require.NotContains(t, err.Error(), "secret")
		}
		_, err := models.Open(ctx, models.StoreConfig{URL: "postgres://u:secret@127.0.0.1:1/x?connect_timeout=2"}, log)
		require.Error(t, err)
		require.Contains(t, err.Error(), "open postgres 127.0.0.1:1/x")
		require.NotContains(t, err.Error(), "secret")
	})
}
