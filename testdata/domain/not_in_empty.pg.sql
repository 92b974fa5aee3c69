-- loyalty.card [["code", "not in", []]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE TRUE
ORDER BY "t0"."id" ASC
-- args: []
