package odootest

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Odoo 17's load(fields, rows), the import the sync writes through:
//
//   - every value is a string, converted per field type (FieldTypes);
//   - ".id" names a record by database id: it is updated (an unknown id
//     is an error);
//   - "id" names it by external id "module.name" (ir.model.data): updated
//     when it exists, created with its ir.model.data row otherwise;
//   - "field/.id" and "field/id" set a many2one by database or external
//     id;
//   - all or nothing: a row in error leaves the store untouched and the
//     answer is {"ids": False, "messages": [{"type": "error", "message",
//     "record", "rows": {"from", "to"}}]}; otherwise {"ids": [...],
//     "messages": []}.
//
// RejectLoad makes the rows naming one record fail (a validation error of
// Odoo on that record), and LoadLog lists the rows of the loads that went
// through, in order, for ordering assertions.

// FieldTypes gives the types load converts to, model → field → "float",
// "integer", "boolean", "many2one", "char" (the default: kept as text).
// The loyalty models follow Odoo 17 (loyalty.card), Odoo 18
// (loyalty.history) and the seed addon (loyalty.point.move,
// loyalty.point.history).
var FieldTypes = map[string]map[string]string{
	"loyalty.card": {"points": "float", "program_id": "many2one", "partner_id": "many2one", "active": "boolean",
		"company_id": "many2one"},
	"loyalty.history": {"card_id": "many2one", "issued": "float", "used": "float", "order_id": "integer"},
	"loyalty.point.move": {"loyalty_card_id": "many2one", "partner_id": "many2one", "membership_product_id": "many2one",
		"initial_point": "float", "remaining_point": "float"},
	"loyalty.point.history": {"loyalty_card_id": "many2one", "partner_id": "many2one", "point_move_id": "many2one",
		"membership_product_id": "many2one", "status_membership_product_id": "many2one", "points_amount": "float",
		"points_balance": "float"},
	"res.partner": {"membership_product_id": "many2one"},
}

// SeedModels are the seed addon's models, for Install (Odoo 18's
// loyalty.history is installed by its name).
var SeedModels = []string{"loyalty.point.move", "loyalty.point.history"}

// loadState is a server's load faults and log.
type loadState struct {
	reject map[string]string // "model/id" → message
	log    map[string][]loadLogRow
	xml    map[[2]string]xmlRef // ir.model.data rows by (module, name), up to id last
	last   int64
}

// loadLogRow is one row of a load as sent.
type loadLogRow struct {
	fields []string
	vals   []string
}

type xmlRef struct {
	model string
	resID int64
}

var (
	loadMu     sync.Mutex
	loadStates = map[*Server]*loadState{}
)

func stateOf(s *Server) *loadState {
	loadMu.Lock()
	defer loadMu.Unlock()
	st := loadStates[s]
	if st == nil {
		st = &loadState{reject: map[string]string{}, log: map[string][]loadLogRow{}, xml: map[[2]string]xmlRef{}}
		loadStates[s] = st
	}
	return st
}

// RejectLoad makes every load row that names record id of model fail
// with message (a ValidationError of Odoo on that record); an empty
// message ends it.
func (s *Server) RejectLoad(model string, id int64, message string) {
	st := stateOf(s)
	loadMu.Lock()
	defer loadMu.Unlock()
	key := model + "/" + strconv.FormatInt(id, 10)
	if message == "" {
		delete(st.reject, key)
		return
	}
	st.reject[key] = message
}

// LoadLog returns the rows (field → value as sent) of the successful loads
// of model, in the order they were applied.
func (s *Server) LoadLog(model string) []map[string]string {
	st := stateOf(s)
	loadMu.Lock()
	defer loadMu.Unlock()
	out := make([]map[string]string, len(st.log[model]))
	for i, r := range st.log[model] {
		m := make(map[string]string, len(r.fields))
		for j, f := range r.fields {
			m[f] = r.vals[j]
		}
		out[i] = m
	}
	return out
}

// loadRow is one row's planned change.
type loadRow struct {
	id    int64 // 0: create
	xmlid [2]string
	vals  map[string]any
	sent  []string
}

