// Package outbox delivers the engine's outbox (sync_log, written by the
// engine in the transaction of each change: see engine/outbox.go) to the
// upstream Odoo.
//
// Work is split in engine.SyncParts partitions (entity_id % 64): the
// events of one card are in one partition and a partition is delivered by
// one worker at a time, in id order, so a card's events reach Odoo in
// order. On PostgreSQL a worker claims a partition by locking its
// sync_parts row FOR UPDATE SKIP LOCKED (several servers share the work),
// delivers a batch of its events and marks them in the same transaction;
// workers wake on LISTEN loyaltyd_sync (NOTIFY fired by the writing
// transaction) and poll as a fallback (backoffs, the batch lane). On
// SQLite one worker polls.
//
// A batch draws, in id order, from a group of partitions (several per
// worker, so that batches stay full when the work is spread thin) and
// leaves out the entities that have an event waiting for a retry, so a
// later event never overtakes an earlier one. The balance sent is the
// card's balance read in the claim transaction (the latest; the event's
// own points column is the balance at its commit, kept for the log):
// as a card's partition is delivered by one worker at a time, Odoo never
// gets an older balance after a newer one.
//
// Delivery is idempotent on Odoo's side: Odoo's load(fields, rows) in
// batches, the card's balance as an absolute value ('.id', 'points'), the
// rows the engine owns (lots, journal rows, loyalty.history on 18+) under
// external ids loyaltyd.point_move_<id>, loyaltyd.point_history_<id>,
// loyaltyd.loyalty_history_<id>: re-sending a batch after a crash updates
// the same records. A card unknown to Odoo (odoo_card_id NULL: made before
// the upstream was configured, or by the engine's order flow) is created
// by load under loyaltyd.card_<id>, and its id kept.
//
// Errors: a transport error, HTTP 5xx or 429 leaves the batch pending
// with attempts + 1 and next_attempt_at = now + full-jitter exponential
// backoff (capped at 5 minutes); a fault that will not heal
// (odoo.IsPermanent, or a load answering error messages) is isolated by
// re-sending card by card, and the bad card's events are marked failed
// with Odoo's message (Retry puts them back).
//
// Conflicts: before writing balances the batch reads Odoo's points of its
// cards; one that differs from what we last wrote (loyalty_cards.
// odoo_points) was changed behind our back: the engine's value is written
// anyway, and the resolution logged (warn, and a sync_log row action
// conflict, status resolved).
package outbox

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
)

// Client is what the deliverer needs of an Odoo client (*odoo.Client).
type Client interface {
	ExecuteKw(ctx context.Context, model, method string, args []any, kwargs map[string]any, out any) error
	ProbeModels(ctx context.Context, names ...string) (map[string]bool, error)
}

// Options configure a Deliverer. Zero fields take the defaults.
type Options struct {
	Workers     int           // PostgreSQL: partitions delivered at once (4); SQLite: always 1
	BatchSize   int           // events per batch (500)
	Poll        time.Duration // SQLite: poll interval (200 ms); PostgreSQL: fallback poll (1 s)
	MaxAttempts int           // transient failures before an event is failed (0: retry forever)
	BackoffMin  time.Duration // first retry's ceiling (1 s)
	BackoffMax  time.Duration // cap of the backoff (5 min)
	// BatchDelay is how long the batch lane (card events) waits (the
	// --sync-batch-interval); used by the card write hook.
	BatchDelay time.Duration
	Now        func() time.Time // the clock (time.Now)
}

// Models the deliverer writes besides loyalty.card, found by Probe.
const (
	ModelHistory      = "loyalty.history"       // Odoo 18+
	ModelPointMove    = "loyalty.point.move"    // the seed addon
	ModelPointHistory = "loyalty.point.history" // the seed addon
)

// Deliverer delivers the outbox to Odoo.
type Deliverer struct {
	db   *models.DB
	c    Client
	opt  Options
	log  *slog.Logger
	lite bool

	mu  sync.Mutex
	has map[string]bool // nil: not probed yet (or Odoo was down)
}

