-- The outbox of the sync with an upstream Odoo.
ALTER TABLE sync_log ADD COLUMN part SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE sync_log ADD COLUMN lane VARCHAR(16) NOT NULL DEFAULT 'realtime';
ALTER TABLE sync_log ADD COLUMN seq_from BIGINT;
ALTER TABLE sync_log ADD COLUMN seq_to BIGINT;
ALTER TABLE sync_log ADD COLUMN points NUMERIC(18,2);
ALTER TABLE sync_log ADD COLUMN sync_version INTEGER;
ALTER TABLE sync_log ADD COLUMN payload TEXT;
ALTER TABLE sync_log ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_log ADD COLUMN next_attempt_at TIMESTAMP;
ALTER TABLE sync_log ADD COLUMN last_attempt_at TIMESTAMP;
CREATE INDEX idx_sync_log_pending ON sync_log (part, id) WHERE status = 'pending';
CREATE INDEX idx_sync_log_next ON sync_log (id) WHERE status = 'pending';
CREATE INDEX idx_sync_log_waiting ON sync_log (part) WHERE status = 'pending' AND next_attempt_at IS NOT NULL;
CREATE INDEX idx_sync_log_status ON sync_log (status, synced_at);

CREATE TABLE sync_parts (
    part SMALLINT PRIMARY KEY,
    claimed_at TIMESTAMP
);
INSERT INTO sync_parts (part) SELECT generate_series(0, 63);

ALTER TABLE loyalty_cards ADD COLUMN odoo_points NUMERIC(18,2);
