-- loyalty.program [["pos_ok", "=", true]] order=""
SELECT "t0"."id" FROM "promotion_programs" AS "t0"
WHERE ("t0"."active" = ? AND "t0"."pos_ok" = ?)
ORDER BY "t0"."sequence" ASC, "t0"."id" ASC
-- args: [bool(true), bool(true)]
