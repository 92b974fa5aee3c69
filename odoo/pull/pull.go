// Package pull brings Odoo's reference data into the local store (issue 5,
// inbound): partners (with their membership product), products,
// categories, loyalty programs, rules, rewards, membership levels,
// companies and currencies. Odoo is the id authority for them: a record
// keeps its Odoo id locally and is upserted by it.
//
// What is pulled of a model is the intersection of the local model's
// stored fields (models.Registry descriptors) and what the upstream's
// fields_get reports: many2one values [id, name] are stored as the id,
// many2many ones fill the local link table when the local model has one.
//
// Changes are read with a (write_date, id) cursor per model
// (odoo.Client.SearchReadSince), stored in sync_cursors with every page in
// the page's transaction, so a pull that dies resumes where its last page
// ended. Every new pull starts from the stored cursor rewound by an
// overlap window (Options.Overlap): Odoo's write_date is the start of the
// writing transaction, so a record committed late carries a write_date
// behind a cursor that already went past it. Re-reading is harmless: a row
// whose pulled values did not change (odoo_hash) is not written again.
// Archived records are read too (a domain on active), and arrive archived.
//
// Odoo wins for reference data: a local row changed since its last pull
// (its write_date moved away from odoo_write_date, or its sync_version
// from pulled_version) is overwritten, and the overwrite is logged (slog
// and a sync_log row, action "overwrite", status "resolved"), except a
// partner's membership_product_id while a "tier" event of that partner is
// pending in sync_log: the engine re-tiered it and the outbox is taking it
// to Odoo.
//
// Deletions: a periodic id sweep (Options.SweepEvery) searches the ids
// upstream still has; local rows that came from Odoo and are gone there
// are archived (models with an active field) or deleted when nothing
// references them.
//
// Every row written is dropped from the cache under CacheKey(model, id).
package pull

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/cache"
	"github.com/odoo-loyalty/loyaltyd/odoo"
)

// Client is what the puller needs of odoo.Client.
type Client interface {
	ExecuteKw(ctx context.Context, model, method string, args []any, kwargs map[string]any, out any) error
	SearchReadSince(ctx context.Context, model string, domain []any, fields []string,
		since time.Time, afterID int64, limit int) ([]map[string]any, odoo.Cursor, error)
	ProbeModels(ctx context.Context, names ...string) (map[string]bool, error)
}

// Models are the reference models pulled, in dependency order (a model's
// many2one targets before it).
var Models = []string{
	"res.currency", "res.company", "product.category", "product.product", "res.partner",
	"loyalty.program", "loyalty.rule", "loyalty.reward", "membership.level.path",
}

// Defaults of Options.
const (
	DefaultPageSize   = 2000
	DefaultOverlap    = 10 * time.Minute
	DefaultSweepEvery = 15 * time.Minute
)

// Options tune a Puller; zero fields take the defaults.
type Options struct {
	PageSize   int           // rows per search_read page (DefaultPageSize)
	Overlap    time.Duration // how far back a new pull starts (DefaultOverlap): longer than Odoo's longest transaction
	SweepEvery time.Duration // deletion sweep period of Run (DefaultSweepEvery)
	Cache      cache.Cache   // rows written are deleted from it (nil: none)
	Now        func() time.Time
	// WebhookDelay is how long a webhook's pull waits before reading the
	// record (default 1 s): Odoo 17 sends the webhook from inside the
	// writing transaction, before its commit. Negative: no wait.
	WebhookDelay time.Duration
	// AfterPage, when set, runs after each page is stored (tests use it to
	// change records in the middle of a pull).
	AfterPage func(model string, page int)
}

// Stats count what a pull did.
type Stats struct {
	Read        int // rows read from Odoo
	Written     int // rows inserted or updated locally
	Overwritten int // of which local changes were overwritten (Odoo wins)
	Archived    int // rows archived or deleted by a sweep or PullRecords
}

func (s *Stats) add(o Stats) {
	s.Read += o.Read
	s.Written += o.Written
	s.Overwritten += o.Overwritten
	s.Archived += o.Archived
}

// Puller pulls reference data from one upstream Odoo into db.
type Puller struct {
	db  *models.DB
	reg *models.Registry
	c   Client
	opt Options
	log *slog.Logger

	run   sync.Mutex // one pull at a time
	mu    sync.Mutex // guards specs, probed
	specs map[string]*spec
	order []string // models pulled, dependency order, once probed

	bg  sync.WaitGroup // webhook pulls in flight
	sem chan struct{}  // bounds them
}

