DROP TABLE loyalty_history;
