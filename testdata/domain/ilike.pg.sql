-- loyalty.card [["code", "ilike", "Abc"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."code" ILIKE ?
ORDER BY "t0"."id" ASC
-- args: [string("%Abc%")]
