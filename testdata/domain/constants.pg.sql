-- loyalty.card ["|", [0, "=", 1], [1, "=", 1]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE (FALSE OR TRUE)
ORDER BY "t0"."id" ASC
-- args: []
