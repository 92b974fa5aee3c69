package methods

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

var posOrderStates = [][2]string{{"draft", "New"}, {"cancel", "Cancelled"}, {"paid", "Paid"}, {"done", "Posted"},
	{"invoiced", "Invoiced"}}

// posOrderModel is a standalone pos.order (table pos_order) with the
// pos_loyalty methods: create_from_ui stores the order (its lines as JSON
// text), validate_coupon_programs checks the cards before payment,
// confirm_coupon_programs books the points through the engine once, and
// add_loyalty_history_lines (Odoo 18) writes loyalty.history rows.
func (m *Methods) posOrderModel() *models.Model {
	dec := func(name, label string) *models.Field {
		return &models.Field{Name: name, Type: models.Float, String: label, Column: name, Decimal: true,
			Default: func(*models.Env) any { return int64(0) }}
	}
	return &models.Model{
		Name:        "pos.order",
		Description: "Point of Sale Orders",
		Table:       "pos_order",
		Order:       "date_order desc, name desc, id desc",
		Fields: []*models.Field{
			{Name: "name", Type: models.Char, String: "Order Ref", Column: "name", Required: true, Readonly: true},
			{Name: "pos_reference", Type: models.Char, String: "Receipt Number", Column: "pos_reference", Readonly: true},
			{Name: "session_id", Type: models.Integer, String: "Session", Column: "session_id", Readonly: true},
			{Name: "config_id", Type: models.Many2one, String: "Point of Sale", Column: "config_id", Relation: "pos.config",
				Readonly: true},
			{Name: "partner_id", Type: models.Many2one, String: "Customer", Column: "partner_id", Relation: "res.partner"},
			{Name: "date_order", Type: models.Datetime, String: "Date", Column: "date_order", Readonly: true},
			dec("amount_total", "Total"),
			dec("amount_tax", "Taxes"),
			dec("amount_paid", "Paid"),
			{Name: "state", Type: models.Selection, String: "Status", Column: "state", Selection: posOrderStates,
				Readonly: true},
			{Name: "lines_json", Type: models.Text, String: "Order Lines (JSON)", Column: "lines", Readonly: true},
			{Name: "create_date", Type: models.Datetime, String: "Created on", Column: "create_date", Readonly: true},
			{Name: "write_date", Type: models.Datetime, String: "Last Updated on", Column: "write_date", Readonly: true},
		},
		Access: map[models.Op][]string{
			models.OpRead:   {groupUser, groupPosUser},
			models.OpWrite:  {groupPosManager},
			models.OpCreate: {groupPosManager},
			models.OpUnlink: {groupPosManager},
		},
		Methods: map[string]models.MethodFunc{
			"create_from_ui":            m.createFromUI,
			"validate_coupon_programs":  m.validateCouponPrograms,
			"confirm_coupon_programs":   m.confirmCouponPrograms,
			"add_loyalty_history_lines": m.addLoyaltyHistoryLines,
		},
		ReadOnly: map[string]bool{"validate_coupon_programs": true},
		RecordMethods: map[string]bool{"validate_coupon_programs": true, "confirm_coupon_programs": true,
			"add_loyalty_history_lines": true},
	}
}

// --- create_from_ui -------------------------------------------------------------

// createFromUI is pos.order.create_from_ui(orders, draft=False) of Odoo 17
// for a server without an upstream Odoo: each {id, data, to_invoice}
// becomes a pos_order row (an order already stored under its
// pos_reference is not stored again); answers [{id, pos_reference,
// account_move: false}].
func (m *Methods) createFromUI(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "create orders", groupPosUser); err != nil {
		return nil, err
	}
	list, ok := argOr(c, 0, "orders").([]any)
	if !ok {
		return nil, models.TypeErrorf("create_from_ui: orders must be a list")
	}
	draft := false
	if b, ok := argOr(c, 1, "draft").(bool); ok {
		draft = b
	}
	st := storeOf(c)
	out := make([]any, 0, len(list))
	for _, e := range list {
		o, ok := e.(map[string]any)
		if !ok {
			return nil, models.TypeErrorf("create_from_ui: an order must be a dict")
		}
		data, _ := o["data"].(map[string]any)
		if data == nil {
			data = o
		}
		id, ref, err := m.storeOrder(ctx, st, data, draft)
		if err != nil {
			return nil, err
		}
		out = append(out, dict("id", id, "pos_reference", ref, "account_move", false))
	}
	return out, nil
}

