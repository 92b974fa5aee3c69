-- loyalty.card [["currency_id.name", "=", "USD"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."program_id" IN (SELECT "t1"."id" FROM "promotion_programs" AS "t1" WHERE "t1"."currency_id" IN (SELECT "t2"."id" FROM "res_currency" AS "t2" WHERE "t2"."name" = ?))
ORDER BY "t0"."id" ASC
-- args: [string("USD")]
