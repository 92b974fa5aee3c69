-- The ledger, SQLite flavour (decimals in hundredths, datetimes as TEXT;
-- see the init migration).
CREATE TABLE point_operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    loyalty_card_id INTEGER NOT NULL REFERENCES loyalty_cards (id),
    kind TEXT NOT NULL,
    idem_key TEXT NOT NULL UNIQUE,
    origin TEXT,
    reverses_id INTEGER REFERENCES point_operations (id),
    reversed_by_id INTEGER REFERENCES point_operations (id),
    result TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE INDEX idx_point_operations_card ON point_operations (loyalty_card_id);

ALTER TABLE loyalty_cards ADD COLUMN debt INTEGER NOT NULL DEFAULT 0 CHECK (typeof(debt) = 'integer');
ALTER TABLE loyalty_cards ADD COLUMN history_seq INTEGER NOT NULL DEFAULT 0;

ALTER TABLE point_moves ADD COLUMN program_id INTEGER;
ALTER TABLE point_moves ADD COLUMN operation_id INTEGER;

ALTER TABLE point_history ADD COLUMN seq INTEGER;
ALTER TABLE point_history ADD COLUMN kind TEXT;
ALTER TABLE point_history ADD COLUMN lot_amount INTEGER NOT NULL DEFAULT 0 CHECK (typeof(lot_amount) = 'integer');
ALTER TABLE point_history ADD COLUMN operation_id INTEGER;
ALTER TABLE point_history ADD COLUMN reason TEXT;

-- SQLite cannot drop a NOT NULL: rebuild point_moves and point_history
-- with nullable membership products (create new, copy, drop, rename,
-- recreate the indexes). Foreign keys are on and the migration runs in a
-- transaction, so the order matters: the new journal references the new
-- lots table, both old tables are dropped child first (nothing references
-- them any more), and the renames rewrite the reference to point_moves.
CREATE TABLE point_moves_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    loyalty_card_id INTEGER NOT NULL REFERENCES loyalty_cards (id),
    membership_product_id INTEGER,
    gain_date TEXT NOT NULL CHECK (gain_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    expiration_date TEXT CHECK (expiration_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    initial_point INTEGER NOT NULL CHECK (typeof(initial_point) IN ('integer', 'null')),
    remaining_point INTEGER NOT NULL CHECK (typeof(remaining_point) IN ('integer', 'null')),
    state TEXT NOT NULL,
    origin TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    synced_to_odoo INTEGER DEFAULT 0 CHECK (synced_to_odoo IN (0, 1)),
    program_id INTEGER,
    operation_id INTEGER
);
INSERT INTO point_moves_new (id, loyalty_card_id, membership_product_id, gain_date, expiration_date, initial_point,
    remaining_point, state, origin, created_at, synced_to_odoo, program_id, operation_id)
    SELECT id, loyalty_card_id, membership_product_id, gain_date, expiration_date, initial_point,
    remaining_point, state, origin, created_at, synced_to_odoo, program_id, operation_id FROM point_moves;
CREATE TABLE point_history_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    loyalty_card_id INTEGER NOT NULL REFERENCES loyalty_cards (id),
    point_move_id INTEGER REFERENCES point_moves_new (id),
    points_amount INTEGER NOT NULL CHECK (typeof(points_amount) IN ('integer', 'null')),
    points_balance INTEGER NOT NULL CHECK (typeof(points_balance) IN ('integer', 'null')),
    transaction_time TEXT NOT NULL CHECK (transaction_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    origin TEXT,
    membership_product_id INTEGER,
    status_membership_product_id INTEGER,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    synced_to_odoo INTEGER DEFAULT 0 CHECK (synced_to_odoo IN (0, 1)),
    seq INTEGER,
    kind TEXT,
    lot_amount INTEGER NOT NULL DEFAULT 0 CHECK (typeof(lot_amount) = 'integer'),
    operation_id INTEGER,
    reason TEXT
);
INSERT INTO point_history_new (id, loyalty_card_id, point_move_id, points_amount, points_balance, transaction_time,
    origin, membership_product_id, status_membership_product_id, created_at, synced_to_odoo, seq, kind, lot_amount,
    operation_id, reason)
    SELECT id, loyalty_card_id, point_move_id, points_amount, points_balance, transaction_time,
    origin, membership_product_id, status_membership_product_id, created_at, synced_to_odoo, seq, kind, lot_amount,
    operation_id, reason FROM point_history;
-- Keep the id sequences (AUTOINCREMENT never reuses an id).
DELETE FROM sqlite_sequence WHERE name IN ('point_moves_new', 'point_history_new');
INSERT INTO sqlite_sequence (name, seq) SELECT 'point_moves_new', seq FROM sqlite_sequence WHERE name = 'point_moves';
INSERT INTO sqlite_sequence (name, seq) SELECT 'point_history_new', seq FROM sqlite_sequence WHERE name = 'point_history';
DROP TABLE point_history;
DROP TABLE point_moves;
ALTER TABLE point_moves_new RENAME TO point_moves;
ALTER TABLE point_history_new RENAME TO point_history;
CREATE INDEX idx_point_moves_card_state ON point_moves (loyalty_card_id, state, expiration_date);
CREATE INDEX idx_point_history_card ON point_history (loyalty_card_id, transaction_time DESC);

CREATE UNIQUE INDEX idx_point_history_card_seq ON point_history (loyalty_card_id, seq);
CREATE INDEX idx_point_history_move ON point_history (point_move_id);
CREATE INDEX idx_point_history_operation ON point_history (operation_id) WHERE operation_id IS NOT NULL;
-- The expiry job walks the active lots by card and expiry.
CREATE INDEX idx_point_moves_active ON point_moves (loyalty_card_id, expiration_date, id) WHERE state = 'active';
