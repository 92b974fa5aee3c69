-- The outbox of the sync with an upstream Odoo, SQLite flavour (decimals
-- in hundredths, datetimes as TEXT; see the init migration).
ALTER TABLE sync_log ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_log ADD COLUMN lane TEXT NOT NULL DEFAULT 'realtime';
ALTER TABLE sync_log ADD COLUMN seq_from INTEGER;
ALTER TABLE sync_log ADD COLUMN seq_to INTEGER;
ALTER TABLE sync_log ADD COLUMN points INTEGER CHECK (typeof(points) IN ('integer', 'null'));
ALTER TABLE sync_log ADD COLUMN sync_version INTEGER;
ALTER TABLE sync_log ADD COLUMN payload TEXT;
ALTER TABLE sync_log ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_log ADD COLUMN next_attempt_at TEXT CHECK (next_attempt_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*');
ALTER TABLE sync_log ADD COLUMN last_attempt_at TEXT CHECK (last_attempt_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*');
CREATE INDEX idx_sync_log_pending ON sync_log (part, id) WHERE status = 'pending';
CREATE INDEX idx_sync_log_next ON sync_log (id) WHERE status = 'pending';
CREATE INDEX idx_sync_log_waiting ON sync_log (part) WHERE status = 'pending' AND next_attempt_at IS NOT NULL;
CREATE INDEX idx_sync_log_status ON sync_log (status, synced_at);

CREATE TABLE sync_parts (
    part INTEGER PRIMARY KEY,
    claimed_at TEXT
);
WITH RECURSIVE n(part) AS (SELECT 0 UNION ALL SELECT part + 1 FROM n WHERE part < 63)
INSERT INTO sync_parts (part) SELECT part FROM n;

ALTER TABLE loyalty_cards ADD COLUMN odoo_points INTEGER CHECK (typeof(odoo_points) IN ('integer', 'null'));
