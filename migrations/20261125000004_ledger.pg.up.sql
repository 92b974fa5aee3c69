-- Every ledger operation, once per idempotency key; result is the JSON of
-- the first run's result, returned again when the key is repeated.
CREATE TABLE point_operations (
    id BIGSERIAL PRIMARY KEY,
    loyalty_card_id BIGINT NOT NULL REFERENCES loyalty_cards (id),
    kind VARCHAR(20) NOT NULL,
    idem_key VARCHAR NOT NULL UNIQUE,
    origin VARCHAR(255),
    reverses_id BIGINT REFERENCES point_operations (id),
    reversed_by_id BIGINT REFERENCES point_operations (id),
    result TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE INDEX idx_point_operations_card ON point_operations (loyalty_card_id);

-- Outstanding debt (>= 0) and the seq of the card's last journal row.
ALTER TABLE loyalty_cards ADD COLUMN debt NUMERIC(18,2) NOT NULL DEFAULT 0;
ALTER TABLE loyalty_cards ADD COLUMN history_seq BIGINT NOT NULL DEFAULT 0;

ALTER TABLE point_moves ADD COLUMN program_id BIGINT;
ALTER TABLE point_moves ADD COLUMN operation_id BIGINT;
ALTER TABLE point_moves ALTER COLUMN membership_product_id DROP NOT NULL;

-- seq: per-card journal position; lot_amount: signed change of the lot's
-- remaining points (0 when the row names no lot).
ALTER TABLE point_history ADD COLUMN seq BIGINT;
ALTER TABLE point_history ADD COLUMN kind VARCHAR(20);
ALTER TABLE point_history ADD COLUMN lot_amount NUMERIC(18,2) NOT NULL DEFAULT 0;
ALTER TABLE point_history ADD COLUMN operation_id BIGINT;
ALTER TABLE point_history ADD COLUMN reason TEXT;
ALTER TABLE point_history ALTER COLUMN membership_product_id DROP NOT NULL;
ALTER TABLE point_history ALTER COLUMN status_membership_product_id DROP NOT NULL;

-- The SQLite flavour rebuilds point_moves and point_history and so
-- recreates their indexes; recreated here too, unchanged, so both dialects
-- run the same index statements.
DROP INDEX idx_point_moves_card_state;
CREATE INDEX idx_point_moves_card_state ON point_moves (loyalty_card_id, state, expiration_date);
DROP INDEX idx_point_history_card;
CREATE INDEX idx_point_history_card ON point_history (loyalty_card_id, transaction_time DESC);

CREATE UNIQUE INDEX idx_point_history_card_seq ON point_history (loyalty_card_id, seq);
CREATE INDEX idx_point_history_move ON point_history (point_move_id);
CREATE INDEX idx_point_history_operation ON point_history (operation_id) WHERE operation_id IS NOT NULL;
-- The expiry job walks the active lots by card and expiry.
CREATE INDEX idx_point_moves_active ON point_moves (loyalty_card_id, expiration_date, id) WHERE state = 'active';