// storeOrder inserts one POS order (or finds it by pos_reference).
func (m *Methods) storeOrder(ctx context.Context, st store, data map[string]any, draft bool) (int64, string, error) {
	ref := toString(data["name"])
	if ref == "" {
		ref = "Order " + toString(data["uid"])
	}
	var id int64
	err := st.db.QueryRowContext(ctx, `SELECT id FROM pos_order WHERE pos_reference = ?`, ref).Scan(&id)
	if err == nil {
		return id, ref, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, "", internal("create_from_ui", err)
	}
	partner, err := toID("partner_id", data["partner_id"])
	if err != nil {
		return 0, "", err
	}
	session, err := toID("pos_session_id", data["pos_session_id"])
	if err != nil {
		return 0, "", err
	}
	config, _ := toID("config_id", data["config_id"])
	if config == 0 {
		config = 1
	}
	var cfgName string
	if err := st.db.QueryRowContext(ctx, `SELECT name FROM pos_config WHERE id = ?`, config).Scan(&cfgName); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, "", models.ValidationErrorf("The Point of Sale %d does not exist.", config)
		}
		return 0, "", internal("create_from_ui", err)
	}
	date, err := toTime("date_order", data["date_order"])
	if err != nil {
		return 0, "", err
	}
	if date.IsZero() {
		date = m.now()
	}
	var amounts [3]decimal.Decimal
	for i, k := range []string{"amount_total", "amount_tax", "amount_paid"} {
		if amounts[i], err = toDecimal(k, data[k]); err != nil {
			return 0, "", err
		}
	}
	lines := orderLines(data["lines"])
	raw, err := json.Marshal(lines)
	if err != nil {
		return 0, "", models.TypeErrorf("create_from_ui: lines: %v", err)
	}
	state := "paid"
	if draft {
		state = "draft"
	}
	// The same order sent twice at once: the second insert waits for the
	// first, does nothing, and answers the first's id.
	err = st.db.QueryRowContext(ctx, `INSERT INTO pos_order (name, pos_reference, session_id, config_id, partner_id,
			date_order, amount_total, amount_tax, amount_paid, state, lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (pos_reference) DO NOTHING RETURNING id`,
		ref, ref, nullID(session), config, nullID(partner), st.datetime(date), st.dec(amounts[0]), st.dec(amounts[1]),
		st.dec(amounts[2]), state, string(raw)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = st.db.QueryRowContext(ctx, `SELECT id FROM pos_order WHERE pos_reference = ?`, ref).Scan(&id)
		return id, ref, internal("create_from_ui", err)
	}
	if err != nil {
		return 0, "", internal("create_from_ui", err)
	}
	if _, err := st.db.ExecContext(ctx, `UPDATE pos_order SET name = ? WHERE id = ?`,
		fmt.Sprintf("%s/%04d", cfgName, id), id); err != nil {
		return 0, "", internal("create_from_ui", err)
	}
	// The programs whose rewards the order used (total_order_count).
	if err := orderPrograms(ctx, st, id, lines); err != nil {
		return 0, "", internal("create_from_ui: programs", err)
	}
	return id, ref, nil
}

// orderLines takes the line dicts out of Odoo's [[0, 0, {...}], ...].
func orderLines(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case []any:
			if len(x) == 3 {
				if d, ok := x[2].(map[string]any); ok {
					out = append(out, d)
				}
			}
		case map[string]any:
			out = append(out, x)
		}
	}
	return out
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case nil:
		return false
	case string:
		return x != ""
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return true
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// --- validate_coupon_programs -------------------------------------------------

