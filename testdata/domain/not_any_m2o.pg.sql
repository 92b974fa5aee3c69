-- loyalty.card [["partner_id", "not any", [["name", "=", "x"]]]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE ("t0"."partner_id" NOT IN (SELECT "t1"."id" FROM "res_partner" AS "t1" WHERE "t1"."name" = ?) OR "t0"."partner_id" IS NULL)
ORDER BY "t0"."id" ASC
-- args: [string("x")]
