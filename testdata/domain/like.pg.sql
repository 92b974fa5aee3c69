-- loyalty.card [["code", "like", "04_*"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."code" LIKE ?
ORDER BY "t0"."id" ASC
-- args: [string("%04_*%")]