// validateCouponPrograms is pos.order.validate_coupon_programs([],
// point_changes, new_codes): every card must exist in an active program
// and hold at least -change points, and no new code may exist already.
// updated_points is keyed by int card ids, as in Odoo: JSON writes the keys
// as strings and XML-RPC cannot marshal it (capture 46e).
func (m *Methods) validateCouponPrograms(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "validate coupons", groupUser, groupPosUser); err != nil {
		return nil, err
	}
	changes, _ := argOr(c, 1, "point_changes").(map[string]any)
	newCodes, _ := argOr(c, 2, "new_codes").([]any)
	st := storeOf(c)
	wanted := map[int64]decimal.Decimal{}
	for k, v := range changes {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, models.ValueErrorf("invalid literal for int() with base 10: '%s'", k)
		}
		if wanted[id], err = toDecimal("points", v); err != nil {
			return nil, err
		}
	}
	ids := make([]int64, 0, len(wanted))
	for id := range wanted {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	type card struct {
		code   string
		points decimal.Decimal
	}
	cards := map[int64]card{}
	var removed []any
	for _, id := range ids {
		var code string
		var raw, active any
		err := st.db.QueryRowContext(ctx, `SELECT c.code, c.points, p.active FROM loyalty_cards c
			JOIN promotion_programs p ON p.id = c.program_id WHERE c.id = ?`, id).Scan(&code, &raw, &active)
		if errors.Is(err, sql.ErrNoRows) {
			removed = append(removed, id)
			continue
		}
		if err != nil {
			return nil, internal("validate_coupon_programs", err)
		}
		if a, _ := models.FromColumn(st.dialect, boolField, active); a != true {
			removed = append(removed, id)
			continue
		}
		pts, err := st.readDec(raw)
		if err != nil {
			return nil, err
		}
		cards[id] = card{code, pts}
	}
	if len(removed) > 0 {
		return dict("successful", false, "payload", dict(
			"message", "Some coupons are invalid. The applied coupons have been updated. Please check the order.",
			"removed_coupons", removed)), nil
	}
	for _, id := range ids {
		cd := cards[id]
		if cd.points.LessThan(wanted[id].Neg()) {
			updated := make(map[int64]any, len(cards))
			for id, cd := range cards {
				updated[id] = cd.points
			}
			return dict("successful", false, "payload", dict(
				"message", "There are not enough points for the coupon: "+cd.code+".",
				"updated_points", updated)), nil
		}
	}
	var taken []string
	for _, v := range newCodes {
		code := toString(v)
		if code == "" {
			continue
		}
		var one int
		err := st.db.QueryRowContext(ctx, `SELECT 1 FROM loyalty_cards WHERE code = ?`, code).Scan(&one)
		if err == nil {
			taken = append(taken, code)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, internal("validate_coupon_programs", err)
		}
	}
	if len(taken) > 0 {
		msg := "The following codes already exist in the database, perhaps they were already sold?\n"
		for i, code := range taken {
			if i > 0 {
				msg += ", "
			}
			msg += code
		}
		return dict("successful", false, "payload", dict("message", msg)), nil
	}
	return dict("successful", true, "payload", dict()), nil
}

// --- confirm_coupon_programs ----------------------------------------------------

// posOrder is what the confirmation needs of an order.
type posOrder struct {
	id, partner int64
	name        string
	lines       []map[string]any
	total       decimal.Decimal // amount_total, tax included (negative for a refund)
	date        time.Time
}

// errMissingOrder is capture 52's answer: Odoo fails on the new card's
// foreign key to the missing order.
var errMissingOrder = models.ValidationErrorf("The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Loyalty Coupon (loyalty.card)\nConstraint: loyalty_card_source_pos_order_id_fkey\n")

