-- Standalone POS records for the POS loyalty flow.
CREATE TABLE pos_config (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    active BOOLEAN DEFAULT TRUE,
    company_id BIGINT DEFAULT 1,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
INSERT INTO pos_config (id, name) VALUES (1, 'Shop');
SELECT setval(pg_get_serial_sequence('pos_config', 'id'), 1);

CREATE TABLE pos_session (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    config_id BIGINT REFERENCES pos_config (id),
    state VARCHAR DEFAULT 'opened',
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);

CREATE TABLE pos_order (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    pos_reference VARCHAR,
    session_id BIGINT,
    config_id BIGINT REFERENCES pos_config (id),
    partner_id BIGINT,
    date_order TIMESTAMP NOT NULL,
    amount_total NUMERIC(18,2) DEFAULT 0,
    amount_tax NUMERIC(18,2) DEFAULT 0,
    amount_paid NUMERIC(18,2) DEFAULT 0,
    state VARCHAR DEFAULT 'draft',
    lines TEXT NOT NULL DEFAULT '[]',
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE UNIQUE INDEX idx_pos_order_reference ON pos_order (pos_reference);
CREATE INDEX idx_pos_order_partner ON pos_order (partner_id);

CREATE TABLE pos_order_programs (
    order_id BIGINT NOT NULL REFERENCES pos_order (id) ON DELETE CASCADE,
    program_id BIGINT NOT NULL,
    PRIMARY KEY (order_id, program_id)
);
CREATE INDEX idx_pos_order_programs_program ON pos_order_programs (program_id);

CREATE TABLE pos_coupon_confirmations (
    order_id BIGINT PRIMARY KEY REFERENCES pos_order (id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
