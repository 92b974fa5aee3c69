-- loyalty.card [["points", ">", 0]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."points" > ?
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [int64(0)]