// lockOrder reads an order and locks its row until the transaction ends
// (PostgreSQL; SQLite has one writer), so that confirmations of one order
// run one after the other.
func lockOrder(ctx context.Context, st store, id int64) (posOrder, bool, error) {
	o := posOrder{id: id}
	var partner sql.NullInt64
	var lines string
	var total, date any
	err := st.db.QueryRowContext(ctx, `SELECT name, partner_id, lines, amount_total, date_order FROM pos_order WHERE id = ?`+
		st.forUpdate(), id).Scan(&o.name, &partner, &lines, &total, &date)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	if err != nil {
		return o, false, internal("pos.order", err)
	}
	o.partner = partner.Int64
	if o.total, err = st.readDec(total); err != nil {
		return o, false, internal("pos.order amount_total", err)
	}
	if o.date, err = st.readDatetime(date); err != nil {
		return o, false, internal("pos.order date_order", err)
	}
	if err := json.Unmarshal([]byte(lines), &o.lines); err != nil {
		return o, false, internal("pos.order lines", err)
	}
	return o, true, nil
}

// orderIDArg reads confirm_coupon_programs' first argument: [id] (16/17)
// or id (18); one order only.
func orderIDArg(c *models.Call) (int64, error) {
	ids, err := toIDs("ids", argOr(c, 0, "ids"))
	if err != nil {
		return 0, err
	}
	if len(ids) != 1 {
		return 0, models.ValueErrorf("Expected singleton: pos.order(%s)", joinIDs(ids))
	}
	return ids[0], nil
}

// couponEntry is one coupon_data entry.
type couponEntry struct {
	key        string // as sent ("138", "-1")
	keyID      int64
	card       int64 // the real card once resolved
	program    int64
	partner    int64
	points     decimal.Decimal
	barcode    string
	expiration time.Time
	lineCodes  map[string]bool
	created    bool
}

// programInfo is what the answer needs of a program.
type programInfo struct {
	name, programType, appliesOn string
	dateTo                       string
}

func (p programInfo) nominative() bool {
	return p.appliesOn == "both" || (p.programType == "ewallet" && p.appliesOn == "future")
}

// confirmAnswer is the stored first answer of a confirmation.
type confirmAnswer struct {
	CouponUpdates  []couponUpdate  `json:"coupon_updates"`
	ProgramUpdates []programUpdate `json:"program_updates"`
	NewCouponInfo  []newCouponInfo `json:"new_coupon_info"`
}

type couponUpdate struct {
	OldID     int64           `json:"old_id"`
	ID        int64           `json:"id"`
	Points    decimal.Decimal `json:"points"`
	Code      string          `json:"code"`
	ProgramID int64           `json:"program_id"`
	PartnerID int64           `json:"partner_id"`
}

type programUpdate struct {
	ProgramID int64 `json:"program_id"`
	Usages    int64 `json:"usages"`
}

type newCouponInfo struct {
	ProgramName    string `json:"program_name"`
	ExpirationDate string `json:"expiration_date"`
	Code           string `json:"code"`
}

// wire is the answer as Odoo shapes it.
func (a confirmAnswer) wire() *models.Dict {
	cu := make([]any, 0, len(a.CouponUpdates))
	for _, u := range a.CouponUpdates {
		cu = append(cu, dict("old_id", u.OldID, "id", u.ID, "points", u.Points, "code", u.Code,
			"program_id", u.ProgramID, "partner_id", falseIfZero(u.PartnerID)))
	}
	pu := make([]any, 0, len(a.ProgramUpdates))
	for _, u := range a.ProgramUpdates {
		pu = append(pu, dict("program_id", u.ProgramID, "usages", u.Usages))
	}
	nc := make([]any, 0, len(a.NewCouponInfo))
	for _, n := range a.NewCouponInfo {
		var exp any = false
		if n.ExpirationDate != "" {
			exp = n.ExpirationDate
		}
		nc = append(nc, dict("program_name", n.ProgramName, "expiration_date", exp, "code", n.Code))
	}
	return dict("coupon_updates", cu, "program_updates", pu, "new_coupon_info", nc, "coupon_report", dict())
}

