package odoo

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
)

// ProbeModels reports which of names are installed models of the remote
// Odoo (an ir.model search_read), for example "loyalty.history" (Odoo 18
// and later) or the seed addon's "loyalty.point.move". Every name is a key
// of the result.
func (c *Client) ProbeModels(ctx context.Context, names ...string) (map[string]bool, error) {
	found := make(map[string]bool, len(names))
	for _, n := range names {
		found[n] = false
	}
	if len(names) == 0 {
		return found, nil
	}
	var rows []map[string]any
	err := c.ExecuteKw(ctx, "ir.model", "search_read",
		[]any{[]any{[]any{"model", "in", anys(names)}}},
		map[string]any{"fields": []any{"model"}}, &rows)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if m, ok := r["model"].(string); ok {
			if _, asked := found[m]; asked {
				found[m] = true
			}
		}
	}
	return found, nil
}

// CreateBatch creates one record per vals in a single create call (Odoo's
// create with a list) and returns their ids in the same order. It is not
// idempotent: see ExecuteKw.
func (c *Client) CreateBatch(ctx context.Context, model string, vals []map[string]any) ([]int64, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	list := make([]any, len(vals))
	for i, v := range vals {
		list[i] = v
	}
	var ids []int64
	if err := c.ExecuteKw(ctx, model, "create", []any{list}, nil, &ids); err != nil {
		return nil, err
	}
	if len(ids) != len(vals) {
		return ids, fmt.Errorf("odoo: %s.create: %d ids for %d records", model, len(ids), len(vals))
	}
	return ids, nil
}

// anys converts strings to a []any for the wire.
func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Decimal reads a number Odoo sent (a float over XML-RPC, an integer, or a
// string) as an exact 2-place decimal; anything else is 0.
func Decimal(v any) decimal.Decimal {
	switch x := v.(type) {
	case float64:
		return decimal.NewFromFloat(x).Round(2)
	case int64:
		return decimal.NewFromInt(x)
	case string:
		d, _ := decimal.NewFromString(x)
		return d.Round(2)
	}
	return decimal.Zero
}
