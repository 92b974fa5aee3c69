package migrations

// orders: loyalty_orders, one row per order ProcessOrder booked (its
// idempotency anchor, the first result, and the spending history tiers are
// evaluated on), and loyalty_order_programs, the programs whose rewards an
// order used (usage limits).
func init() {
	Migrations.MustRegister(sqlMigration("20261125000005_orders"))
}
