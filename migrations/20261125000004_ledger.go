package migrations

// ledger: the points engine's bookkeeping. point_operations records every
// ledger operation under its idempotency key (with the result to replay);
// loyalty_cards gains the outstanding debt and the last journal seq;
// point_moves (lots) gain their program and operation; point_history (the
// journal) gains the per-card seq, the row kind, the signed change of the
// lot, the operation and a reason. The membership product columns of lots
// and journal rows become nullable: Odoo's standard programs have no tier.
// On SQLite that takes the table-rebuild procedure (see the sqlite file).
func init() {
	Migrations.MustRegister(sqlMigration("20261125000004_ledger"))
}
