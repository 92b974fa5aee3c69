-- Inbound pull of reference data (issue 5), SQLite flavour.
CREATE TABLE sync_cursors (
    model TEXT PRIMARY KEY,
    write_date TEXT CHECK (write_date IS NULL OR write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    last_id INTEGER NOT NULL DEFAULT 0,
    rows_pulled INTEGER NOT NULL DEFAULT 0,
    swept_at TEXT CHECK (swept_at IS NULL OR swept_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%S', 'now')) CHECK (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
);

ALTER TABLE res_partner ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE res_partner ADD COLUMN odoo_hash INTEGER;
ALTER TABLE product_product ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE product_product ADD COLUMN odoo_hash INTEGER;
ALTER TABLE product_category ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE product_category ADD COLUMN odoo_hash INTEGER;
ALTER TABLE promotion_programs ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE promotion_programs ADD COLUMN odoo_hash INTEGER;
ALTER TABLE promotion_rules ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE promotion_rules ADD COLUMN odoo_hash INTEGER;
ALTER TABLE promotion_rewards ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE promotion_rewards ADD COLUMN odoo_hash INTEGER;
ALTER TABLE membership_levels ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE membership_levels ADD COLUMN odoo_hash INTEGER;
ALTER TABLE res_company ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE res_company ADD COLUMN odoo_hash INTEGER;
ALTER TABLE res_currency ADD COLUMN odoo_write_date TEXT CHECK (odoo_write_date IS NULL OR odoo_write_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]');
ALTER TABLE res_currency ADD COLUMN odoo_hash INTEGER;
ALTER TABLE res_partner ADD COLUMN pulled_version INTEGER;
ALTER TABLE promotion_programs ADD COLUMN pulled_version INTEGER;

ALTER TABLE point_moves ADD COLUMN odoo_id INTEGER;
ALTER TABLE point_history ADD COLUMN odoo_id INTEGER;
CREATE UNIQUE INDEX idx_point_moves_odoo_id ON point_moves (odoo_id);
CREATE UNIQUE INDEX idx_point_history_odoo_id ON point_history (odoo_id);
