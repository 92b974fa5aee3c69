package migrations

// pos: the standalone Point of Sale records the POS loyalty flow needs when
// no upstream Odoo serves them: pos.config (row 1 "Shop"), pos.session,
// pos.order with its lines as JSON text, the programs whose rewards an
// order used (Odoo's total_order_count), and the first answer of each
// order's confirm_coupon_programs (a re-sent confirmation replays it).
func init() {
	Migrations.MustRegister(sqlMigration("20261125000006_pos"))
}
