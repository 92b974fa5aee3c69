package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
	"github.com/odoo-loyalty/loyaltyd/odoo/pull"
)

// importAim is the aim for a first import of 100,000 partners.
const importAim = 30 * time.Second

// benchImport measures the first import of reference data (issue 5):
// --partners partners (100,000) in the fake Odoo, served over real HTTP,
// pulled into a fresh store (SQLite, and PostgreSQL with --database-url)
// by the puller, against a baseline measured in the same run: the bare
// paging of the same rows with the same search_read calls and page size,
// decoded and dropped (no store). It prints both times and their ratio.
//
//	loyaltyd-bench import [--partners 100000] [--page 2000] [--database-url postgres://...]
func benchImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stdout)
	partners := fs.Int("partners", 100_000, "partners in the fake Odoo")
	page := fs.Int("page", pull.DefaultPageSize, "rows per search_read page")
	dbURL := fs.String("database-url", os.Getenv("LOYALTYD_BENCH_DATABASE_URL"), "PostgreSQL server to measure on as well (a schema is created and dropped)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)

	srv := odootest.Start(odootest.Options{Models: []string{"res.partner", "res.company"}})
	defer srv.Close()
	srv.Fields("res.partner", map[string]string{"name": "char", "email": "char", "phone": "char", "ref": "char",
		"active": "boolean"})
	rows := make([]map[string]any, *partners)
	for i := range rows {
		rows[i] = map[string]any{"name": fmt.Sprintf("Customer %06d", i+1), "email": fmt.Sprintf("c%06d@example.com", i+1),
			"phone": fmt.Sprintf("+32 470 %06d", i+1), "ref": fmt.Sprintf("C%06d", i+1), "active": i%50 != 0}
	}
	srv.InsertMany("res.partner", rows)
	client := func() (*odoo.Client, error) {
		return odoo.New(odoo.Config{URL: srv.URL, DB: srv.DB(), Login: srv.Login(), APIKey: srv.Password()}, quiet)
	}

	// Baseline: the same pages, no store.
	c, err := client()
	if err != nil {
		return err
	}
	start := time.Now()
	var since odoo.Cursor
	read := 0
	dom := []any{[]any{"active", "in", []any{true, false}}}
	fields := []string{"write_date", "create_date", "name", "email", "phone", "ref", "active"}
	for {
		got, next, err := c.SearchReadSince(ctx, "res.partner", dom, fields, since.WriteDate, since.ID, *page)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		read += len(got)
		if len(got) < *page {
			break
		}
		since = next
	}
	baseline := time.Since(start)
	c.Close()
	if read != *partners {
		return fmt.Errorf("baseline read %d partners of %d", read, *partners)
	}
	fmt.Fprintf(stdout, "first import of %d partners from the fake Odoo over HTTP (page %d)\n", *partners, *page)
	fmt.Fprintf(stdout, "  %-28s %8.2f s\n", "baseline (paging, no store)", baseline.Seconds())

	stores := []struct{ name, url string }{{"sqlite", ""}}
	if *dbURL != "" {
		stores = append(stores, struct{ name, url string }{"postgresql", *dbURL})
	}
	for _, st := range stores {
		d, upstream, n, err := importOnce(ctx, st.url, client, *page, quiet)
		if err != nil {
			return fmt.Errorf("import %s: %w", st.name, err)
		}
		if n != *partners {
			return fmt.Errorf("import %s: %d partners stored of %d", st.name, n, *partners)
		}
		verdict := "met"
		if d >= importAim {
			verdict = "MISSED"
		}
		fmt.Fprintf(stdout, "  %-28s %8.2f s  ratio %.2fx baseline  %7.0f rows/s  aim < %s: %s\n", "import into "+st.name,
			d.Seconds(), d.Seconds()/baseline.Seconds(), float64(n)/d.Seconds(), importAim, verdict)
		fmt.Fprintf(stdout, "  %-28s %8.2f s waiting for Odoo, %.2f s storing\n", "", upstream.Seconds(), (d - upstream).Seconds())
	}
	return nil
}

// timedClient adds up the time spent in calls to Odoo.
type timedClient struct {
	*odoo.Client
	spent time.Duration
}

func (c *timedClient) ExecuteKw(ctx context.Context, model, method string, args []any, kw map[string]any, out any) error {
	defer func(start time.Time) { c.spent += time.Since(start) }(time.Now())
	return c.Client.ExecuteKw(ctx, model, method, args, kw, out)
}

func (c *timedClient) SearchReadSince(ctx context.Context, model string, domain []any, fields []string,
	since time.Time, afterID int64, limit int) ([]map[string]any, odoo.Cursor, error) {
	defer func(start time.Time) { c.spent += time.Since(start) }(time.Now())
	return c.Client.SearchReadSince(ctx, model, domain, fields, since, afterID, limit)
}

func (c *timedClient) ProbeModels(ctx context.Context, names ...string) (map[string]bool, error) {
	defer func(start time.Time) { c.spent += time.Since(start) }(time.Now())
	return c.Client.ProbeModels(ctx, names...)
}

// importOnce pulls everything into a fresh store and returns the time, the
// part of it spent waiting for Odoo, and the partners stored.
func importOnce(ctx context.Context, baseURL string, client func() (*odoo.Client, error), page int,
	quiet *slog.Logger) (d, upstream time.Duration, n int, err error) {
	scfg := models.StoreConfig{DBName: "importbench"}
	if baseURL == "" {
		dir, err := os.MkdirTemp("", "loyaltyd-importbench-")
		if err != nil {
			return 0, 0, 0, err
		}
		defer os.RemoveAll(dir)
		scfg.DataDir = dir
	} else {
		u, drop, err := createSchema(ctx, baseURL)
		if err != nil {
			return 0, 0, 0, err
		}
		defer drop(quiet)
		scfg.URL = u
	}
	db, err := models.Open(ctx, scfg, quiet)
	if err != nil {
		return 0, 0, 0, err
	}
	defer db.Close()
	if err := models.Migrate(ctx, db, migrations.Migrations, quiet); err != nil {
		return 0, 0, 0, err
	}
	reg := models.NewRegistry(db, quiet)
	if err := reg.Register(models.Builtin()...); err != nil {
		return 0, 0, 0, err
	}
	oc, err := client()
	if err != nil {
		return 0, 0, 0, err
	}
	defer oc.Close()
	c := &timedClient{Client: oc}
	p := pull.New(db, reg, c, pull.Options{PageSize: page}, quiet)
	start := time.Now()
	if _, err := p.PullAll(ctx, nil); err != nil {
		return 0, 0, 0, err
	}
	d = time.Since(start)
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM res_partner WHERE odoo_write_date IS NOT NULL").Scan(&n); err != nil {
		return 0, 0, 0, err
	}
	return d, c.spent, n, nil
}
