-- loyalty.card ["|", ["code", "=", "a"], "!", ["points", ">", 1]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE ("t0"."code" = ? OR "t0"."points" <= ?)
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [string("a"), int64(100)]
