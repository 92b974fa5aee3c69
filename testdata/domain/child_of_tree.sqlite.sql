-- product.product [["categ_id", "child_of", 1]] order=""
SELECT "t0"."id" FROM "product_product" AS "t0"
WHERE ("t0"."active" = ? AND "t0"."categ_id" IN (WITH RECURSIVE "t2"(id) AS (SELECT "t1"."id" FROM "product_category" AS "t1" WHERE "t1"."id" IN (?) UNION SELECT "t3"."id" FROM "product_category" AS "t3" JOIN "t2" ON "t3"."parent_id" = "t2".id) SELECT id FROM "t2"))
ORDER BY "t0"."default_code" ASC NULLS LAST, "t0"."name" ASC NULLS LAST, "t0"."id" ASC NULLS LAST
-- args: [int64(1), int64(1)]