// confirmCouponPrograms is pos.order.confirm_coupon_programs(coupon_data)
// on one order ([id] in 16/17, id in 18), following Odoo's steps: entries
// with a partner reuse the partner's existing loyalty/eWallet card of the
// program, negative keys create cards (given barcode or a generated code,
// expiration, source order), each entry's net points are booked through
// the engine (a gain as an earn, a loss as a redemption that may go into
// debt: the order is paid already), line_codes link the reward lines to
// their card. Unlike Odoo 17 (capture 50), the confirmation is idempotent:
// a re-sent one books nothing and returns the first answer.
func (m *Methods) confirmCouponPrograms(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "confirm coupons", groupPosUser); err != nil {
		return nil, err
	}
	orderID, err := orderIDArg(c)
	if err != nil {
		return nil, err
	}
	data, ok := argOr(c, 1, "coupon_data").(map[string]any)
	if !ok {
		return nil, models.TypeErrorf("confirm_coupon_programs: coupon_data must be a dict")
	}
	st := storeOf(c)
	order, found, err := m.lockOrUpstream(ctx, c, st, orderID)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errMissingOrder
	}
	var stored string
	err = st.db.QueryRowContext(ctx, `SELECT answer FROM pos_coupon_confirmations WHERE order_id = ?`, orderID).Scan(&stored)
	if err == nil {
		var a confirmAnswer
		if err := json.Unmarshal([]byte(stored), &a); err != nil {
			return nil, internal("confirm_coupon_programs: stored answer", err)
		}
		return a.wire(), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, internal("confirm_coupon_programs", err)
	}
	entries, err := parseCouponData(data)
	if err != nil {
		return nil, err
	}
	programs := map[int64]programInfo{}
	for _, e := range entries {
		if _, ok := programs[e.program]; ok {
			continue
		}
		p, err := loadProgram(ctx, st, e.program)
		if err != nil {
			return nil, err
		}
		programs[e.program] = p
	}
	// Existing nominative cards of the partner are reused.
	for _, e := range entries {
		if e.partner == 0 {
			continue
		}
		var id int64
		err := st.db.QueryRowContext(ctx, `SELECT c.id FROM loyalty_cards c JOIN promotion_programs p ON p.id = c.program_id
			WHERE c.partner_id = ? AND c.program_id = ? AND p.program_type IN ('loyalty', 'ewallet') ORDER BY c.id LIMIT 1`,
			e.partner, e.program).Scan(&id)
		if err == nil {
			e.card = id
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, internal("confirm_coupon_programs: cards", err)
		}
	}
	// Negative keys become new cards.
	for _, e := range entries {
		if e.card != 0 || e.keyID > 0 {
			continue
		}
		if e.card, err = m.createCard(ctx, st, order, e, programs[e.program]); err != nil {
			return nil, err
		}
		e.created = true
	}
	// Existing cards: one deleted meanwhile is left out, as Odoo's
	// browse().exists() does (the order is paid; the rest is booked).
	kept := entries[:0]
	for _, e := range entries {
		if e.card == 0 {
			var one int
			err := st.db.QueryRowContext(ctx, `SELECT 1 FROM loyalty_cards WHERE id = ?`, e.keyID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				m.log.Warn("confirm_coupon_programs: unknown card left out", "order", order.id, "card", e.keyID,
					"points", e.points.String())
				continue
			}
			if err != nil {
				return nil, internal("confirm_coupon_programs: cards", err)
			}
			e.card = e.keyID
		}
		kept = append(kept, e)
	}
	entries = kept
	// The points, through the engine.
	balances := map[int64]decimal.Decimal{}
	for _, e := range entries {
		mv := engine.Movement{Card: e.card, Key: fmt.Sprintf("pos.order/%d/coupon/%s", order.id, e.key), Origin: order.name}
		var res engine.Result
		switch e.points.Sign() {
		case 1:
			mv.Points = e.points
			res, err = m.svc.Earn(ctx, st.db, mv)
		case -1:
			mv.Points, mv.AllowDebt = e.points.Neg(), true
			res, err = m.svc.Redeem(ctx, st.db, mv)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		balances[e.card] = res.Balance
	}
	// Reward lines point at their card.
	changed := false
	for _, l := range order.lines {
		code := toString(l["reward_identifier_code"])
		if code == "" {
			continue
		}
		for _, e := range entries {
			if e.lineCodes[code] {
				l["coupon_id"] = e.card
				changed = true
			}
		}
	}
	if changed {
		raw, err := json.Marshal(order.lines)
		if err != nil {
			return nil, internal("confirm_coupon_programs: lines", err)
		}
		if _, err := st.db.ExecContext(ctx, `UPDATE pos_order SET lines = ?, write_date = ? WHERE id = ?`,
			string(raw), st.datetime(m.now()), order.id); err != nil {
			return nil, internal("confirm_coupon_programs: lines", err)
		}
	}
	// The order's amount joins the customer's spending and their tier is
	// evaluated now that its points are booked (a change moves their lots
	// to the new tier's card before the answer reads the cards).
	if order.partner != 0 {
		if _, err := m.svc.RecordSpending(ctx, c.DB, engine.Order{Model: "pos.order", ID: order.id, Name: order.name,
			Partner: order.partner, Date: order.date, Lines: []engine.OrderLine{{PriceIncl: order.total}}}); err != nil {
			return nil, err
		}
	}
	answer, err := m.confirmAnswer(ctx, st, entries, programs, balances)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(answer)
	if err != nil {
		return nil, internal("confirm_coupon_programs: answer", err)
	}
	if _, err := st.db.ExecContext(ctx, `INSERT INTO pos_coupon_confirmations (order_id, answer) VALUES (?, ?)`,
		order.id, string(raw)); err != nil {
		return nil, internal("confirm_coupon_programs: answer", err)
	}
	return answer.wire(), nil
}

