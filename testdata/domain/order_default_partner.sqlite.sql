-- res.partner [] order=""
SELECT "t0"."id" FROM "res_partner" AS "t0"
WHERE "t0"."active" = ?
ORDER BY "t0"."name" ASC NULLS LAST, "t0"."id" DESC NULLS FIRST
-- args: [int64(1)]
