DROP TABLE pos_coupon_confirmations;
DROP TABLE pos_order_programs;
DROP TABLE pos_order;
DROP TABLE pos_session;
DROP TABLE pos_config;
