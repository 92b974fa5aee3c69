-- loyalty.program [["rule_ids", "any", [["minimum_qty", ">", 2]]]] order=""
SELECT "t0"."id" FROM "promotion_programs" AS "t0"
WHERE ("t0"."active" = ? AND EXISTS (SELECT 1 FROM "promotion_rules" AS "t1" WHERE "t1"."program_id" = "t0"."id" AND ("t1"."active" = ? AND "t1"."minimum_qty" > ?)))
ORDER BY "t0"."sequence" ASC, "t0"."id" ASC
-- args: [bool(true), bool(true), int64(2)]
