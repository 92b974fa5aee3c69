-- loyalty.card ["!", ["code", "=?", "a"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE (NOT "t0"."code" = ?)
ORDER BY "t0"."id" ASC
-- args: [string("a")]
