package migrations

// sync: the outbox of the sync with an upstream Odoo. sync_log (the seed's
// columns kept) gets what delivery needs: the card's partition (entity_id
// % 64) and lane, the journal seq range and balance at commit, the
// card's sync_version, a JSON payload (card and tier events), attempts
// and the next and last attempt times; a partial index finds the pending
// work. sync_parts (64 rows) are locked FOR UPDATE SKIP LOCKED on
// PostgreSQL so that each partition is delivered by one worker at a
// time, in order. loyalty_cards.odoo_points is the balance last written
// to Odoo (a different value read back there is a conflict).
func init() {
	Migrations.MustRegister(sqlMigration("20261125000007_sync"))
}
