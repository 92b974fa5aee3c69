-- loyalty.card [["partner_id", "not in", [1, 2]]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE ("t0"."partner_id" NOT IN (?, ?) OR "t0"."partner_id" IS NULL)
ORDER BY "t0"."id" ASC
-- args: [int64(1), int64(2)]
