-- loyalty.card [["code", "=", "x'; DROP TABLE loyalty_cards; --"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."code" = ?
ORDER BY "t0"."id" ASC
-- args: [string("x'; DROP TABLE loyalty_cards; --")]
