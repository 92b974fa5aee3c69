-- loyalty.card [["points", "ilike", 12]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."points"::text ILIKE ?
ORDER BY "t0"."id" ASC
-- args: [string("%12%")]
