-- loyalty.card [["points", "ilike", 12]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE lower("t0"."points") LIKE lower(?) ESCAPE '\'
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [string("%12%")]
