-- loyalty.program [["pos_ok", "in", [false]]] order=""
SELECT "t0"."id" FROM "promotion_programs" AS "t0"
WHERE ("t0"."active" = ? AND ("t0"."pos_ok" IN (?) OR "t0"."pos_ok" IS NULL))
ORDER BY "t0"."sequence" ASC NULLS LAST, "t0"."id" ASC NULLS LAST
-- args: [int64(1), int64(0)]
