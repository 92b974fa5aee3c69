// Package methods serves the points engine through Odoo's own model
// methods: the POS loyalty flow (pos.config.use_coupon_code,
// pos.order.validate_coupon_programs / confirm_coupon_programs /
// add_loyalty_history_lines and a standalone pos.order.create_from_ui), the
// seed addon's ledger calls on loyalty.point.move and
// loyalty.point.history, and the loyalty.engine model (process_order,
// adjust_points, expire_points, card_balance). Every method goes through
// the registry, so it answers over XML-RPC, JSON-RPC and
// /web/dataset/call_kw alike.
//
// Points never change outside engine.Service: the methods translate Odoo's
// arguments into engine movements keyed by their origin, so that a
// re-sent call books nothing twice.
package methods

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
)

// Group xml ids the methods check.
const (
	groupUser       = "base.group_user"
	groupSystem     = "base.group_system"
	groupPosUser    = "point_of_sale.group_pos_user"
	groupPosManager = "point_of_sale.group_pos_manager"
)

// Options configure the methods.
type Options struct {
	Now      func() time.Time // clock for "today" checks (default time.Now)
	Location *time.Location   // company time zone when the call's context has none (default UTC)
}

// Methods holds what the model methods need: the engine and a clock.
type Methods struct {
	svc *engine.Service
	now func() time.Time
	loc *time.Location
	log *slog.Logger
}

// Register adds pos.config, pos.order and loyalty.engine to reg and
// replaces the create/write/unlink of the registered loyalty.point.move
// and loyalty.point.history (and their aliases) with ledger-backed ones.
// Call it after registering models.Builtin.
func Register(reg *models.Registry, svc *engine.Service, opts Options, log *slog.Logger) error {
	m := &Methods{svc: svc, now: opts.Now, loc: opts.Location, log: log}
	if m.now == nil {
		m.now = time.Now
	}
	if m.loc == nil {
		m.loc = time.UTC
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if err := reg.Register(m.posConfigModel(), m.posSessionModel(), m.posOrderModel(), m.engineModel()); err != nil {
		return err
	}
	if err := m.extendCardModel(reg); err != nil {
		return err
	}
	return m.extendLedgerModels(reg)
}

// --- arguments -------------------------------------------------------------

// toDecimal reads a points or money argument (JSON/XML numbers, strings)
// rounded to 2 places: the POS sends JS float sums such as
// 800.0000000000001.
func toDecimal(name string, v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case nil:
		return decimal.Zero, nil
	case bool:
		if x {
			return decimal.NewFromInt(1), nil
		}
		return decimal.Zero, nil
	case int:
		return decimal.NewFromInt(int64(x)), nil
	case int64:
		return decimal.NewFromInt(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return decimal.Zero, models.ValueErrorf("%s: not a number", name)
		}
		return decimal.NewFromFloat(x).Round(2), nil
	case decimal.Decimal:
		return x.Round(2), nil
	case string:
		d, err := decimal.NewFromString(strings.TrimSpace(x))
		if err != nil {
			return decimal.Zero, models.ValueErrorf("could not convert string to float: '%s'", x)
		}
		return d.Round(2), nil
	}
	return decimal.Zero, models.TypeErrorf("%s: float() argument must be a string or a real number, not '%T'", name, v)
}

// toID reads an id argument: an integer (or an integral float or string);
// False and None read as 0.
func toID(name string, v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case bool:
		if !x {
			return 0, nil
		}
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	case []any: // a many2one as [id, name]
		if len(x) > 0 {
			return toID(name, x[0])
		}
	}
	return 0, models.ValueErrorf("%s: expected an id, got %v", name, v)
}

// toIDs reads a list of ids, or one id.
func toIDs(name string, v any) ([]int64, error) {
	list, ok := v.([]any)
	if !ok {
		id, err := toID(name, v)
		if err != nil {
			return nil, err
		}
		return []int64{id}, nil
	}
	out := make([]int64, 0, len(list))
	for _, e := range list {
		id, err := toID(name, e)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// toString reads a text argument; False and None read as "".
func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil, bool:
		return ""
	}
	return fmt.Sprint(v)
}

