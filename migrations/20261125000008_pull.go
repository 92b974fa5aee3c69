package migrations

// pull: the inbound pull of reference data from an upstream Odoo (issue 5).
// sync_cursors keeps each model's (write_date, id) cursor, written after
// every page so that a crashed pull resumes; odoo_write_date on every
// reference table is the write_date Odoo last gave the row (a local write
// moves write_date away from it: Odoo wins, the overwrite is logged);
// odoo_hash a digest of the values it pulled (a re-read row that did not
// change is not written again); pulled_version is the sync_version a partner or program had at its last
// pull; odoo_id on point_moves and point_history remembers the seed addon's
// lots and journal rows taken by `loyaltyd import`, so a re-run finds them.
func init() {
	Migrations.MustRegister(sqlMigration("20261125000008_pull"))
}
