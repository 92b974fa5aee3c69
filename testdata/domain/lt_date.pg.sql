-- loyalty.card [["expiration_date", "<", "2030-01-01"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."expiration_date" < ?
ORDER BY "t0"."id" ASC
-- args: [string("2030-01-01")]
