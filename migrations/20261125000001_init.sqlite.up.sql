-- Initial schema, SQLite flavour. Keep in step with the .pg twin: same
-- tables, columns, defaults, constraints and index names.
-- Datetimes are TEXT 'YYYY-MM-DD HH:MM:SS' (UTC), dates TEXT 'YYYY-MM-DD',
-- exact decimals INTEGER hundredths (12.34 is 1234, so defaults are x100),
-- booleans INTEGER 0/1. The CHECKs reject values that did not go through
-- models.ToColumn (a REAL or '12.34' in a decimal, an ISO 'T' datetime),
-- which would otherwise compare and sort wrongly.

CREATE TABLE res_currency (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    symbol TEXT,
    "position" TEXT DEFAULT 'after',
    decimal_places INTEGER DEFAULT 2,
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

CREATE TABLE res_company (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    currency_id INTEGER,
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

CREATE TABLE res_partner (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    ref TEXT,
    barcode TEXT,
    membership_product_id INTEGER,
    company_id INTEGER,
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    sync_version INTEGER DEFAULT 0,
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE INDEX idx_res_partner_name ON res_partner (name);
CREATE INDEX idx_res_partner_membership_product ON res_partner (membership_product_id);

CREATE TABLE product_category (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES product_category (id),
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE INDEX idx_product_category_parent ON product_category (parent_id);

CREATE TABLE product_product (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    default_code TEXT,
    barcode TEXT,
    categ_id INTEGER,
    list_price INTEGER DEFAULT 0 CHECK (typeof(list_price) IN ('integer', 'null')),
    type TEXT DEFAULT 'consu',
    sale_ok INTEGER DEFAULT 1 CHECK (sale_ok IN (0, 1)),
    available_in_pos INTEGER DEFAULT 1 CHECK (available_in_pos IN (0, 1)),
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

CREATE TABLE res_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    xml_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL
);

CREATE TABLE res_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL UNIQUE,
    password TEXT,
    name TEXT NOT NULL,
    partner_id INTEGER REFERENCES res_partner (id),
    company_id INTEGER DEFAULT 1,
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    lang TEXT DEFAULT 'en_US',
    tz TEXT DEFAULT 'UTC',
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE INDEX idx_res_users_partner ON res_users (partner_id);

CREATE TABLE res_groups_users_rel (
    gid INTEGER NOT NULL REFERENCES res_groups (id) ON DELETE CASCADE,
    uid INTEGER NOT NULL REFERENCES res_users (id) ON DELETE CASCADE,
    PRIMARY KEY (gid, uid)
);
CREATE INDEX idx_res_groups_users_rel_uid ON res_groups_users_rel (uid);

CREATE TABLE res_users_apikeys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES res_users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scope TEXT,
    key_index TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    expiration_date TEXT CHECK (expiration_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE INDEX idx_res_users_apikeys_key_index ON res_users_apikeys (key_index);
CREATE INDEX idx_res_users_apikeys_user ON res_users_apikeys (user_id);

CREATE TABLE promotion_programs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    sequence INTEGER DEFAULT 10,
    company_id INTEGER DEFAULT 1,
    currency_id INTEGER DEFAULT 1,
    program_type TEXT NOT NULL DEFAULT 'promotion',
    date_from TEXT CHECK (date_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    date_to TEXT CHECK (date_to GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    limit_usage INTEGER DEFAULT 0 CHECK (limit_usage IN (0, 1)),
    max_usage INTEGER DEFAULT 0,
    applies_on TEXT NOT NULL DEFAULT 'current',
    "trigger" TEXT NOT NULL DEFAULT 'auto',
    portal_visible INTEGER DEFAULT 0 CHECK (portal_visible IN (0, 1)),
    portal_point_name TEXT DEFAULT 'Points',
    pos_ok INTEGER DEFAULT 1 CHECK (pos_ok IN (0, 1)),
    sale_ok INTEGER DEFAULT 1 CHECK (sale_ok IN (0, 1)),
    membership_product_id INTEGER,
    is_primary_loyalty INTEGER DEFAULT 0 CHECK (is_primary_loyalty IN (0, 1)),
    expired_interval INTEGER DEFAULT 0,
    expired_interval_type TEXT DEFAULT 'months',
    limit_per_customer INTEGER DEFAULT 0 CHECK (limit_per_customer IN (0, 1)),
    max_usage_per_customer INTEGER DEFAULT 0,
    sync_version INTEGER DEFAULT 0,
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

CREATE TABLE promotion_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id INTEGER NOT NULL REFERENCES promotion_programs (id) ON DELETE CASCADE,
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    product_domain TEXT DEFAULT '[]',
    product_category_id INTEGER,
    product_tag_id INTEGER,
    reward_point_amount INTEGER DEFAULT 100 CHECK (typeof(reward_point_amount) IN ('integer', 'null')),
    reward_point_split INTEGER DEFAULT 0 CHECK (reward_point_split IN (0, 1)),
    reward_point_mode TEXT DEFAULT 'order',
    minimum_qty INTEGER DEFAULT 1,
    minimum_amount INTEGER DEFAULT 0 CHECK (typeof(minimum_amount) IN ('integer', 'null')),
    minimum_amount_tax_mode TEXT DEFAULT 'incl',
    mode TEXT DEFAULT 'auto',
    code TEXT,
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE INDEX idx_promotion_rules_program ON promotion_rules (program_id);

CREATE TABLE promotion_rule_product_rel (
    rule_id INTEGER NOT NULL REFERENCES promotion_rules (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES product_product (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, product_id)
);
CREATE INDEX idx_promotion_rule_product_rel_product ON promotion_rule_product_rel (product_id);

CREATE TABLE promotion_rewards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    program_id INTEGER NOT NULL REFERENCES promotion_programs (id) ON DELETE CASCADE,
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    description TEXT,
    reward_type TEXT DEFAULT 'discount',
    discount INTEGER DEFAULT 1000 CHECK (typeof(discount) IN ('integer', 'null')),
    discount_mode TEXT DEFAULT 'percent',
    discount_applicability TEXT DEFAULT 'order',
    discount_product_domain TEXT DEFAULT '[]',
    discount_max_amount INTEGER DEFAULT 0 CHECK (typeof(discount_max_amount) IN ('integer', 'null')),
    discount_line_product_id INTEGER,
    reward_product_id INTEGER,
    reward_product_qty INTEGER DEFAULT 1,
    required_points INTEGER DEFAULT 100 CHECK (typeof(required_points) IN ('integer', 'null')),
    clear_wallet INTEGER DEFAULT 0 CHECK (clear_wallet IN (0, 1)),
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE INDEX idx_promotion_rewards_program ON promotion_rewards (program_id);

CREATE TABLE membership_levels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    membership_product_id INTEGER NOT NULL,
    sequence INTEGER DEFAULT 10,
    min_spending INTEGER DEFAULT 0 CHECK (typeof(min_spending) IN ('integer', 'null')),
    allow_upgrade INTEGER DEFAULT 1 CHECK (allow_upgrade IN (0, 1)),
    allow_downgrade INTEGER DEFAULT 1 CHECK (allow_downgrade IN (0, 1)),
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

-- loyalty_cards, point_moves, point_history and sync_log follow the seed
-- schema (created_at/updated_at instead of create_date/write_date).
CREATE TABLE loyalty_cards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    odoo_card_id INTEGER,
    program_id INTEGER NOT NULL REFERENCES promotion_programs (id) ON DELETE RESTRICT,
    partner_id INTEGER,
    code TEXT NOT NULL UNIQUE,
    points INTEGER NOT NULL DEFAULT 0 CHECK (typeof(points) IN ('integer', 'null')),
    expiration_date TEXT CHECK (expiration_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    source_pos_order_id INTEGER,
    company_id INTEGER DEFAULT 1,
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    synced_to_odoo INTEGER DEFAULT 0 CHECK (synced_to_odoo IN (0, 1)),
    sync_version INTEGER DEFAULT 0
);
CREATE INDEX idx_loyalty_cards_partner ON loyalty_cards (partner_id);
CREATE INDEX idx_loyalty_cards_sync ON loyalty_cards (synced_to_odoo, sync_version);
CREATE INDEX idx_loyalty_cards_program ON loyalty_cards (program_id);

CREATE TABLE point_moves (
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
CREATE INDEX idx_point_moves_card_state ON point_moves (loyalty_card_id, state, expiration_date);

CREATE TABLE point_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    loyalty_card_id INTEGER NOT NULL REFERENCES loyalty_cards (id),
    point_move_id INTEGER REFERENCES point_moves (id),
    points_amount INTEGER NOT NULL CHECK (typeof(points_amount) IN ('integer', 'null')),
    points_balance INTEGER NOT NULL CHECK (typeof(points_balance) IN ('integer', 'null')),
    transaction_time TEXT NOT NULL CHECK (transaction_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    origin TEXT,
    membership_product_id INTEGER NOT NULL,
    status_membership_product_id INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    synced_to_odoo INTEGER DEFAULT 0 CHECK (synced_to_odoo IN (0, 1))
);
CREATE INDEX idx_point_history_card ON point_history (loyalty_card_id, transaction_time DESC);

CREATE TABLE sync_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_type TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    error_message TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    synced_at TEXT CHECK (synced_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

-- Odoo metadata: the models and fields fields_get and ir.model answer from.
CREATE TABLE ir_model (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    info TEXT,
    state TEXT DEFAULT 'base',
    transient INTEGER DEFAULT 0 CHECK (transient IN (0, 1)),
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

CREATE TABLE ir_model_fields (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id INTEGER NOT NULL REFERENCES ir_model (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    name TEXT NOT NULL,
    field_description TEXT NOT NULL,
    ttype TEXT NOT NULL,
    relation TEXT,
    required INTEGER DEFAULT 0 CHECK (required IN (0, 1)),
    readonly INTEGER DEFAULT 0 CHECK (readonly IN (0, 1)),
    store INTEGER DEFAULT 1 CHECK (store IN (0, 1)),
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    UNIQUE (model, name)
);
CREATE INDEX idx_ir_model_fields_model_id ON ir_model_fields (model_id);

-- Seed rows. AUTOINCREMENT continues after the explicit ids.
INSERT INTO res_currency (id, name, symbol, "position") VALUES (1, 'USD', '$', 'before');
INSERT INTO res_company (id, name, currency_id) VALUES (1, 'My Company', 1);
INSERT INTO res_groups (id, xml_id, name, category) VALUES
    (1, 'base.group_user', 'Internal User', 'User types'),
    (2, 'base.group_system', 'Settings', 'Administration'),
    (3, 'point_of_sale.group_pos_user', 'User', 'Point of Sale'),
    (4, 'point_of_sale.group_pos_manager', 'Administrator', 'Point of Sale');
