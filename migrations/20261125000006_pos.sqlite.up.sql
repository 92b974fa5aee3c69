-- Standalone POS records for the POS loyalty flow, SQLite flavour
-- (decimals in hundredths, datetimes as TEXT; see the init migration).
CREATE TABLE pos_config (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    active INTEGER DEFAULT 1 CHECK (active IN (0, 1)),
    company_id INTEGER DEFAULT 1,
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
INSERT INTO pos_config (id, name) VALUES (1, 'Shop');

CREATE TABLE pos_session (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    config_id INTEGER REFERENCES pos_config (id),
    state TEXT DEFAULT 'opened',
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

CREATE TABLE pos_order (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    pos_reference TEXT,
    session_id INTEGER,
    config_id INTEGER REFERENCES pos_config (id),
    partner_id INTEGER,
    date_order TEXT NOT NULL CHECK (date_order GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    amount_total INTEGER DEFAULT 0 CHECK (typeof(amount_total) IN ('integer', 'null')),
    amount_tax INTEGER DEFAULT 0 CHECK (typeof(amount_tax) IN ('integer', 'null')),
    amount_paid INTEGER DEFAULT 0 CHECK (typeof(amount_paid) IN ('integer', 'null')),
    state TEXT DEFAULT 'draft',
    lines TEXT NOT NULL DEFAULT '[]',
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE UNIQUE INDEX idx_pos_order_reference ON pos_order (pos_reference);
CREATE INDEX idx_pos_order_partner ON pos_order (partner_id);

CREATE TABLE pos_order_programs (
    order_id INTEGER NOT NULL REFERENCES pos_order (id) ON DELETE CASCADE,
    program_id INTEGER NOT NULL,
    PRIMARY KEY (order_id, program_id)
);
CREATE INDEX idx_pos_order_programs_program ON pos_order_programs (program_id);

CREATE TABLE pos_coupon_confirmations (
    order_id INTEGER PRIMARY KEY REFERENCES pos_order (id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
