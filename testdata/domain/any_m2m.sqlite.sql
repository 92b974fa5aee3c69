-- loyalty.rule [["product_ids", "any", [["categ_id.name", "=", "Office"]]]] order=""
SELECT "t0"."id" FROM "promotion_rules" AS "t0"
WHERE ("t0"."active" = ? AND EXISTS (SELECT 1 FROM "promotion_rule_product_rel" AS "t2" WHERE "t2"."rule_id" = "t0"."id" AND "t2"."product_id" IN (SELECT "t1"."id" FROM "product_product" AS "t1" WHERE ("t1"."active" = ? AND "t1"."categ_id" IN (SELECT "t3"."id" FROM "product_category" AS "t3" WHERE "t3"."name" = ?)))))
ORDER BY "t0"."id" ASC NULLS LAST
-- args: [int64(1), int64(1), string("Office")]
