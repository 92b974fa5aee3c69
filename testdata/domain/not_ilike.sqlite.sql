-- loyalty.card [["code", "not ilike", "abc"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE (lower("t0"."code") NOT LIKE lower(?) ESCAPE '\' OR "t0"."code" IS NULL)
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [string("%abc%")]
