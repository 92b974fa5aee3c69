-- loyalty.card [["code", "=ilike", "044%"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE lower("t0"."code") LIKE lower(?) ESCAPE '\'
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [string("044%")]
