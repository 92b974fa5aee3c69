package odoo

import "context"

// XMLID is an external id: a row of ir.model.data naming record ResID of
// Model as "Module.Name".
type XMLID struct {
	Module, Name string
	Model        string
	ResID        int64
}

// LookupXMLID finds the record named module.name. found is false when the
// external id does not exist.
func (c *Client) LookupXMLID(ctx context.Context, module, name string) (x XMLID, found bool, err error) {
	var rows []map[string]any
	err = c.ExecuteKw(ctx, "ir.model.data", "search_read",
		[]any{[]any{[]any{"module", "=", module}, []any{"name", "=", name}}},
		map[string]any{"fields": []any{"module", "name", "model", "res_id"}, "limit": 1}, &rows)
	if err != nil || len(rows) == 0 {
		return XMLID{}, false, err
	}
	r := rows[0]
	x = XMLID{Module: module, Name: name}
	x.Model, _ = r["model"].(string)
	x.ResID, _ = r["res_id"].(int64)
	return x, true, nil
}

// EnsureXMLID makes module.name point to record resID of model: it creates
// the ir.model.data row (noupdate, so module upgrades leave it alone) or
// repoints an existing one, and does nothing when it is already right. It
// is the idempotency key of outbound records: look the name up before
// creating, ensure it right after. A concurrent creator losing the race gets
// Odoo's unique-index fault, after which the winner's row is read back and
// accepted if it names the same record.
func (c *Client) EnsureXMLID(ctx context.Context, module, name, model string, resID int64) error {
	var rows []map[string]any
	err := c.ExecuteKw(ctx, "ir.model.data", "search_read",
		[]any{[]any{[]any{"module", "=", module}, []any{"name", "=", name}}},
		map[string]any{"fields": []any{"model", "res_id"}, "limit": 1}, &rows)
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		id, _ := rows[0]["id"].(int64)
		m, _ := rows[0]["model"].(string)
		rid, _ := rows[0]["res_id"].(int64)
		if m == model && rid == resID {
			return nil
		}
		return c.ExecuteKw(ctx, "ir.model.data", "write",
			[]any{[]any{id}, map[string]any{"model": model, "res_id": resID}}, nil, nil)
	}
	var id int64
	err = c.ExecuteKw(ctx, "ir.model.data", "create", []any{map[string]any{
		"module": module, "name": name, "model": model, "res_id": resID, "noupdate": true,
	}}, nil, &id)
	if err == nil {
		return nil
	}
	if x, found, lerr := c.LookupXMLID(ctx, module, name); lerr == nil && found && x.Model == model && x.ResID == resID {
		return nil
	}
	return err
}
