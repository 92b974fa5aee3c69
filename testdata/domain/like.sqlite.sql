-- loyalty.card [["code", "like", "04_*"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."code" GLOB ?
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [string("*04?[*]*")]
