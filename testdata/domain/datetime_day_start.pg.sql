-- loyalty.card [["create_date", ">=", "2024-01-01"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."created_at" >= ?
ORDER BY "t0"."id" ASC
-- args: [string("2024-01-01 00:00:00")]
