-- loyalty.program [["active", "=", false]] order=""
SELECT "t0"."id" FROM "promotion_programs" AS "t0"
WHERE ("t0"."active" IS NULL OR "t0"."active" = FALSE)
ORDER BY "t0"."sequence" ASC NULLS LAST, "t0"."id" ASC NULLS LAST
-- args: []
