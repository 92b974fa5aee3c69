-- loyalty.card [["code", "=", false]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."code" IS NULL
ORDER BY "t0"."id" ASC
-- args: []
