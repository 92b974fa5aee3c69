-- loyalty.card [["code", "!=", "X"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE ("t0"."code" != ? OR "t0"."code" IS NULL)
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [string("X")]
