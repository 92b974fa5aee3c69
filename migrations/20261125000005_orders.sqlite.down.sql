DROP TABLE loyalty_order_programs;
DROP TABLE loyalty_orders;
