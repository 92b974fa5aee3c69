-- loyalty.card [["partner_id", "child_of", [1]]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."partner_id" IN (SELECT "t1"."id" FROM "res_partner" AS "t1" WHERE "t1"."id" IN (?))
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [int64(1)]
