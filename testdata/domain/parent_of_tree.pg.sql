-- product.category [["id", "parent_of", [3]]] order=""
SELECT "t0"."id" FROM "product_category" AS "t0"
WHERE "t0"."id" IN (WITH RECURSIVE "t2"(id, pid) AS (SELECT "t1"."id", "t1"."parent_id" FROM "product_category" AS "t1" WHERE "t1"."id" IN (?) UNION SELECT "t3"."id", "t3"."parent_id" FROM "product_category" AS "t3" JOIN "t2" ON "t3"."id" = "t2".pid) SELECT id FROM "t2")
ORDER BY "t0"."name" ASC, "t0"."id" ASC
-- args: [int64(3)]
