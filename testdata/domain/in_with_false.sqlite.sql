-- loyalty.card [["partner_id", "in", [1, false]]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE ("t0"."partner_id" IN (?) OR "t0"."partner_id" IS NULL)
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [int64(1)]
