-- loyalty.card [["partner_id", "=", false]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."partner_id" IS NULL
ORDER BY "t0"."id" ASC
-- args: []