// parseCouponData reads coupon_data: existing cards first (by id), then
// the cards to create (-1, -2, ...), as Odoo lists them.
func parseCouponData(data map[string]any) ([]*couponEntry, error) {
	out := make([]*couponEntry, 0, len(data))
	for k, v := range data {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return nil, models.ValueErrorf("invalid literal for int() with base 10: '%s'", k)
		}
		vals, ok := v.(map[string]any)
		if !ok {
			return nil, models.TypeErrorf("confirm_coupon_programs: coupon %s must be a dict", k)
		}
		e := &couponEntry{key: k, keyID: id, lineCodes: map[string]bool{}}
		if e.program, err = toID("program_id", vals["program_id"]); err != nil {
			return nil, err
		}
		if e.partner, err = toID("partner_id", vals["partner_id"]); err != nil {
			return nil, err
		}
		if e.points, err = toDecimal("points", vals["points"]); err != nil {
			return nil, err
		}
		e.barcode = toString(vals["barcode"])
		exp := vals["expiration_date"]
		if exp == nil || exp == false {
			exp = vals["date_to"]
		}
		if e.expiration, err = toTime("expiration_date", exp); err != nil {
			return nil, err
		}
		codes, _ := vals["line_codes"].([]any)
		for _, lc := range codes {
			e.lineCodes[toString(lc)] = true
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].keyID, out[j].keyID
		if (a > 0) != (b > 0) {
			return a > 0
		}
		if a > 0 {
			return a < b
		}
		return a > b
	})
	return out, nil
}

func loadProgram(ctx context.Context, st store, id int64) (programInfo, error) {
	var p programInfo
	var dateTo any
	err := st.db.QueryRowContext(ctx, `SELECT name, program_type, applies_on, date_to FROM promotion_programs WHERE id = ?`, id).
		Scan(&p.name, &p.programType, &p.appliesOn, &dateTo)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil // existing cards carry their own program; a new card fails in createCard
	}
	if err != nil {
		return p, internal("confirm_coupon_programs: program", err)
	}
	p.dateTo, err = st.readDate(dateTo)
	return p, err
}