// New returns a Puller. It does not call Odoo: the first pull probes the
// upstream's models and fields.
func New(db *models.DB, reg *models.Registry, c Client, opt Options, log *slog.Logger) *Puller {
	opt.PageSize = cmp.Or(opt.PageSize, DefaultPageSize)
	opt.Overlap = cmp.Or(opt.Overlap, DefaultOverlap)
	opt.SweepEvery = cmp.Or(opt.SweepEvery, DefaultSweepEvery)
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.WebhookDelay == 0 {
		opt.WebhookDelay = time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Puller{db: db, reg: reg, c: c, opt: opt, log: log.With(slog.String("part", "pull")),
		sem: make(chan struct{}, 8)}
}

// CacheKey is the cache key of a reference record: "ref:<model>:<id>".
func CacheKey(model string, id int64) string { return fmt.Sprintf("ref:%s:%d", model, id) }

// Run pulls every model, then again every interval, until ctx ends; it
// sweeps deletions every Options.SweepEvery. Errors are logged and the
// next round tries again.
func (p *Puller) Run(ctx context.Context, every time.Duration) {
	var lastSweep time.Time
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		st, err := p.Pull(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("pull failed", slog.Any("err", err))
		} else if st.Written > 0 {
			p.log.Info("pulled", slog.Int("read", st.Read), slog.Int("written", st.Written),
				slog.Int("overwritten", st.Overwritten))
		}
		if err == nil && p.opt.Now().Sub(lastSweep) >= p.opt.SweepEvery {
			if n, err := p.Sweep(ctx); err != nil {
				if ctx.Err() == nil {
					p.log.Warn("sweep failed", slog.Any("err", err))
				}
			} else {
				lastSweep = p.opt.Now()
				if n > 0 {
					p.log.Info("sweep", slog.Int("gone", n))
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pull is one incremental pull of every model (PullAll without progress).
func (p *Puller) Pull(ctx context.Context) (Stats, error) { return p.PullAll(ctx, nil) }

// PullAll pulls every model from its cursor (from the beginning the first
// time: the first import), calling progress, when set, after each page
// with the rows done and the model's total (search_count). A model that
// fails does not stop the others; the errors are returned together.
func (p *Puller) PullAll(ctx context.Context, progress func(model string, done, total int)) (Stats, error) {
	p.run.Lock()
	defer p.run.Unlock()
	order, err := p.models(ctx)
	if err != nil {
		return Stats{}, err
	}
	var all Stats
	var errs []error
	for _, m := range order {
		st, err := p.pullModel(ctx, p.specs[m], progress)
		all.add(st)
		if err != nil {
			if ctx.Err() != nil {
				return all, ctx.Err()
			}
			// The other models go on: a model that fails (a row the store
			// refuses, a fault) must not stop the pull of the rest.
			p.log.Warn("pull failed", slog.String("model", m), slog.Any("err", err))
			errs = append(errs, fmt.Errorf("pull %s: %w", m, err))
		}
	}
	return all, errors.Join(errs...)
}

// PullRecords pulls model's records ids now (a webhook, a write passed
// through to Odoo); ids Odoo no longer has are treated as deleted there.
// The cursor is not moved.
func (p *Puller) PullRecords(ctx context.Context, model string, ids []int64) (Stats, error) {
	if _, err := p.models(ctx); err != nil {
		return Stats{}, err
	}
	sp := p.spec(model)
	if sp == nil {
		return Stats{}, models.UserErrorf("The model %s is not pulled from Odoo.", model)
	}
	return p.pullIDs(ctx, sp, ids, 0)
}

// Pulls reports whether model is one of the models pulled.
func (p *Puller) Pulls(model string) bool { return slices.Contains(Models, model) }

// Wait waits for the webhook pulls in flight.
func (p *Puller) Wait() { p.bg.Wait() }

func (p *Puller) spec(model string) *spec {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.specs[model]
}

// models probes, once, which models the upstream has and their fields.
func (p *Puller) models(ctx context.Context) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.order != nil {
		return p.order, nil
	}
	found, err := p.c.ProbeModels(ctx, Models...)
	if err != nil {
		return nil, fmt.Errorf("pull: probe models: %w", err)
	}
	specs := map[string]*spec{}
	var order []string
	for _, name := range Models {
		local := p.reg.Model(name)
		if !found[name] || local == nil {
			continue
		}
		var fg map[string]map[string]any
		if err := p.c.ExecuteKw(ctx, name, "fields_get", []any{},
			map[string]any{"attributes": []any{"type", "store", "relation"}}, &fg); err != nil {
			return nil, fmt.Errorf("pull: %s.fields_get: %w", name, err)
		}
		sp, err := newSpec(p.db, local, fg)
		if err != nil {
			return nil, err
		}
		specs[name] = sp
		order = append(order, name)
	}
	if len(order) == 0 {
		return nil, errors.New("pull: the upstream has none of the reference models")
	}
	p.specs, p.order = specs, order
	return order, nil
}
