-- loyalty.card [["id", "in", [1, 2, 3]]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."id" IN (?, ?, ?)
ORDER BY "t0"."id" ASC
-- args: [int64(1), int64(2), int64(3)]
