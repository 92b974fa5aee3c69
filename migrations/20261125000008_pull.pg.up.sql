-- Inbound pull of reference data (issue 5).
CREATE TABLE sync_cursors (
    model VARCHAR PRIMARY KEY,
    write_date TIMESTAMP,
    last_id BIGINT NOT NULL DEFAULT 0,
    rows_pulled BIGINT NOT NULL DEFAULT 0,
    swept_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);

ALTER TABLE res_partner ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE res_partner ADD COLUMN odoo_hash BIGINT;
ALTER TABLE product_product ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE product_product ADD COLUMN odoo_hash BIGINT;
ALTER TABLE product_category ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE product_category ADD COLUMN odoo_hash BIGINT;
ALTER TABLE promotion_programs ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE promotion_programs ADD COLUMN odoo_hash BIGINT;
ALTER TABLE promotion_rules ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE promotion_rules ADD COLUMN odoo_hash BIGINT;
ALTER TABLE promotion_rewards ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE promotion_rewards ADD COLUMN odoo_hash BIGINT;
ALTER TABLE membership_levels ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE membership_levels ADD COLUMN odoo_hash BIGINT;
ALTER TABLE res_company ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE res_company ADD COLUMN odoo_hash BIGINT;
ALTER TABLE res_currency ADD COLUMN odoo_write_date TIMESTAMP;
ALTER TABLE res_currency ADD COLUMN odoo_hash BIGINT;
ALTER TABLE res_partner ADD COLUMN pulled_version INTEGER;
ALTER TABLE promotion_programs ADD COLUMN pulled_version INTEGER;

ALTER TABLE point_moves ADD COLUMN odoo_id BIGINT;
ALTER TABLE point_history ADD COLUMN odoo_id BIGINT;
CREATE UNIQUE INDEX idx_point_moves_odoo_id ON point_moves (odoo_id);
CREATE UNIQUE INDEX idx_point_history_odoo_id ON point_history (odoo_id);
