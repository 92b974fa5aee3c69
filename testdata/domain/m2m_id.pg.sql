-- loyalty.rule [["product_ids", "=", 5]] order=""
SELECT "t0"."id" FROM "promotion_rules" AS "t0"
WHERE ("t0"."active" = ? AND EXISTS (SELECT 1 FROM "promotion_rule_product_rel" AS "t1" WHERE "t1"."rule_id" = "t0"."id" AND "t1"."product_id" IN (?)))
ORDER BY "t0"."id" ASC
-- args: [bool(true), int64(5)]
