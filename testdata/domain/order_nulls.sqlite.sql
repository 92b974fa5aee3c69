-- loyalty.card [] order="expiration_date DESC NULLS LAST, partner_id"
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE TRUE
ORDER BY "t0"."expiration_date" DESC NULLS LAST, (SELECT "t1"."name" FROM "res_partner" AS "t1" WHERE "t1"."id" = "t0"."partner_id") ASC NULLS LAST, (SELECT "t1"."id" FROM "res_partner" AS "t1" WHERE "t1"."id" = "t0"."partner_id") DESC NULLS FIRST, "t0"."id" ASC NULLS LAST
-- args: []
