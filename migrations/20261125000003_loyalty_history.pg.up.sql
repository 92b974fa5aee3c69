-- Odoo 18's loyalty.history: points issued and used per card and event.
CREATE TABLE loyalty_history (
    id BIGSERIAL PRIMARY KEY,
    card_id BIGINT NOT NULL REFERENCES loyalty_cards (id) ON DELETE CASCADE,
    company_id BIGINT DEFAULT 1,
    description TEXT NOT NULL,
    issued NUMERIC(18,2) DEFAULT 0,
    used NUMERIC(18,2) DEFAULT 0,
    order_model TEXT NULL,
    order_id BIGINT NULL,
    create_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    write_date TIMESTAMP NOT NULL DEFAULT (date_trunc('second', now() AT TIME ZONE 'UTC')),
    create_uid BIGINT NULL,
    write_uid BIGINT NULL
);
CREATE INDEX idx_loyalty_history_card ON loyalty_history (card_id);
