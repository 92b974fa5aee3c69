-- One row per order ProcessOrder booked: inserted first, so a repeated or
-- concurrent (model, order_id) finds it and returns the stored result.
-- amount_total is tax included, negative for a refund; tier is the
-- membership product snapshot the order earned under.
CREATE TABLE loyalty_orders (
    id BIGSERIAL PRIMARY KEY,
    model VARCHAR(64) NOT NULL,
    order_id BIGINT NOT NULL,
    name VARCHAR,
    partner_id BIGINT,
    date_order TIMESTAMP NOT NULL,
    amount_total NUMERIC(18,2) NOT NULL DEFAULT 0,
    tier BIGINT,
    refund_of BIGINT,
    result TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC'))
);
CREATE UNIQUE INDEX idx_loyalty_orders_order ON loyalty_orders (model, order_id);
CREATE INDEX idx_loyalty_orders_partner ON loyalty_orders (partner_id, date_order);

-- The programs whose rewards an order used (reward lines, redemptions):
-- Odoo's total_order_count, per program and per customer.
CREATE TABLE loyalty_order_programs (
    order_id BIGINT NOT NULL REFERENCES loyalty_orders (id) ON DELETE CASCADE,
    program_id BIGINT NOT NULL,
    partner_id BIGINT,
    PRIMARY KEY (order_id, program_id)
);
CREATE INDEX idx_loyalty_order_programs_program ON loyalty_order_programs (program_id, partner_id);
