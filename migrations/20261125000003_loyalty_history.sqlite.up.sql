-- Odoo 18's loyalty.history, SQLite flavour (decimals in hundredths,
-- datetimes as TEXT; see the init migration).
CREATE TABLE loyalty_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    card_id INTEGER NOT NULL REFERENCES loyalty_cards (id) ON DELETE CASCADE,
    company_id INTEGER DEFAULT 1,
    description TEXT NOT NULL,
    issued INTEGER DEFAULT 0 CHECK (typeof(issued) IN ('integer', 'null')),
    used INTEGER DEFAULT 0 CHECK (typeof(used) IN ('integer', 'null')),
    order_model TEXT NULL,
    order_id INTEGER NULL,
    create_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (create_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    write_date TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    create_uid INTEGER NULL,
    write_uid INTEGER NULL
);
CREATE INDEX idx_loyalty_history_card ON loyalty_history (card_id);
