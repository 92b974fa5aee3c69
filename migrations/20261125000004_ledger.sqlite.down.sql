-- Back to the schema of migration 3: rebuild point_moves and
-- point_history without the ledger columns and with NOT NULL membership
-- products (0 for none), then drop the rest.
DROP INDEX idx_point_moves_active;
DROP INDEX idx_point_history_operation;
DROP INDEX idx_point_history_move;
DROP INDEX idx_point_history_card_seq;
CREATE TABLE point_moves_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    loyalty_card_id INTEGER NOT NULL REFERENCES loyalty_cards (id),
    membership_product_id INTEGER NOT NULL,
    gain_date TEXT NOT NULL CHECK (gain_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    expiration_date TEXT CHECK (expiration_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    initial_point INTEGER NOT NULL CHECK (typeof(initial_point) IN ('integer', 'null')),
    remaining_point INTEGER NOT NULL CHECK (typeof(remaining_point) IN ('integer', 'null')),
    state TEXT NOT NULL,
    origin TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    synced_to_odoo INTEGER DEFAULT 0 CHECK (synced_to_odoo IN (0, 1))
);
INSERT INTO point_moves_old (id, loyalty_card_id, membership_product_id, gain_date, expiration_date, initial_point,
    remaining_point, state, origin, created_at, synced_to_odoo)
    SELECT id, loyalty_card_id, COALESCE(membership_product_id, 0), gain_date, expiration_date, initial_point,
    remaining_point, state, origin, created_at, synced_to_odoo FROM point_moves;
CREATE TABLE point_history_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    loyalty_card_id INTEGER NOT NULL REFERENCES loyalty_cards (id),
    point_move_id INTEGER REFERENCES point_moves_old (id),
    points_amount INTEGER NOT NULL CHECK (typeof(points_amount) IN ('integer', 'null')),
    points_balance INTEGER NOT NULL CHECK (typeof(points_balance) IN ('integer', 'null')),
    transaction_time TEXT NOT NULL CHECK (transaction_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    origin TEXT,
    membership_product_id INTEGER NOT NULL,
    status_membership_product_id INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    synced_to_odoo INTEGER DEFAULT 0 CHECK (synced_to_odoo IN (0, 1))
);
INSERT INTO point_history_old (id, loyalty_card_id, point_move_id, points_amount, points_balance, transaction_time,
    origin, membership_product_id, status_membership_product_id, created_at, synced_to_odoo)
    SELECT id, loyalty_card_id, point_move_id, points_amount, points_balance, transaction_time,
    origin, COALESCE(membership_product_id, 0), COALESCE(status_membership_product_id, 0), created_at, synced_to_odoo
    FROM point_history;
DELETE FROM sqlite_sequence WHERE name IN ('point_moves_old', 'point_history_old');
INSERT INTO sqlite_sequence (name, seq) SELECT 'point_moves_old', seq FROM sqlite_sequence WHERE name = 'point_moves';
INSERT INTO sqlite_sequence (name, seq) SELECT 'point_history_old', seq FROM sqlite_sequence WHERE name = 'point_history';
DROP TABLE point_history;
DROP TABLE point_moves;
ALTER TABLE point_moves_old RENAME TO point_moves;
ALTER TABLE point_history_old RENAME TO point_history;
CREATE INDEX idx_point_moves_card_state ON point_moves (loyalty_card_id, state, expiration_date);
CREATE INDEX idx_point_history_card ON point_history (loyalty_card_id, transaction_time DESC);
ALTER TABLE loyalty_cards DROP COLUMN history_seq;
ALTER TABLE loyalty_cards DROP COLUMN debt;
DROP TABLE point_operations;
