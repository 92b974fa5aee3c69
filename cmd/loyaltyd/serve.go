package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/odoo-loyalty/loyaltyd/engine"
	"github.com/odoo-loyalty/loyaltyd/engine/methods"
	"github.com/odoo-loyalty/loyaltyd/migrations"
	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/auth"
	"github.com/odoo-loyalty/loyaltyd/models/cache"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/rpc"
)

// app is the wired program: store, registry, auth and HTTP handler.
type app struct {
	cfg     *Config
	log     *slog.Logger
	db      *models.DB
	redis   *redis.Client
	auth    *auth.Service
	reg     *models.Registry
	engine  *engine.Service
	handler *rpc.Server

	engineOpts engine.Options // how a.engine was made (the import makes a second one without the outbox)

	// Issue 5: the upstream Odoo (nil when standalone), the cache, and
	// what each part of the sync hangs on the app (see odoo.go, sync.go,
	// pull.go, upstream.go, cache.go).
	odoo  *odoo.Client
	cache cache.Cache
	parts appParts
}

func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openApp opens the store, migrates it and wires every part.
func openApp(ctx context.Context, cfg *Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log}
	db, err := models.Open(ctx, models.StoreConfig{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, DBName: cfg.DBName}, log)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	a.db = db
	if err := models.Migrate(ctx, db, migrations.Migrations, log); err != nil {
		a.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	limiter := auth.Limiter(auth.NewMemoryLimiter(5, time.Minute, time.Now))
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("--redis-url: %w", err)
		}
		// Bounded waits: a slow Redis must degrade to the database quickly,
		// never hold a request.
		opt.ContextTimeoutEnabled = true
		opt.DialTimeout = 2 * time.Second
		opt.ReadTimeout = time.Second
		opt.WriteTimeout = time.Second
		opt.MaxRetries = 1
		a.redis = redis.NewClient(opt)
		limiter = auth.NewRedisLimiter(a.redis, 5, time.Minute, log)
	}
	if err := a.openCache(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openOdoo(); err != nil {
		a.Close()
		return nil, err
	}
	a.auth = auth.New(db, auth.Options{Limiter: limiter, PasswordRounds: cfg.passwordRounds}, log)
	a.reg = models.NewRegistry(db, log)
	if err := a.reg.Register(models.Builtin()...); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.reg.Register(auth.Models(a.auth)...); err != nil {
		a.Close()
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil || cfg.Timezone == "" {
		loc = time.UTC
	}
	a.engineOpts = engine.Options{Location: loc, TierWindow: cfg.TierWindow, Products: engine.RegistryProducts{Registry: a.reg}}
	a.engine = engine.New(db, a.engineOpts, log)
	if err := a.openSync(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openCards(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := methods.Register(a.reg, a.engine, methods.Options{Location: loc}, log); err != nil {
		a.Close()
		return nil, err
	}
	for alias, name := range models.BuiltinAliases() {
		if err := a.reg.RegisterAlias(alias, name); err != nil {
			a.Close()
			return nil, err
		}
	}
	if err := a.reg.SyncIrModel(ctx); err != nil {
		a.Close()
		return nil, fmt.Errorf("ir.model: %w", err)
	}
	var sessions rpc.SessionStore
	if a.redis != nil {
		sessions = rpc.NewRedisSessions(a.redis, 7*24*time.Hour)
	}
	h, err := rpc.NewServer(rpc.Config{
		DBName: cfg.DBName, Version: cfg.ServerVersion, MaxBodyBytes: cfg.MaxBodyBytes,
		CallTimeout: cfg.CallTimeout, NoDBList: !cfg.ListDB, BaseURL: cfg.baseURL(),
	}, a.reg, authAdapter{a.auth}, sessions, log)
	if err != nil {
		a.Close()
		return nil, err
	}
	h.Health = func(ctx context.Context) error { return db.PingContext(ctx) }
	a.handler = h
	if err := a.openPull(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openUpstream(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Close releases the store and Redis.
func (a *app) Close() {
	if a.odoo != nil {
		a.odoo.Close()
	}
	if a.redis != nil {
		_ = a.redis.Close()
	}
	if a.db != nil {
		_ = a.db.Close()
	}
}

func (c *Config) baseURL() string {
	host := c.HTTPInterface
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(c.HTTPPort))
}

// cmdServe runs the server until ctx is done, then shuts down gracefully.
// ready, when not nil, receives the listening address (for tests).
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, ready chan<- string) error {
	cfg, rest, err := parseConfig("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments %q", rest)
	}
	log := newLogger(cfg, stderr)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	generated, created, err := a.auth.EnsureAdmin(ctx, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.HTTPInterface, strconv.Itoa(cfg.HTTPPort)))
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.front(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.CallTimeout + 30*time.Second,
		WriteTimeout:      cfg.CallTimeout + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	printBanner(stdout, cfg, url, generated, created)
	log.Info("serving", slog.String("url", url), slog.String("db", cfg.DBName), slog.String("store", storeName(cfg)))
	if ready != nil {
		ready <- ln.Addr().String()
	}
	jobs, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		runExpiryJob(jobs, a.engine, cfg.ExpireEvery, time.Now, log)
	}()
	versionChecked := make(chan struct{})
	go func() { defer close(versionChecked); a.checkUpstreamVersion(jobs) }()
	waitSync := a.startSync(jobs)
	waitPull := a.startPull(jobs)
	defer func() { stopJobs(); waitSync(); waitPull(); <-versionChecked }()
	defer func() { stopJobs(); <-jobsDone }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func storeName(cfg *Config) string {
	if cfg.DatabaseURL != "" {
		return "postgresql"
	}
	return "sqlite"
}

func printBanner(w io.Writer, cfg *Config, url, generated string, created bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "loyaltyd: Odoo %s external API on %s\n", cfg.ServerVersion, url)
	if cfg.DatabaseURL != "" {
		fmt.Fprintf(&b, "  database: %s (PostgreSQL)\n", cfg.DBName)
	} else {
		fmt.Fprintf(&b, "  database: %s (SQLite in %s)\n", cfg.DBName, cfg.DataDir)
	}
	switch {
	case cfg.OdooURL != "":
		fmt.Fprintf(&b, "  upstream: %s (database %s): log in with your Odoo users; every call but the loyalty ones goes to Odoo\n",
			cfg.OdooURL, cfg.OdooDB)
	case created && generated != "":
		fmt.Fprintf(&b, "  log in:   admin / %s   (generated now and shown once; set LOYALTYD_ADMIN_PASSWORD to choose it)\n", generated)
	case created:
		fmt.Fprintf(&b, "  log in:   admin / the password in LOYALTYD_ADMIN_PASSWORD\n")
	default:
		fmt.Fprintf(&b, "  log in:   admin / the password set at first start (reset: loyaltyd passwd admin)\n")
	}
	fmt.Fprintf(&b, "  try:      python3 -c \"import xmlrpc.client as x; print(x.ServerProxy('%s/xmlrpc/2/common').version())\"\n", url)
	_, _ = io.WriteString(w, b.String())
}
