package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// productProductModel describes product.product ("Product Variant"): the
// products rules, rewards and membership levels point at. lst_price and
// list_price both map the list_price column.
func productProductModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Name", Column: "name", Required: true, Translate: true},
		{Name: "default_code", Type: Char, String: "Internal Reference", Column: "default_code"},
		{Name: "barcode", Type: Char, String: "Barcode", Column: "barcode",
			Help: "International Article Number used for product identification."},
		{Name: "categ_id", Type: Many2one, String: "Product Category", Column: "categ_id", Relation: "product.category"},
		{Name: "list_price", Type: Float, String: "Sales Price", Column: "list_price", Decimal: true,
			Default: constant(int64(0)), Help: "Price at which the product is sold to customers."},
		{Name: "lst_price", Type: Float, String: "Sales Price", Column: "list_price", Decimal: true,
			Help: "The sale price is managed from the product template. Click on the 'Configure Variants' button to set the extra attribute prices."},
		{Name: "type", Type: Selection, String: "Product Type", Column: "type", Required: true,
			Selection: [][2]string{{"consu", "Consumable"}, {"service", "Service"}, {"product", "Storable Product"}},
			Default:   constant("consu")},
		{Name: "sale_ok", Type: Boolean, String: "Can be Sold", Column: "sale_ok", Default: constant(true)},
		{Name: "available_in_pos", Type: Boolean, String: "Available in POS", Column: "available_in_pos",
			Default: constant(true)},
		{Name: "active", Type: Boolean, String: "Active", Column: "active", Default: constant(true)},
	}
	return &Model{
		Name:        "product.product",
		Description: "Product Variant",
		Table:       "product_product",
		Order:       "default_code, name, id",
		RecName:     "name",
		DisplayName: productDisplayName,
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access:      productAccess(),
	}
}

func productAccess() map[Op][]string {
	return map[Op][]string{
		OpRead:   {groupUser, groupPosUser},
		OpWrite:  {groupSystem, groupPosManager},
		OpCreate: {groupSystem, groupPosManager},
		OpUnlink: {groupSystem, groupPosManager},
	}
}

// productDisplayName is Odoo's "[default_code] name".
func productDisplayName(_ *Env, row Row) string {
	name, _ := row["name"].(string)
	if code, _ := row["default_code"].(string); code != "" {
		return "[" + code + "] " + name
	}
	return name
}

// productCategoryModel describes product.category, a tree whose display
// name is the path from the root ("All / Saleable").
func productCategoryModel() *Model {
	fields := []*Field{
		{Name: "name", Type: Char, String: "Name", Column: "name", Required: true, Translate: true},
		{Name: "parent_id", Type: Many2one, String: "Parent Category", Column: "parent_id", Relation: "product.category",
			OnDelete: "cascade"},
		{Name: "child_id", Type: One2many, String: "Child Categories", Relation: "product.category", RelationField: "parent_id"},
		{Name: "display_name", Type: Char, String: "Display Name", Readonly: true, Depends: []string{"name", "parent_id"},
			ComputeDB: computeCategoryPath},
	}
	return &Model{
		Name:        "product.category",
		Description: "Product Category",
		Table:       "product_category",
		Order:       "name",
		RecName:     "name",
		Fields:      append(fields, logFields("create_date", "write_date")...),
		Access:      productAccess(),
	}
}

// maxCategoryDepth bounds the walk up a (possibly cyclic) category tree.
const maxCategoryDepth = 32

// computeCategoryPath builds "Parent / Child" names, one query per level.
func computeCategoryPath(ctx context.Context, db bun.IDB, _ *Env, rows []Row) ([]any, error) {
	type node struct {
		name   string
		parent int64
	}
	nodes := map[int64]node{}
	var todo []any
	for _, r := range rows {
		id, _ := r["id"].(int64)
		name, _ := r["name"].(string)
		parent, _ := r["parent_id"].(int64)
		nodes[id] = node{name, parent}
		if parent != 0 {
			todo = append(todo, parent)
		}
	}
	for depth := 0; len(todo) > 0 && depth < maxCategoryDepth; depth++ {
		var ask []any
		for _, id := range todo {
			if _, ok := nodes[id.(int64)]; !ok {
				ask = append(ask, id)
			}
		}
		todo = nil
		if len(ask) == 0 {
			break
		}
		q := `SELECT id, name, parent_id FROM product_category WHERE id IN (?` + strings.Repeat(", ?", len(ask)-1) + `)`
		res, err := db.QueryContext(ctx, q, ask...)
		if err != nil {
			return nil, Internal(fmt.Errorf("category names: %w", err))
		}
		for res.Next() {
			var id int64
			var name sql.NullString
			var parent sql.NullInt64
			if err := res.Scan(&id, &name, &parent); err != nil {
				res.Close()
				return nil, Internal(fmt.Errorf("category names: %w", err))
			}
			nodes[id] = node{name.String, parent.Int64}
			if parent.Valid {
				todo = append(todo, parent.Int64)
			}
		}
		res.Close()
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		id, _ := r["id"].(int64)
		var parts []string
		seen := map[int64]bool{}
		for cur := id; cur != 0 && !seen[cur] && len(parts) < maxCategoryDepth; {
			seen[cur] = true
			n, ok := nodes[cur]
			if !ok {
				break
			}
			parts = append([]string{n.name}, parts...)
			cur = n.parent
		}
		out[i] = strings.Join(parts, " / ")
	}
	return out, nil
}
