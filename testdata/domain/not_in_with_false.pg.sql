-- loyalty.card [["partner_id", "not in", [1, false]]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE ("t0"."partner_id" NOT IN (?) AND "t0"."partner_id" IS NOT NULL)
ORDER BY "t0"."id" ASC
-- args: [int64(1)]
