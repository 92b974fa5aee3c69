-- loyalty.card [] order="\"id\" desc"
SELECT "t0"."id" FROM "loyalty_cards" AS "t0"
WHERE TRUE
ORDER BY "t0"."id" DESC NULLS FIRST
-- args: []
