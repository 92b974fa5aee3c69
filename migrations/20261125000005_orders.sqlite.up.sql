-- loyalty_orders and loyalty_order_programs, SQLite flavour (decimals in
-- hundredths, datetimes as TEXT; see the init migration).
CREATE TABLE loyalty_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL,
    order_id INTEGER NOT NULL,
    name TEXT,
    partner_id INTEGER,
    date_order TEXT NOT NULL CHECK (date_order GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    amount_total INTEGER NOT NULL DEFAULT 0 CHECK (typeof(amount_total) IN ('integer', 'null')),
    tier INTEGER,
    refund_of INTEGER,
    result TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);
CREATE UNIQUE INDEX idx_loyalty_orders_order ON loyalty_orders (model, order_id);
CREATE INDEX idx_loyalty_orders_partner ON loyalty_orders (partner_id, date_order);

CREATE TABLE loyalty_order_programs (
    order_id INTEGER NOT NULL REFERENCES loyalty_orders (id) ON DELETE CASCADE,
    program_id INTEGER NOT NULL,
    partner_id INTEGER,
    PRIMARY KEY (order_id, program_id)
);
CREATE INDEX idx_loyalty_order_programs_program ON loyalty_order_programs (program_id, partner_id);
