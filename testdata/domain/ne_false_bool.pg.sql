-- loyalty.program [["pos_ok", "!=", false]] order=""
SELECT "t0"."id" FROM "promotion_programs" AS "t0"
WHERE ("t0"."active" = ? AND ("t0"."pos_ok" IS NOT NULL AND "t0"."pos_ok" != FALSE))
ORDER BY "t0"."sequence" ASC, "t0"."id" ASC
-- args: [bool(true)]