// load runs load(fields, rows) on model; s.mu is held.
func (s *Server) load(t *table, model string, args []any, kw map[string]any) (any, error) {
	fields := stringsArg(arg(args, kw, 0, "fields"))
	data, _ := arg(args, kw, 1, "data").([]any)
	if len(fields) == 0 {
		return nil, &fault{code: 1, name: "TypeError", msg: "BaseModel.load() missing 2 required positional arguments: 'fields' and 'data'"}
	}
	st := stateOf(s)
	loadMu.Lock()
	reject := maps.Clone(st.reject)
	loadMu.Unlock()
	imd := s.tables["ir.model.data"]
	types := FieldTypes[model]
	planned := make([]loadRow, 0, len(data))
	newXML := map[[2]string]int{} // external ids created by earlier rows of this load
	fail := func(i int, format string, a ...any) (any, error) {
		msg := models.D("type", "error", "message", fmt.Sprintf(format, a...), "record", int64(i),
			"rows", models.D("from", int64(i), "to", int64(i)))
		return models.D("ids", false, "messages", []any{msg}), nil
	}
	for i, raw := range data {
		cells, ok := raw.([]any)
		if !ok || len(cells) != len(fields) {
			return fail(i, "Row %d does not have %d values", i+1, len(fields))
		}
		r := loadRow{vals: make(map[string]any, len(fields)+6), sent: make([]string, len(fields))}
		for j, f := range fields {
			v := fmt.Sprint(cells[j])
			if b, ok := cells[j].(bool); ok && !b {
				v = ""
			}
			r.sent[j] = v
			switch {
			case f == ".id":
				id, err := strconv.ParseInt(v, 10, 64)
				if err != nil || t.rows[id] == nil {
					return fail(i, "No matching record found for database id '%s' in field 'Database ID'", v)
				}
				r.id = id
			case f == "id":
				mod, name, ok := strings.Cut(v, ".")
				if !ok {
					mod, name = "__import__", v
				}
				r.xmlid = [2]string{mod, name}
				if id := st.xmlidOf(imd, mod, name, model); id != 0 {
					r.id = id
				} else if k, ok := newXML[r.xmlid]; ok {
					r.id = -int64(k) - 1 // an earlier row of this load
				}
			case strings.HasSuffix(f, "/.id"):
				name := strings.TrimSuffix(f, "/.id")
				if v == "" {
					r.vals[name] = false
					continue
				}
				id, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return fail(i, "Invalid database id '%s' for the field '%s'", v, name)
				}
				r.vals[name] = id
			case strings.HasSuffix(f, "/id"):
				name := strings.TrimSuffix(f, "/id")
				if v == "" {
					r.vals[name] = false
					continue
				}
				mod, xname, ok := strings.Cut(v, ".")
				if !ok {
					mod, xname = "__import__", v
				}
				id := st.xmlidOf(imd, mod, xname, "")
				if id == 0 {
					return fail(i, "No matching record found for external id '%s' in field '%s'", v, name)
				}
				r.vals[name] = id
			default:
				cv, err := convert(types[f], v)
				if err != nil {
					return fail(i, "'%s' does not seem to be %s for field '%s'", v, err.Error(), f)
				}
				r.vals[f] = cv
			}
		}
		if r.id > 0 {
			if msg := reject[model+"/"+strconv.FormatInt(r.id, 10)]; msg != "" {
				return fail(i, "%s", msg)
			}
		}
		if r.id == 0 && r.xmlid[0] != "" {
			newXML[r.xmlid] = i
		}
		planned = append(planned, r)
	}
	// Apply: nothing above changed the store.
	now := s.now()
	ids := make([]any, len(planned))
	for i, r := range planned {
		id := r.id
		switch {
		case id < 0:
			id = ids[-id-1].(int64)
			fallthrough
		case id > 0:
			row := t.rows[id]
			maps.Copy(row, r.vals)
			row["write_date"], row["write_uid"] = now, s.opt.UID
		default:
			// s.insert without its copy: r.vals is this load's own map.
			t.next++
			id = t.next
			row := r.vals
			row["id"] = id
			row["create_date"], row["write_date"] = now, now
			row["create_uid"], row["write_uid"] = s.opt.UID, s.opt.UID
			t.rows[id] = row
			if r.xmlid[0] != "" {
				imd.next++
				imd.rows[imd.next] = map[string]any{"id": imd.next, "module": r.xmlid[0], "name": r.xmlid[1], "model": model,
					"res_id": id, "create_date": now, "write_date": now, "create_uid": s.opt.UID, "write_uid": s.opt.UID}
			}
		}
		ids[i] = id
	}
	loadMu.Lock()
	for _, r := range planned {
		st.log[model] = append(st.log[model], loadLogRow{fields: fields, vals: r.sent})
	}
	loadMu.Unlock()
	return models.D("ids", ids, "messages", []any{}), nil
}

// xmlidOf is the res_id of module.name (of model, when given), 0 when
// unknown. The index follows ir.model.data's new rows (ids only grow).
func (st *loadState) xmlidOf(imd *table, module, name, model string) int64 {
	loadMu.Lock()
	defer loadMu.Unlock()
	if imd.next > st.last {
		for id := st.last + 1; id <= imd.next; id++ {
			if r := imd.rows[id]; r != nil {
				m, _ := r["module"].(string)
				n, _ := r["name"].(string)
				mo, _ := r["model"].(string)
				res, _ := r["res_id"].(int64)
				st.xml[[2]string{m, n}] = xmlRef{mo, res}
			}
		}
		st.last = imd.next
	}
	ref, ok := st.xml[[2]string{module, name}]
	if !ok || (model != "" && ref.model != model) {
		return 0
	}
	return ref.resID
}

// convert reads a load value of type typ; the error names what it should
// have been.
func convert(typ, v string) (any, error) {
	switch typ {
	case "float":
		if v == "" {
			return float64(0), nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("a number")
		}
		return f, nil
	case "integer", "many2one":
		if v == "" {
			return false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("an integer")
		}
		return n, nil
	case "boolean":
		switch strings.ToLower(v) {
		case "1", "true", "yes":
			return true, nil
		case "", "0", "false", "no":
			return false, nil
		}
		return nil, fmt.Errorf("a boolean")
	}
	if v == "" {
		return false, nil
	}
	return v, nil
}
