-- loyalty.rule [["product_ids", "not ilike", "desk"]] order=""
SELECT "t0"."id" FROM "promotion_rules" AS "t0"
WHERE ("t0"."active" = ? AND NOT EXISTS (SELECT 1 FROM "promotion_rule_product_rel" AS "t2" WHERE "t2"."rule_id" = "t0"."id" AND "t2"."product_id" IN (SELECT "t1"."id" FROM "product_product" AS "t1" WHERE ("t1"."active" = ? AND "t1"."name" ILIKE ?))))
ORDER BY "t0"."id" ASC
-- args: [bool(true), bool(true), string("%desk%")]