// New returns a Deliverer of db's outbox to client.
func New(db *models.DB, client Client, opt Options, log *slog.Logger) *Deliverer {
	opt.Workers = cmp.Or(opt.Workers, 4)
	opt.BatchSize = cmp.Or(opt.BatchSize, 500)
	opt.BackoffMin = cmp.Or(opt.BackoffMin, time.Second)
	opt.BackoffMax = cmp.Or(opt.BackoffMax, 5*time.Minute)
	opt.BatchDelay = cmp.Or(opt.BatchDelay, 5*time.Minute)
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lite := db.DialectName() == models.DialectSQLite
	if lite {
		opt.Workers = 1
		opt.Poll = cmp.Or(opt.Poll, 200*time.Millisecond)
	} else {
		opt.Poll = cmp.Or(opt.Poll, time.Second)
	}
	return &Deliverer{db: db, c: client, opt: opt, log: log.With(slog.String("part", "outbox")), lite: lite}
}

// Probe asks Odoo which of the optional models it has (ir.model). A
// failure leaves the deliverer unprobed: the next batch asks again.
func (d *Deliverer) Probe(ctx context.Context) (map[string]bool, error) {
	found, err := d.c.ProbeModels(ctx, ModelHistory, ModelPointMove, ModelPointHistory)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.has = found
	d.mu.Unlock()
	d.log.InfoContext(ctx, "upstream probed", slog.Bool(ModelHistory, found[ModelHistory]),
		slog.Bool(ModelPointMove, found[ModelPointMove]), slog.Bool(ModelPointHistory, found[ModelPointHistory]))
	return found, nil
}

// probed returns what Probe found, probing first when needed.
func (d *Deliverer) probed(ctx context.Context) (map[string]bool, error) {
	d.mu.Lock()
	has := d.has
	d.mu.Unlock()
	if has != nil {
		return has, nil
	}
	return d.Probe(ctx)
}

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	wakes := make([]chan struct{}, d.opt.Workers)
	for i := range wakes {
		wakes[i] = make(chan struct{}, 1)
	}
	var wg sync.WaitGroup
	if !d.lite {
		wg.Go(func() { d.listen(ctx, wakes) })
	}
	for w := range d.opt.Workers {
		wg.Go(func() { d.work(ctx, w, wakes[w]) })
	}
	wg.Wait()
	return nil
}

// work is one worker's loop: deliver while there is work, then wait for a
// notification or the poll.
func (d *Deliverer) work(ctx context.Context, w int, wake <-chan struct{}) {
	t := time.NewTimer(0)
	defer t.Stop()
	for ctx.Err() == nil {
		n, err := d.round(ctx, w)
		if err != nil && ctx.Err() == nil {
			d.log.WarnContext(ctx, "sync round failed", slog.Any("err", err))
		}
		if n > 0 && err == nil {
			continue
		}
		t.Reset(d.opt.Poll)
		select {
		case <-ctx.Done():
		case <-wake:
		case <-t.C:
		}
	}
}

