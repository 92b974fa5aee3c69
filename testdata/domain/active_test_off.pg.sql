-- loyalty.program [] order=""
SELECT "t0"."id" FROM "promotion_programs" AS "t0"
WHERE TRUE
ORDER BY "t0"."sequence" ASC, "t0"."id" ASC
-- args: []
