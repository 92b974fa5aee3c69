-- loyalty.card [["code", "in", []]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE FALSE
ORDER BY "t0"."id" ASC NULLS LAST
-- args: []
