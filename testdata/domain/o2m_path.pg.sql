-- loyalty.program [["coupon_ids.code", "=", "X"]] order=""
SELECT "t0"."id" FROM "promotion_programs" AS "t0"
WHERE ("t0"."active" = ? AND EXISTS (SELECT 1 FROM "loyalty_cards" AS "t1" WHERE "t1"."program_id" = "t0"."id" AND "t1"."code" = ?))
ORDER BY "t0"."sequence" ASC, "t0"."id" ASC
-- args: [bool(true), string("X")]