// createCard makes the card of a negative key: the barcode chosen in the
// POS or a generated "044..." code, no points (the engine books them), the
// partner when it exists, the order as source.
func (m *Methods) createCard(ctx context.Context, st store, o posOrder, e *couponEntry, p programInfo) (int64, error) {
	if p.programType == "" {
		return 0, models.ValidationErrorf("The program %d of the new coupon does not exist.", e.program)
	}
	partner := e.partner
	if partner != 0 {
		var one int
		err := st.db.QueryRowContext(ctx, `SELECT 1 FROM res_partner WHERE id = ?`, partner).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			partner = 0
		} else if err != nil {
			return 0, internal("confirm_coupon_programs: partner", err)
		}
	}
	code := e.barcode
	if code == "" {
		code = models.NewCardCode()
	}
	expiration := e.expiration
	if expiration.IsZero() && p.dateTo != "" {
		expiration, _ = time.Parse(models.DateLayout, p.dateTo)
	}
	e.partner = partner
	if id, ok, err := m.svc.NewUpstreamCard(ctx, st.db, engine.CardSpec{Program: e.program, Partner: partner,
		Code: code, Expiration: expiration, SourcePosOrder: o.id}); ok {
		return id, err // Odoo is the id authority (engine/cards.go)
	}
	var id int64
	err := st.db.QueryRowContext(ctx, `INSERT INTO loyalty_cards (program_id, partner_id, code, points, expiration_date,
			source_pos_order_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		e.program, nullID(partner), code, st.dec(decimal.Zero), st.date(expiration), o.id).Scan(&id)
	if err != nil {
		return 0, internal("confirm_coupon_programs: new card", err)
	}
	e.partner = partner
	return id, nil
}

// confirmAnswer builds Odoo's answer: coupon_updates for the cards of
// nominative programs, program_updates (usages) for every program
// touched, new_coupon_info for new cards of future programs other than
// gift cards and eWallets.
func (m *Methods) confirmAnswer(ctx context.Context, st store, entries []*couponEntry, programs map[int64]programInfo,
	balances map[int64]decimal.Decimal) (confirmAnswer, error) {
	a := confirmAnswer{CouponUpdates: []couponUpdate{}, ProgramUpdates: []programUpdate{}, NewCouponInfo: []newCouponInfo{}}
	seenCard := map[int64]bool{}
	seenProgram := map[int64]bool{}
	for _, e := range entries {
		if seenCard[e.card] {
			continue
		}
		seenCard[e.card] = true
		var u couponUpdate
		var partner sql.NullInt64
		var raw, exp any
		err := st.db.QueryRowContext(ctx, `SELECT code, program_id, partner_id, points, expiration_date FROM loyalty_cards WHERE id = ?`, e.card).
			Scan(&u.Code, &u.ProgramID, &partner, &raw, &exp)
		if err != nil {
			return a, internal("confirm_coupon_programs: card", err)
		}
		u.ID, u.OldID, u.PartnerID = e.card, e.keyID, partner.Int64
		if b, ok := balances[e.card]; ok {
			u.Points = b
		} else if u.Points, err = st.readDec(raw); err != nil {
			return a, err
		}
		p, ok := programs[u.ProgramID]
		if !ok {
			if p, err = loadProgram(ctx, st, u.ProgramID); err != nil {
				return a, err
			}
			programs[u.ProgramID] = p
		}
		if p.nominative() {
			a.CouponUpdates = append(a.CouponUpdates, u)
		}
		if !seenProgram[u.ProgramID] {
			seenProgram[u.ProgramID] = true
			n, err := programUsages(ctx, st, u.ProgramID)
			if err != nil {
				return a, err
			}
			a.ProgramUpdates = append(a.ProgramUpdates, programUpdate{ProgramID: u.ProgramID, Usages: n})
		}
		if e.created && p.appliesOn == "future" && p.programType != "gift_card" && p.programType != "ewallet" {
			d, err := st.readDate(exp)
			if err != nil {
				return a, err
			}
			a.NewCouponInfo = append(a.NewCouponInfo, newCouponInfo{ProgramName: p.name, ExpirationDate: d, Code: u.Code})
		}
	}
	return a, nil
}

// --- add_loyalty_history_lines (18) ------------------------------------------

// addLoyaltyHistoryLines is Odoo 18.0's
// pos.order.add_loyalty_history_lines([order_id], [{order_id, card_id,
// spent, won}], [{id, old_id}]): one loyalty.history row "Onsite <order>"
// per existing card that won or spent points. A card that already has the
// order's row gets none again (a re-sent call writes nothing). Returns
// None.
func (m *Methods) addLoyaltyHistoryLines(ctx context.Context, c *models.Call) (any, error) {
	if err := require(c, "write loyalty history", groupPosUser); err != nil {
		return nil, err
	}
	orderID, err := orderIDArg(c)
	if err != nil {
		return nil, err
	}
	st := storeOf(c)
	order, found, err := m.lockOrUpstream(ctx, c, st, orderID)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, models.MissingErrorf("Record does not exist or has been deleted.\n(Record: pos.order(%d,), User: %d)", orderID, c.Env.UID)
	}
	coupons, _ := argOr(c, 1, "coupon_data").([]any)
	updates, _ := argOr(c, 2, "coupon_updates").([]any)
	mapping := map[int64]int64{}
	for _, u := range updates {
		d, _ := u.(map[string]any)
		old, err1 := toID("old_id", d["old_id"])
		id, err2 := toID("id", d["id"])
		if err1 == nil && err2 == nil {
			mapping[old] = id
		}
	}
	for _, v := range coupons {
		d, ok := v.(map[string]any)
		if !ok {
			continue
		}
		card, err := toID("card_id", d["card_id"])
		if err != nil {
			return nil, err
		}
		if to, ok := mapping[card]; ok {
			card = to
		}
		if card <= 0 {
			continue
		}
		won, err := toDecimal("won", d["won"])
		if err != nil {
			return nil, err
		}
		spent, err := toDecimal("spent", d["spent"])
		if err != nil {
			return nil, err
		}
		if won.IsZero() && spent.IsZero() {
			continue
		}
		var n int
		if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM loyalty_cards WHERE id = ?`, card).Scan(&n); err != nil {
			return nil, internal("add_loyalty_history_lines", err)
		}
		if n == 0 {
			continue
		}
		if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM loyalty_history WHERE card_id = ? AND order_model = 'pos.order' AND order_id = ?`,
			card, order.id).Scan(&n); err != nil {
			return nil, internal("add_loyalty_history_lines", err)
		}
		if n > 0 {
			continue
		}
		if _, err := st.db.ExecContext(ctx, `INSERT INTO loyalty_history (card_id, description, issued, used, order_model, order_id,
				create_uid, write_uid) VALUES (?, ?, ?, ?, 'pos.order', ?, ?, ?)`,
			card, "Onsite "+order.name, st.dec(won), st.dec(spent), order.id, c.Env.UID, c.Env.UID); err != nil {
			return nil, internal("add_loyalty_history_lines", err)
		}
	}
	return nil, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// orderPrograms records the programs whose rewards an order's lines used
// (their total_order_count).
func orderPrograms(ctx context.Context, st store, order int64, lines []map[string]any) error {
	for _, l := range lines {
		if !truthy(l["is_reward_line"]) {
			continue
		}
		reward, _ := toID("reward_id", l["reward_id"])
		if reward == 0 {
			continue
		}
		if _, err := st.db.ExecContext(ctx, `INSERT INTO pos_order_programs (order_id, program_id)
			SELECT ?, program_id FROM promotion_rewards WHERE id = ? ON CONFLICT DO NOTHING`, order, reward); err != nil {
			return err
		}
	}
	return nil
}
