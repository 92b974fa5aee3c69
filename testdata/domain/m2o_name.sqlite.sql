-- loyalty.card [["partner_id", "=", "Ready Mat"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."partner_id" IN (SELECT "t1"."id" FROM "res_partner" AS "t1" WHERE "t1"."name" = ?)
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [string("Ready Mat")]
