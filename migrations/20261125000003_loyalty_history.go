package migrations

// loyalty_history: Odoo 18's loyalty.history, the audit log of points
// issued and used per card ("Onsite Order 12", "Gift for customer"), one
// row per event, deleted with its card.
func init() {
	Migrations.MustRegister(sqlMigration("20261125000003_loyalty_history"))
}
