package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/outbox"
)

// syncPart is the outbox's state on the app: with an upstream Odoo the
// engine writes sync events (EnableOutbox) and the deliverer sends them.
type syncPart struct {
	deliverer *outbox.Deliverer // nil: standalone
}

// openSync turns the engine's outbox on when an upstream is configured:
// the events, the loyalty.sync and loyalty.sync.log models, the card
// write hook (batch lane) and the deliverer.
func (a *app) openSync(ctx context.Context) error {
	if a.odoo == nil {
		return nil
	}
	a.engine.EnableOutbox()
	if err := a.reg.Register(outbox.Models(a.db, nil)...); err != nil {
		return err
	}
	a.reg.OnWrite("loyalty.card", outbox.CardWriteHook(a.cfg.SyncBatch, nil))
	a.parts.deliverer = outbox.New(a.db, a.odoo, outbox.Options{Workers: a.cfg.SyncWorkers, BatchDelay: a.cfg.SyncBatch}, a.log)
	return nil
}

// syncHealth is the sync's part of /web/health.
func (a *app) syncHealth(ctx context.Context) (map[string]any, error) {
	st, err := a.parts.deliverer.Stats(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"sync": st.Map()}, nil
}

// startSync starts the delivery workers; the returned func waits for them
// after ctx ends.
func (a *app) startSync(ctx context.Context) (wait func()) {
	if a.parts.deliverer == nil {
		return func() {}
	}
	if a.handler != nil {
		a.handler.HealthInfo = a.syncHealth
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := a.parts.deliverer.Probe(ctx); err != nil {
			a.log.WarnContext(ctx, "upstream probe failed; retried with the first batch", slog.Any("err", err))
		}
		_ = a.parts.deliverer.Run(ctx)
	})
	return wg.Wait
}

// cmdSync is `loyaltyd sync [--once] [--retry-failed [IDS]] [--stats]`
// with the server's flags (--odoo-url required): --stats prints the
// outbox's figures, --retry-failed puts failed events (all, or the
// comma-separated IDS) back to pending, --once delivers what is due and
// exits; with none of them it delivers until interrupted.
func cmdSync(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var once, stats, retry bool
	var retryIDs []int64
	var rest []string
	for i := 0; i < len(args); i++ {
		name, val, hasVal := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") {
			rest = append(rest, args[i])
			continue
		}
		switch name {
		case "once":
			once = true
		case "stats":
			stats = true
		case "retry-failed":
			retry = true
			if !hasVal && i+1 < len(args) && isIDList(args[i+1]) {
				val, hasVal = args[i+1], true
				i++
			}
			if hasVal {
				ids, err := parseIDList(val)
				if err != nil {
					return fmt.Errorf("--retry-failed %q: %w", val, err)
				}
				retryIDs = ids
			}
		default:
			rest = append(rest, args[i])
		}
	}
	cfg, extra, err := parseConfig("sync", rest, getenv, stderr)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		return fmt.Errorf("unexpected arguments %q", extra)
	}
	if cfg.OdooURL == "" {
		return errors.New("sync: --odoo-url is required")
	}
	log := newLogger(cfg, stderr)
	// Only the store and the client: not the whole server, which refuses
	// to start while cards unknown to Odoo exist (this command creates
	// them there).
	db, err := models.Open(ctx, models.StoreConfig{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, DBName: cfg.DBName}, log)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	if err := models.Migrate(ctx, db, migrations.Migrations, log); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	client, err := odoo.New(odoo.Config{URL: cfg.OdooURL, DB: cfg.OdooDB, Login: cfg.OdooLogin, APIKey: cfg.OdooAPIKey,
		Timeout: cfg.OdooTimeout}, log)
	if err != nil {
		return fmt.Errorf("--odoo-url: %w", err)
	}
	defer client.Close()
	d := outbox.New(db, client, outbox.Options{Workers: cfg.SyncWorkers, BatchDelay: cfg.SyncBatch}, log)
	if retry {
		n, err := d.Retry(ctx, retryIDs)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "retry: %d failed events back to pending\n", n)
	}
	if once {
		start := time.Now()
		n, err := d.DeliverOnce(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "delivered: %d events in %s\n", n, time.Since(start).Round(time.Millisecond))
	}
	if stats {
		st, err := d.Stats(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "pending:            %d\nfailed:             %d\nsynced today:       %d\n"+
			"sync rate:          %.2f/min (last hour)\noldest pending age: %.0fs\n",
			st.Pending, st.Failed, st.SyncedToday, st.RatePerMinute, st.OldestPending)
	}
	if once || stats || retry {
		return nil
	}
	log.Info("delivering the outbox until interrupted")
	if _, err := d.Probe(ctx); err != nil {
		log.Warn("upstream probe failed; retried with the first batch", slog.Any("err", err))
	}
	return d.Run(ctx)
}

func isIDList(s string) bool {
	_, err := parseIDList(s)
	return err == nil
}

func parseIDList(s string) ([]int64, error) {
	var ids []int64
	for _, p := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || id <= 0 {
			return nil, errors.New("want comma-separated ids")
		}
		ids = append(ids, id)
	}
	return ids, nil
}
