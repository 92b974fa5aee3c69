-- loyalty.card [] order="program_id desc, code"
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE TRUE
ORDER BY (SELECT "t1"."sequence" FROM "promotion_programs" AS "t1" WHERE "t1"."id" = "t0"."program_id") DESC, (SELECT "t1"."id" FROM "promotion_programs" AS "t1" WHERE "t1"."id" = "t0"."program_id") DESC, "t0"."code" ASC, "t0"."id" ASC
-- args: []
