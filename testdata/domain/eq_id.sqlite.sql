-- loyalty.card [["program_id", "=", 4]] order=""
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE "t0"."program_id" = ?
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [int64(4)]
