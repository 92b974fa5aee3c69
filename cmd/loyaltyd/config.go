package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Config is every setting of the server. Flags take Odoo's names where
// Odoo has one; each flag can also come from the environment as LOYALTYD_
// plus its name in capitals with dashes as underscores.
type Config struct {
	HTTPInterface string
	HTTPPort      int
	DBName        string
	DataDir       string
	DatabaseURL   string
	RedisURL      string
	ServerVersion string
	MaxBodyBytes  int64
	CallTimeout   time.Duration
	ListDB        bool
	LogLevel      string
	LogFormat     string
	Timezone      string        // company time zone: lots expire at the end of a local day
	TierWindow    time.Duration // spending window of the tier evaluation; 0 = lifetime
	ExpireEvery   time.Duration // interval of the expiry job; 0 = off
	AdminPassword string        // LOYALTYD_ADMIN_PASSWORD only, never a flag

	// The upstream Odoo (issue 5); OdooURL empty = standalone.
	OdooURL       string
	OdooDB        string
	OdooLogin     string
	OdooAPIKey    string
	OdooTimeout   time.Duration // one call to Odoo, connection to last byte
	SyncBatch     time.Duration // how long non-realtime sync events wait to be batched
	SyncWorkers   int           // delivery goroutines of this instance
	PullInterval  time.Duration // reference-data pull from Odoo; 0 = off
	WebhookSecret string        // secret of /loyaltyd/webhook; empty = webhook off

	passwordRounds int // pbkdf2 rounds of new password hashes; 0 = Odoo's 600,000 (tests use fewer)
}

// envPrefix prefixes every environment variable the binary reads.
const envPrefix = "LOYALTYD_"

// newFlagSet declares the flags of cmd into cfg.
func newFlagSet(cmd string, cfg *Config, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("loyaltyd "+cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.HTTPInterface, "http-interface", "127.0.0.1", "address to listen on (Odoo's --http-interface)")
	fs.IntVar(&cfg.HTTPPort, "http-port", 8069, "port to listen on (Odoo's --http-port)")
	fs.StringVar(&cfg.DBName, "db-name", "loyalty", "the database name clients send (Odoo's --database)")
	fs.StringVar(&cfg.DataDir, "data-dir", "data", "directory of the embedded SQLite database")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL URL (postgres://user:pass@host:5432/db); empty = embedded SQLite in --data-dir")
	fs.StringVar(&cfg.RedisURL, "redis-url", "", "Redis URL (redis://host:6379/0) for sessions and login throttling shared by several instances; empty = in-process")
	fs.StringVar(&cfg.ServerVersion, "server-version", "17.0", "Odoo version the server reports (16.0, 17.0, 18.0); behaviour follows it")
	fs.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", 16<<20, "largest request body accepted")
	fs.DurationVar(&cfg.CallTimeout, "call-timeout", 60*time.Second, "deadline of one RPC call, database work included")
	fs.BoolVar(&cfg.ListDB, "list-db", true, "allow db.list (Odoo's --no-database-list turns it off)")
	fs.StringVar(&cfg.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "text or json")
	fs.StringVar(&cfg.Timezone, "timezone", "UTC", "company time zone (IANA name, e.g. Asia/Jakarta): points expire at the end of a day there")
	fs.DurationVar(&cfg.TierWindow, "tier-window", 0, "spending window of the membership tier evaluation (e.g. 8760h for 12 months); 0 = lifetime")
	fs.DurationVar(&cfg.ExpireEvery, "expire-interval", time.Hour, "how often the expiry job expires lots past their date; 0 turns the job off")
	fs.StringVar(&cfg.OdooURL, "odoo-url", "", "upstream Odoo (https://odoo.example.com): loyalty changes are synced to it, reference data pulled from it, every other call passed through; empty = standalone")
	fs.StringVar(&cfg.OdooDB, "odoo-db", "", "database of the upstream Odoo")
	fs.StringVar(&cfg.OdooLogin, "odoo-login", "", "login of the upstream Odoo user the sync acts as")
	fs.StringVar(&cfg.OdooAPIKey, "odoo-api-key", "", "API key (or password) of --odoo-login")
	fs.DurationVar(&cfg.OdooTimeout, "odoo-timeout", 30*time.Second, "deadline of one call to the upstream Odoo")
	fs.DurationVar(&cfg.SyncBatch, "sync-batch-interval", 5*time.Minute, "how long sync events other than point movements wait to be sent in one batch")
	fs.IntVar(&cfg.SyncWorkers, "sync-workers", 4, "delivery workers of this instance (PostgreSQL; SQLite uses one)")
	fs.DurationVar(&cfg.PullInterval, "pull-interval", time.Minute, "how often reference data is pulled from the upstream Odoo; 0 = only on demand")
	fs.StringVar(&cfg.WebhookSecret, "webhook-secret", "", "secret of the /loyaltyd/webhook endpoint for Odoo's automation rules; empty turns it off")
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: loyaltyd %s [flags]\n\nFlags (each also read from the environment as %sNAME, e.g. %sHTTP_PORT):\n", cmd, envPrefix, envPrefix)
		fs.PrintDefaults()
		fmt.Fprintf(out, "\nEnvironment only:\n  %sADMIN_PASSWORD\n    \tpassword of the admin user created at first start (generated and printed once when unset)\n", envPrefix)
	}
	return fs
}

// parseConfig fills cfg from the environment, then from args (flags win).
func parseConfig(cmd string, args []string, getenv func(string) string, out io.Writer) (*Config, []string, error) {
	cfg := &Config{}
	fs := newFlagSet(cmd, cfg, out)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return nil, nil, envErr
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	cfg.AdminPassword = getenv(envPrefix + "ADMIN_PASSWORD")
	return cfg, fs.Args(), cfg.validate()
}

func (c *Config) validate() error {
	var errs []error
	if c.HTTPPort < 0 || c.HTTPPort > 65535 {
		errs = append(errs, fmt.Errorf("--http-port %d: not a port", c.HTTPPort))
	}
	if c.DBName == "" || strings.ContainsAny(c.DBName, "/\\\x00") {
		errs = append(errs, fmt.Errorf("--db-name %q: not a usable name", c.DBName))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, fmt.Errorf("--max-body-bytes %d: too small", c.MaxBodyBytes))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		errs = append(errs, fmt.Errorf("--timezone %q: not a time zone", c.Timezone))
	}
	if c.TierWindow < 0 {
		errs = append(errs, fmt.Errorf("--tier-window %s: negative", c.TierWindow))
	}
	if c.ExpireEvery < 0 {
		errs = append(errs, fmt.Errorf("--expire-interval %s: negative", c.ExpireEvery))
	}
	if c.OdooURL != "" && (c.OdooDB == "" || c.OdooLogin == "" || c.OdooAPIKey == "") {
		errs = append(errs, errors.New("--odoo-url needs --odoo-db, --odoo-login and --odoo-api-key"))
	}
	if c.OdooTimeout <= 0 || c.SyncBatch < 0 || c.PullInterval < 0 || c.SyncWorkers < 1 {
		errs = append(errs, errors.New("--odoo-timeout, --sync-batch-interval, --pull-interval and --sync-workers must be positive"))
	}
	return errors.Join(errs...)
}

// envOr is getenv for os.Getenv-like functions in tests.
func envOr(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}