// DeliverOnce delivers what is due now and returns how many events it
// handled (synced or failed); for `loyaltyd sync --once` and tests.
func (d *Deliverer) DeliverOnce(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := d.round(ctx, 0)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// round delivers one batch of each partition with due work that no other
// worker holds; it returns the events it settled.
func (d *Deliverer) round(ctx context.Context, w int) (int, error) {
	var parts []int64
	err := d.db.Query(ctx, d.db, `SELECT DISTINCT part FROM sync_log WHERE status = 'pending'
		AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`, []any{d.timeArg(d.opt.Now())}, func(r *sql.Rows) error {
		var p int64
		if err := r.Scan(&p); err != nil {
			return err
		}
		parts = append(parts, p)
		return nil
	})
	if err != nil || len(parts) == 0 {
		return 0, err
	}
	slices.Sort(parts)
	// The partitions go in groups (a batch draws from a whole group, so
	// batches stay full when the work is spread thin), one group per
	// worker; workers start at different groups and take the others'
	// when those are free.
	size := (len(parts) + d.opt.Workers - 1) / d.opt.Workers
	groups := slices.Collect(slices.Chunk(parts, size))
	total := 0
	var errs []error
	for i := range groups {
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
		n, err := d.deliverParts(ctx, groups[(w+i)%len(groups)])
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// deliverParts delivers a batch of the events of the partitions parts
// (on PostgreSQL, of those it could claim).
func (d *Deliverer) deliverParts(ctx context.Context, parts []int64) (int, error) {
	if d.lite {
		evs, err := d.pending(ctx, d.db, parts)
		if err != nil || len(evs) == 0 {
			return 0, err
		}
		p, err := d.deliver(ctx, d.db, evs)
		if err != nil {
			return 0, err
		}
		return p.settled, d.db.WriteTx(ctx, func(ctx context.Context, tx *models.Tx) error { return d.apply(ctx, tx, p) })
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	var claimed []int64
	rows, err := tx.QueryContext(ctx, "SELECT part FROM sync_parts WHERE part IN (?) ORDER BY part FOR UPDATE SKIP LOCKED",
		bun.In(parts))
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			_ = rows.Close()
			return 0, err
		}
		claimed = append(claimed, p)
	}
	if err := rows.Close(); err != nil || len(claimed) == 0 {
		return 0, err
	}
	evs, err := d.pending(ctx, tx, claimed)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	p, err := d.deliver(ctx, tx, evs)
	if err != nil {
		return 0, err
	}
	if err := d.apply(ctx, tx, p); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE sync_parts SET claimed_at = ? WHERE part IN (?)", d.timeArg(d.opt.Now()),
		bun.In(claimed)); err != nil {
		return 0, err
	}
	return p.settled, tx.Commit()
}

// event is a sync_log row.
type event struct {
	id         int64
	entityType string
	entityID   int64
	action     string
	seqFrom    int64
	seqTo      int64
	payload    string
	attempts   int
}

// pending reads the next batch of the due events of parts, in id order,
// leaving out the entities (per action) that have an event waiting for a
// retry (or for the batch lane): their later events must not overtake
// it.
func (d *Deliverer) pending(ctx context.Context, idb bun.IDB, parts []int64) ([]event, error) {
	now := d.timeArg(d.opt.Now())
	// The waiting entities are left out in the query itself, not after
	// it: a hot card whose events pile up behind a retry must not fill
	// the batch and starve the other cards of its partitions.
	rows, err := idb.QueryContext(ctx, `SELECT s.id, s.entity_type, s.entity_id, s.action, COALESCE(s.seq_from, 0),
		COALESCE(s.seq_to, 0), COALESCE(s.payload, ''), s.attempts FROM sync_log s
		WHERE s.status = 'pending' AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= ?) AND s.part IN (?)
		AND NOT EXISTS (SELECT 1 FROM sync_log w WHERE w.status = 'pending' AND w.next_attempt_at > ?
			AND w.part = s.part AND w.entity_type = s.entity_type AND w.entity_id = s.entity_id AND w.action = s.action)
		ORDER BY s.id LIMIT ?`, now, bun.In(parts), now, d.opt.BatchSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []event
	for rows.Next() {
		var e event
		if err := rows.Scan(&e.id, &e.entityType, &e.entityID, &e.action, &e.seqFrom, &e.seqTo, &e.payload, &e.attempts); err != nil {
			return nil, err
		}
		evs = append(evs, e)
	}
	return evs, rows.Err()
}

// plan is what a delivered batch changes in the store.
type plan struct {
	settled  int
	synced   []int64
	failed   map[string][]int64 // message → events
	retry    []event            // transient failure
	retryErr string
	cards    map[int64]cardSync // card → what Odoo now holds
	conflict []conflict
}

type cardSync struct {
	odooID int64
	points decimal.Decimal
}

type conflict struct {
	card       int64
	odoo, ours decimal.Decimal
}

// deliver sends evs to Odoo (reading what it needs on idb) and returns
// the plan; an error is the store's (Odoo's errors are in the plan).
func (d *Deliverer) deliver(ctx context.Context, idb bun.IDB, evs []event) (*plan, error) {
	p := &plan{failed: map[string][]int64{}, cards: map[int64]cardSync{}}
	has, err := d.probed(ctx)
	if err != nil {
		d.transient(p, evs, err)
		return p, nil
	}
	byAction := map[string][]event{}
	for _, e := range evs {
		byAction[e.action] = append(byAction[e.action], e)
	}
	for _, action := range []string{engine.SyncActionPoints, engine.SyncActionCard, engine.SyncActionTier} {
		group := byAction[action]
		if len(group) == 0 {
			continue
		}
		delete(byAction, action)
		var send func(ctx context.Context, keys []int64) error
		var prep func(ctx context.Context, keys []int64) error
		switch action {
		case engine.SyncActionPoints:
			b := &pointsBatch{d: d, idb: idb, p: p, has: has, evs: group}
			prep, send = b.load, b.send
		case engine.SyncActionCard:
			b := &cardBatch{d: d, idb: idb, p: p, evs: group}
			prep, send = b.load, b.send
		case engine.SyncActionTier:
			b := &tierBatch{d: d, has: has, evs: group}
			prep, send = b.load, b.send
		}
		keys := entityIDs(group)
		if err := prep(ctx, keys); err != nil {
			if isStoreError(err) {
				return nil, err
			}
			d.transient(p, group, err)
			continue
		}
		failed, err := d.isolate(ctx, keys, send)
		if err != nil {
			if isStoreError(err) {
				return nil, err
			}
			d.transient(p, group, err)
			continue
		}
		for _, e := range group {
			if msg, bad := failed[e.entityID]; bad {
				p.failed[msg] = append(p.failed[msg], e.id)
			} else {
				p.synced = append(p.synced, e.id)
			}
			p.settled++
		}
	}
	// Actions the deliverer does not know (none are written today): failed.
	for action, group := range byAction {
		for _, e := range group {
			msg := fmt.Sprintf("unknown sync action %q", action)
			p.failed[msg] = append(p.failed[msg], e.id)
			p.settled++
		}
	}
	return p, nil
}

// storeError marks an error of our database, which aborts the batch.
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

func isStoreError(err error) bool {
	var se storeError
	return errors.As(err, &se)
}

// loadError is a load answered with error messages: Odoo rolled the whole
// call back; permanent for the rows it names.
type loadError struct{ msg string }

func (e *loadError) Error() string { return e.msg }

// permanent reports an error that re-sending will not heal.
func permanent(err error) bool {
	var le *loadError
	if errors.As(err, &le) {
		return true
	}
	if models.KindOf(err) == models.KindAccessDenied {
		return false // the sync's credentials are wrong: every event would fail; keep them pending
	}
	return odoo.IsPermanent(err)
}

// message is Odoo's words for err.
func message(err error) string {
	var le *loadError
	if errors.As(err, &le) {
		return le.msg
	}
	if m := models.MessageOf(err); m != "" {
		return m
	}
	return err.Error()
}

// isolate sends keys together; on a permanent error it sends them one by
// one and returns the keys that failed with their message. A transient
// error is returned.
func (d *Deliverer) isolate(ctx context.Context, keys []int64, send func(context.Context, []int64) error) (map[int64]string, error) {
	err := send(ctx, keys)
	if err == nil || !permanent(err) {
		return nil, err
	}
	failed := map[int64]string{}
	if len(keys) == 1 {
		failed[keys[0]] = message(err)
		return failed, nil
	}
	for _, k := range keys {
		if err := send(ctx, []int64{k}); err != nil {
			if !permanent(err) {
				return nil, err
			}
			failed[k] = message(err)
			d.log.WarnContext(ctx, "sync event failed", slog.Int64("entity", k), slog.String("error", message(err)))
		}
	}
	return failed, nil
}

// transient records a retryable failure of evs.
func (d *Deliverer) transient(p *plan, evs []event, err error) {
	p.retry = append(p.retry, evs...)
	p.retryErr = err.Error()
	d.log.Warn("sync delivery failed, will retry", slog.Int("events", len(evs)), slog.Any("err", err))
}

// backoff is the wait before retry number attempt: full jitter under an
// exponential ceiling.
func (d *Deliverer) backoff(attempt int) time.Duration {
	ceil := odoo.BackoffCeiling(d.opt.BackoffMin, d.opt.BackoffMax, attempt)
	if ceil <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// apply writes p in tx.
func (d *Deliverer) apply(ctx context.Context, tx bun.IDB, p *plan) error {
	now := d.opt.Now()
	nowArg := d.timeArg(now)
	for part := range slices.Chunk(p.synced, 500) {
		if _, err := tx.ExecContext(ctx, `UPDATE sync_log SET status = 'synced', synced_at = ?, last_attempt_at = ?,
			attempts = attempts + 1, error_message = NULL, next_attempt_at = NULL WHERE id IN (?)`,
			nowArg, nowArg, bun.In(part)); err != nil {
			return err
		}
	}
	for _, msg := range slices.Sorted(maps.Keys(p.failed)) {
		for part := range slices.Chunk(p.failed[msg], 500) {
			if _, err := tx.ExecContext(ctx, `UPDATE sync_log SET status = 'failed', last_attempt_at = ?,
				attempts = attempts + 1, error_message = ? WHERE id IN (?)`, nowArg, msg, bun.In(part)); err != nil {
				return err
			}
		}
	}
	for _, e := range p.retry {
		status := engine.SyncPending
		if d.opt.MaxAttempts > 0 && e.attempts+1 >= d.opt.MaxAttempts {
			status = engine.SyncFailed
			p.settled++
		}
		next := d.timeArg(now.Add(d.backoff(e.attempts + 1)))
		if _, err := tx.ExecContext(ctx, `UPDATE sync_log SET status = ?, attempts = attempts + 1, last_attempt_at = ?,
			next_attempt_at = ?, error_message = ? WHERE id = ?`, status, nowArg, next, p.retryErr, e.id); err != nil {
			return err
		}
	}
	// What Odoo now holds, one statement per 300 cards.
	for part := range slices.Chunk(slices.Sorted(maps.Keys(p.cards)), 300) {
		var b strings.Builder
		args := make([]any, 0, 3*len(part))
		for i, id := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			if d.lite {
				b.WriteString("(?, ?, ?)")
			} else {
				b.WriteString("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS NUMERIC))")
			}
			args = append(args, id, p.cards[id].odooID, d.decArg(p.cards[id].points))
		}
		q := "UPDATE loyalty_cards AS c SET odoo_card_id = v.o, odoo_points = v.p FROM (VALUES " + b.String() +
			") AS v(id, o, p) WHERE c.id = v.id"
		if d.lite {
			q = "UPDATE loyalty_cards SET odoo_card_id = v.column2, odoo_points = v.column3 FROM (VALUES " + b.String() +
				") AS v WHERE loyalty_cards.id = v.column1"
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	for _, c := range p.conflict {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sync_log (entity_type, entity_id, part, action, status, lane, points,
			error_message, synced_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, engine.SyncEntityCard, c.card,
			c.card%engine.SyncParts, engine.SyncActionConflict, engine.SyncResolved, engine.SyncLaneRealtime,
			d.decArg(c.ours), fmt.Sprintf("Odoo had %s, the engine %s: the engine's value was written",
				c.odoo.StringFixed(2), c.ours.StringFixed(2)), nowArg, nowArg); err != nil {
			return err
		}
	}
	return nil
}

// entityIDs lists the distinct entities of evs in order of first event.
func entityIDs(evs []event) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, e := range evs {
		if !seen[e.entityID] {
			seen[e.entityID] = true
			out = append(out, e.entityID)
		}
	}
	return out
}

// load calls model.load(fields, rows) and returns the ids; error
// messages are a *loadError.
func (d *Deliverer) load(ctx context.Context, model string, fields []string, rows [][]any) ([]int64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	fs := make([]any, len(fields))
	for i, f := range fields {
		fs[i] = f
	}
	data := make([]any, len(rows))
	for i, r := range rows {
		data[i] = r
	}
	var out map[string]any
	// Odoo's import reads datetimes in the context's (else the user's) time
	// zone: ours are UTC.
	if err := d.c.ExecuteKw(ctx, model, "load", []any{fs, data}, map[string]any{"context": map[string]any{"tz": "UTC"}},
		&out); err != nil {
		return nil, err
	}
	var msgs []string
	if ms, ok := out["messages"].([]any); ok {
		for _, m := range ms {
			mm, _ := m.(map[string]any)
			if mm["type"] == "error" {
				msgs = append(msgs, fmt.Sprint(mm["message"]))
			}
		}
	}
	if len(msgs) > 0 {
		return nil, &loadError{msg: strings.Join(msgs, "\n")}
	}
	list, ok := out["ids"].([]any)
	if !ok || len(list) != len(rows) {
		return nil, &loadError{msg: fmt.Sprintf("%s.load answered no ids", model)}
	}
	ids := make([]int64, len(list))
	for i, v := range list {
		ids[i] = toInt(v)
	}
	return ids, nil
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func toDec(v any) decimal.Decimal { return odoo.Decimal(v) }

// timeArg is a datetime argument (UTC, seconds) for either dialect.
func (d *Deliverer) timeArg(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(models.DatetimeLayout)
}

// decArg is a decimal argument: hundredths on SQLite, text on PostgreSQL.
func (d *Deliverer) decArg(v decimal.Decimal) any {
	if d.lite {
		return v.Round(2).Shift(2).IntPart()
	}
	return v.StringFixed(2)
}

// decOf reads a decimal column.
func (d *Deliverer) decOf(v any) decimal.Decimal { return models.DecimalOf(d.lite, v) }

// timeText formats a datetime column as Odoo's wire text.
func timeText(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(models.DatetimeLayout)
	case string:
		if len(x) > 19 {
			return x[:19]
		}
		return x
	case []byte:
		return timeText(string(x))
	}
	return ""
}

// payloadOf decodes an event's JSON payload.
func payloadOf(e event) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal([]byte(e.payload), &m)
	return m
}