// toTime reads a date or datetime argument ("2026-11-24", "2026-11-24
// 17:50:12", RFC 3339); false gives the zero time.
func toTime(name string, v any) (time.Time, error) {
	s := strings.TrimSpace(toString(v))
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, models.DatetimeLayout, models.DateLayout, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, models.ValueErrorf("%s: time data '%s' does not match format '%%Y-%%m-%%d %%H:%%M:%%S'", name, s)
}

// argOr returns positional i or keyword name, and nil when neither.
func argOr(c *models.Call, i int, name string) any {
	v, _ := c.Arg(i, name)
	return v
}

// --- access ------------------------------------------------------------------

// require refuses the call unless the user is in one of groups.
func require(c *models.Call, what string, groups ...string) error {
	if c.Env.Superuser {
		return nil
	}
	for _, g := range groups {
		if c.Env.HasGroup(g) {
			return nil
		}
	}
	return models.AccessErrorf("You are not allowed to %s (%s.%s).\n\nContact your administrator to request access if necessary.",
		what, c.Model.Name, c.Method)
}

// --- store helpers -------------------------------------------------------------

// store converts values for one dialect inside one transaction.
type store struct {
	db      bun.IDB
	dialect string
}

func storeOf(c *models.Call) store { return store{db: c.DB, dialect: c.Registry.DB.DialectName()} }

var (
	decField  = &models.Field{Name: "points", Type: models.Float, Decimal: true}
	boolField = &models.Field{Name: "flag", Type: models.Boolean}
	dateField = &models.Field{Name: "date", Type: models.Date}
	dtField   = &models.Field{Name: "datetime", Type: models.Datetime}
)

func (s store) pg() bool { return s.dialect == models.DialectPG }

func (s store) dec(d decimal.Decimal) any { v, _ := models.ToColumn(s.dialect, decField, d); return v }

func (s store) boolean(b bool) any { v, _ := models.ToColumn(s.dialect, boolField, b); return v }

func (s store) datetime(t time.Time) any {
	v, _ := models.ToColumn(s.dialect, dtField, t.UTC().Format(models.DatetimeLayout))
	return v
}

func (s store) date(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	v, _ := models.ToColumn(s.dialect, dateField, t.Format(models.DateLayout))
	return v
}

func (s store) readDec(raw any) (decimal.Decimal, error) {
	v, err := models.FromColumn(s.dialect, decField, raw)
	if err != nil || v == nil {
		return decimal.Zero, err
	}
	return v.(decimal.Decimal), nil
}

// readDatetime reads a DATETIME column (zero for NULL).
func (s store) readDatetime(raw any) (time.Time, error) {
	v, err := models.FromColumn(s.dialect, dtField, raw)
	if err != nil || v == nil {
		return time.Time{}, err
	}
	return v.(time.Time), nil
}

// readDate returns a DATE column as "YYYY-MM-DD", "" for NULL.
func (s store) readDate(raw any) (string, error) {
	v, err := models.FromColumn(s.dialect, dateField, raw)
	if err != nil || v == nil {
		return "", err
	}
	return v.(time.Time).Format(models.DateLayout), nil
}

// forUpdate is the row-lock suffix on PostgreSQL (SQLite has one writer).
func (s store) forUpdate() string {
	if s.pg() {
		return " FOR UPDATE"
	}
	return ""
}

// internal wraps a store failure.
func internal(what string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*models.Error); ok {
		return err
	}
	return models.Internal(fmt.Errorf("%s: %w", what, err))
}

// randomKey is an idempotency key for a call that brings none: the
// movement is booked once per call.
func randomKey(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + "/" + hex.EncodeToString(b[:])
}

// callKey is the idempotency key the caller put in the context
// ("idempotency_key"), or a fresh one.
func callKey(c *models.Call, prefix string) string {
	if k, ok := c.Env.Context["idempotency_key"].(string); ok && k != "" {
		return prefix + "/" + k
	}
	return randomKey(prefix)
}

// today is the current date in the call's time zone (context tz, else
// the company's).
func (m *Methods) today(c *models.Call) string {
	loc := m.loc
	if tz, ok := c.Env.Context["tz"].(string); ok && tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	return m.now().In(loc).Format(models.DateLayout)
}

// dict builds an ordered answer dict.
func dict(kv ...any) *models.Dict { return models.D(kv...) }

// falseIfZero is Odoo's empty many2one id: False.
func falseIfZero(id int64) any {
	if id == 0 {
		return false
	}
	return id
}

var _ = context.Background
