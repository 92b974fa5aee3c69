package migrations

// The initial schema: companies, currencies, partners, products, users and
// groups, API keys, loyalty programs with their rules and rewards,
// membership levels, cards, point moves and history, the sync log, and the
// ir_model / ir_model_fields metadata tables, with the seed rows (company 1,
// currency 1 and the four groups).
func init() {
	Migrations.MustRegister(sqlMigration("20261125000001_init"))
}
