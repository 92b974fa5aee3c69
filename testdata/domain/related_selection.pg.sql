-- loyalty.card [["program_type", "=", "loyalty"]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."program_id" IN (SELECT "t1"."id" FROM "promotion_programs" AS "t1" WHERE "t1"."program_type" = ?)
ORDER BY "t0"."id" ASC
-- args: [string("loyalty")]
