package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/odoo-loyalty/loyaltyd/engine"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/odoo-loyalty/loyaltyd/odoo/pull"
)

// pullPart is the inbound pull's state on the app (H2 owns this file).
type pullPart struct {
	puller *pull.Puller
}

// openPull makes the puller when an upstream is configured.
func (a *app) openPull(ctx context.Context) error {
	if a.odoo == nil {
		return nil
	}
	p := pull.New(a.db, a.reg, a.odoo, pull.Options{Cache: a.cache}, a.log)
	a.parts.pullPart.puller = p
	// A reference write passed through to Odoo (upstream.go) refreshes
	// the local copy at once, in the background.
	a.parts.OnReferenceWrite = func(_ context.Context, model string, ids []int64) { p.Refresh(model, ids) }
	return nil
}

// startPull starts the interval pull (--pull-interval; 0: only on demand,
// the webhook and pass-through writes); the returned func waits for it,
// and for the webhook pulls in flight, after ctx ends.
func (a *app) startPull(ctx context.Context) (wait func()) {
	p := a.parts.pullPart.puller
	if p == nil {
		return func() {}
	}
	var wg sync.WaitGroup
	if every := a.cfg.PullInterval; every > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Run(ctx, every)
		}()
		wg.Go(func() { a.pullNewCards(ctx, every) })
	}
	return func() { wg.Wait(); p.Wait() }
}

// webhookHandler serves /loyaltyd/webhook, nil when it is off (no upstream
// or no --webhook-secret).
func (a *app) webhookHandler() http.Handler {
	p := a.parts.pullPart.puller
	if p == nil || a.cfg.WebhookSecret == "" {
		return nil
	}
	return pull.Webhook(a.cfg.WebhookSecret, p, a.log)
}

// cmdImport is `loyaltyd import`: the one-time migration of an Odoo's
// loyalty data. It pulls the reference data (a progress line on stderr),
// imports the loyalty cards (a standard card's points as one opening lot,
// the seed addon's lots and history as they are) and prints the
// reconciliation report on stdout. It can be run again: a second run
// creates nothing and reports the differences that remain.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := parseConfig("import", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	if cfg.OdooURL == "" {
		return errors.New("import: --odoo-url is required")
	}
	log := newLogger(cfg, stderr)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	p := a.parts.pullPart.puller
	start := time.Now()
	pr := &progressLine{w: stderr}
	st, err := p.PullAll(ctx, pr.update)
	pr.end()
	if err != nil {
		return fmt.Errorf("import: reference data: %w", err)
	}
	fmt.Fprintf(stderr, "reference data: %d records read, %d written in %s\n", st.Read, st.Written,
		time.Since(start).Round(time.Millisecond))
	// The import books Odoo's own balances and rows: an engine without
	// the outbox, so that nothing of it is sent back to Odoo (an opening
	// lot would otherwise reach Odoo 18 as a second issue of the same
	// points, and the seed addon's lots under new external ids).
	quiet := engine.New(a.db, a.engineOpts, log)
	rep, err := pull.ImportCards(ctx, a.odoo, a.db, quiet, 0, log)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	log.Info("import done", slog.Int("cards_created", rep.Created), slog.Int("differ", len(rep.Differ)))
	return nil
}

// progressLine rewrites one stderr line per model: "res.partner 2000/100000".
type progressLine struct {
	w     io.Writer
	model string
	last  time.Time
}

func (p *progressLine) update(model string, done, total int) {
	if model != p.model {
		p.end()
		p.model = model
	}
	now := time.Now()
	if done > 0 && done < total && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "\rpull %-24s %d/%d", model, done, total)
}

func (p *progressLine) end() {
	if p.model != "" {
		fmt.Fprintln(p.w)
		p.model = ""
	}
}

// newCardSettle is how old a card made in Odoo must be before the pull
// takes it: younger ones may be the engine's own, being created in Odoo
// first this moment (the id authority), and left to it.
const newCardSettle = 2 * time.Minute

// pullNewCards takes, every interval, the loyalty cards created in Odoo
// outside the engine (pull.NewCards), with an engine that writes no sync
// events: their balance is Odoo's already.
func (a *app) pullNewCards(ctx context.Context, every time.Duration) {
	quiet := engine.New(a.db, a.engineOpts, a.log)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := pull.NewCards(ctx, a.odoo, a.db, quiet, time.Now(), newCardSettle, a.log)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.WarnContext(ctx, "new cards from Odoo", slog.Any("err", err))
		case n > 0:
			a.log.InfoContext(ctx, "new cards from Odoo", slog.Int("cards", n))
		}
	}
}
