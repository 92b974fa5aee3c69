-- loyalty.card [["program_id", "in", ["A", "B"]]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."program_id" IN (SELECT "t1"."id" FROM "promotion_programs" AS "t1" WHERE "t1"."name" IN (?, ?))
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [string("A"), string("B")]
