package migrations

// create_uid and write_uid on every table behind an Odoo model: Odoo's
// magic "Created by" / "Last Updated by" fields, which fields_get lists and
// clients read.
func init() {
	Migrations.MustRegister(sqlMigration("20261125000002_create_write_uid"))
}
