-- loyalty.program [["rule_ids", "not in", [1]]] order=""
SELECT "t0"."id" FROM "promotion_programs" AS "t0"
WHERE ("t0"."active" = ? AND NOT EXISTS (SELECT 1 FROM "promotion_rules" AS "t1" WHERE "t1"."program_id" = "t0"."id" AND "t1"."id" IN (?)))
ORDER BY "t0"."sequence" ASC, "t0"."id" ASC
-- args: [bool(true), int64(1)]
