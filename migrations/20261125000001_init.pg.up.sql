-- Initial schema, PostgreSQL flavour. Keep in step with the .sqlite twin:
-- same tables, columns, defaults, constraints and index names.
-- Datetimes are TIMESTAMP (UTC, whole seconds), dates DATE, exact decimals
-- NUMERIC(18,2), booleans BOOLEAN.

CREATE TABLE res_currency (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    symbol VARCHAR,
    "position" VARCHAR DEFAULT 'after',
    decimal_places INTEGER DEFAULT 2,
    active BOOLEAN DEFAULT TRUE,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);

CREATE TABLE res_company (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    currency_id BIGINT,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);

CREATE TABLE res_partner (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    email VARCHAR,
    phone VARCHAR,
    ref VARCHAR,
    barcode VARCHAR,
    membership_product_id BIGINT,
    company_id BIGINT,
    active BOOLEAN DEFAULT TRUE,
    sync_version INTEGER DEFAULT 0,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE INDEX idx_res_partner_name ON res_partner (name);
CREATE INDEX idx_res_partner_membership_product ON res_partner (membership_product_id);

CREATE TABLE product_category (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    parent_id BIGINT REFERENCES product_category (id),
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE INDEX idx_product_category_parent ON product_category (parent_id);

CREATE TABLE product_product (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    default_code VARCHAR,
    barcode VARCHAR,
    categ_id BIGINT,
    list_price NUMERIC(18,2) DEFAULT 0,
    type VARCHAR DEFAULT 'consu',
    sale_ok BOOLEAN DEFAULT TRUE,
    available_in_pos BOOLEAN DEFAULT TRUE,
    active BOOLEAN DEFAULT TRUE,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);

CREATE TABLE res_groups (
    id BIGSERIAL PRIMARY KEY,
    xml_id VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL,
    category VARCHAR NOT NULL
);

CREATE TABLE res_users (
    id BIGSERIAL PRIMARY KEY,
    login VARCHAR NOT NULL UNIQUE,
    password VARCHAR,
    name VARCHAR NOT NULL,
    partner_id BIGINT REFERENCES res_partner (id),
    company_id BIGINT DEFAULT 1,
    active BOOLEAN DEFAULT TRUE,
    lang VARCHAR DEFAULT 'en_US',
    tz VARCHAR DEFAULT 'UTC',
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE INDEX idx_res_users_partner ON res_users (partner_id);

CREATE TABLE res_groups_users_rel (
    gid BIGINT NOT NULL REFERENCES res_groups (id) ON DELETE CASCADE,
    uid BIGINT NOT NULL REFERENCES res_users (id) ON DELETE CASCADE,
    PRIMARY KEY (gid, uid)
);
CREATE INDEX idx_res_groups_users_rel_uid ON res_groups_users_rel (uid);

CREATE TABLE res_users_apikeys (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES res_users (id) ON DELETE CASCADE,
    name VARCHAR NOT NULL,
    scope VARCHAR,
    key_index CHAR(8) NOT NULL,
    key_hash VARCHAR NOT NULL,
    expiration_date TIMESTAMP,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE INDEX idx_res_users_apikeys_key_index ON res_users_apikeys (key_index);
CREATE INDEX idx_res_users_apikeys_user ON res_users_apikeys (user_id);

CREATE TABLE promotion_programs (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    active BOOLEAN DEFAULT TRUE,
    sequence INTEGER DEFAULT 10,
    company_id BIGINT DEFAULT 1,
    currency_id BIGINT DEFAULT 1,
    program_type VARCHAR NOT NULL DEFAULT 'promotion',
    date_from DATE,
    date_to DATE,
    limit_usage BOOLEAN DEFAULT FALSE,
    max_usage INTEGER DEFAULT 0,
    applies_on VARCHAR NOT NULL DEFAULT 'current',
    "trigger" VARCHAR NOT NULL DEFAULT 'auto',
    portal_visible BOOLEAN DEFAULT FALSE,
    portal_point_name VARCHAR DEFAULT 'Points',
    pos_ok BOOLEAN DEFAULT TRUE,
    sale_ok BOOLEAN DEFAULT TRUE,
    membership_product_id BIGINT,
    is_primary_loyalty BOOLEAN DEFAULT FALSE,
    expired_interval INTEGER DEFAULT 0,
    expired_interval_type VARCHAR DEFAULT 'months',
    limit_per_customer BOOLEAN DEFAULT FALSE,
    max_usage_per_customer INTEGER DEFAULT 0,
    sync_version INTEGER DEFAULT 0,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);

CREATE TABLE promotion_rules (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES promotion_programs (id) ON DELETE CASCADE,
    active BOOLEAN DEFAULT TRUE,
    product_domain VARCHAR DEFAULT '[]',
    product_category_id BIGINT,
    product_tag_id BIGINT,
    reward_point_amount NUMERIC(18,2) DEFAULT 1,
    reward_point_split BOOLEAN DEFAULT FALSE,
    reward_point_mode VARCHAR DEFAULT 'order',
    minimum_qty INTEGER DEFAULT 1,
    minimum_amount NUMERIC(18,2) DEFAULT 0,
    minimum_amount_tax_mode VARCHAR DEFAULT 'incl',
    mode VARCHAR DEFAULT 'auto',
    code VARCHAR,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE INDEX idx_promotion_rules_program ON promotion_rules (program_id);

CREATE TABLE promotion_rule_product_rel (
    rule_id BIGINT NOT NULL REFERENCES promotion_rules (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES product_product (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, product_id)
);
CREATE INDEX idx_promotion_rule_product_rel_product ON promotion_rule_product_rel (product_id);

CREATE TABLE promotion_rewards (
    id BIGSERIAL PRIMARY KEY,
    program_id BIGINT NOT NULL REFERENCES promotion_programs (id) ON DELETE CASCADE,
    active BOOLEAN DEFAULT TRUE,
    description VARCHAR,
    reward_type VARCHAR DEFAULT 'discount',
    discount NUMERIC(18,2) DEFAULT 10,
    discount_mode VARCHAR DEFAULT 'percent',
    discount_applicability VARCHAR DEFAULT 'order',
    discount_product_domain VARCHAR DEFAULT '[]',
    discount_max_amount NUMERIC(18,2) DEFAULT 0,
    discount_line_product_id BIGINT,
    reward_product_id BIGINT,
    reward_product_qty INTEGER DEFAULT 1,
    required_points NUMERIC(18,2) DEFAULT 1,
    clear_wallet BOOLEAN DEFAULT FALSE,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE INDEX idx_promotion_rewards_program ON promotion_rewards (program_id);

CREATE TABLE membership_levels (
    id BIGSERIAL PRIMARY KEY,
    name VARCHAR NOT NULL,
    membership_product_id BIGINT NOT NULL,
    sequence INTEGER DEFAULT 10,
    min_spending NUMERIC(18,2) DEFAULT 0,
    allow_upgrade BOOLEAN DEFAULT TRUE,
    allow_downgrade BOOLEAN DEFAULT TRUE,
    active BOOLEAN DEFAULT TRUE,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);

-- loyalty_cards, point_moves, point_history and sync_log follow the seed
-- schema (created_at/updated_at instead of create_date/write_date).
CREATE TABLE loyalty_cards (
    id BIGSERIAL PRIMARY KEY,
    odoo_card_id INTEGER,
    program_id BIGINT NOT NULL REFERENCES promotion_programs (id) ON DELETE RESTRICT,
    partner_id BIGINT,
    code VARCHAR(255) NOT NULL UNIQUE,
    points NUMERIC(18,2) NOT NULL DEFAULT 0,
    expiration_date DATE,
    source_pos_order_id BIGINT,
    company_id BIGINT DEFAULT 1,
    active BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    updated_at TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    synced_to_odoo BOOLEAN DEFAULT FALSE,
    sync_version INTEGER DEFAULT 0
);
CREATE INDEX idx_loyalty_cards_partner ON loyalty_cards (partner_id);
CREATE INDEX idx_loyalty_cards_sync ON loyalty_cards (synced_to_odoo, sync_version);
CREATE INDEX idx_loyalty_cards_program ON loyalty_cards (program_id);

CREATE TABLE point_moves (
    id BIGSERIAL PRIMARY KEY,
    loyalty_card_id BIGINT NOT NULL REFERENCES loyalty_cards (id),
    membership_product_id BIGINT NOT NULL,
    gain_date TIMESTAMP NOT NULL,
    expiration_date TIMESTAMP,
    initial_point NUMERIC(18,2) NOT NULL,
    remaining_point NUMERIC(18,2) NOT NULL,
    state VARCHAR(20) NOT NULL,
    origin VARCHAR(255),
    created_at TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    synced_to_odoo BOOLEAN DEFAULT FALSE
);
CREATE INDEX idx_point_moves_card_state ON point_moves (loyalty_card_id, state, expiration_date);

CREATE TABLE point_history (
    id BIGSERIAL PRIMARY KEY,
    loyalty_card_id BIGINT NOT NULL REFERENCES loyalty_cards (id),
    point_move_id BIGINT REFERENCES point_moves (id),
    points_amount NUMERIC(18,2) NOT NULL,
    points_balance NUMERIC(18,2) NOT NULL,
    transaction_time TIMESTAMP NOT NULL,
    origin VARCHAR(255),
    membership_product_id BIGINT NOT NULL,
    status_membership_product_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    synced_to_odoo BOOLEAN DEFAULT FALSE
);
CREATE INDEX idx_point_history_card ON point_history (loyalty_card_id, transaction_time DESC);

CREATE TABLE sync_log (
    id BIGSERIAL PRIMARY KEY,
    entity_type VARCHAR(50) NOT NULL,
    entity_id BIGINT NOT NULL,
    action VARCHAR(20) NOT NULL,
    status VARCHAR(20) NOT NULL,
    error_message TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    synced_at TIMESTAMP
);

-- Odoo metadata: the models and fields fields_get and ir.model answer from.
CREATE TABLE ir_model (
    id BIGSERIAL PRIMARY KEY,
    model VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL,
    info TEXT,
    state VARCHAR DEFAULT 'base',
    transient BOOLEAN DEFAULT FALSE,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);

CREATE TABLE ir_model_fields (
    id BIGSERIAL PRIMARY KEY,
    model_id BIGINT NOT NULL REFERENCES ir_model (id) ON DELETE CASCADE,
    model VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    field_description VARCHAR NOT NULL,
    ttype VARCHAR NOT NULL,
    relation VARCHAR,
    required BOOLEAN DEFAULT FALSE,
    readonly BOOLEAN DEFAULT FALSE,
    store BOOLEAN DEFAULT TRUE,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    UNIQUE (model, name)
);
CREATE INDEX idx_ir_model_fields_model_id ON ir_model_fields (model_id);

-- Seed rows. Explicit ids, so the sequences are moved past them.
INSERT INTO res_currency (id, name, symbol, "position") VALUES (1, 'USD', '$', 'before');
INSERT INTO res_company (id, name, currency_id) VALUES (1, 'My Company', 1);
INSERT INTO res_groups (id, xml_id, name, category) VALUES
    (1, 'base.group_user', 'Internal User', 'User types'),
    (2, 'base.group_system', 'Settings', 'Administration'),
    (3, 'point_of_sale.group_pos_user', 'User', 'Point of Sale'),
    (4, 'point_of_sale.group_pos_manager', 'Administrator', 'Point of Sale');
SELECT setval(pg_get_serial_sequence('res_currency', 'id'), (SELECT max(id) FROM res_currency));
SELECT setval(pg_get_serial_sequence('res_company', 'id'), (SELECT max(id) FROM res_company));
SELECT setval(pg_get_serial_sequence('res_groups', 'id'), (SELECT max(id) FROM res_groups));
