package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgSettings are the server settings the engine benchmark prints and
// judges durability by.
type pgSettings struct {
	Version           string
	Fsync             string
	SynchronousCommit string
	FullPageWrites    string
	WalSyncMethod     string
	SharedBuffers     string
	MaxWalSize        string
	MaxConnections    string
}

// durable says whether a commit the server acknowledged survives a crash
// of the machine: fsync on, synchronous_commit not off, full-page writes
// on (without them a torn page can lose committed data).
func (s pgSettings) durable() bool {
	return s.Fsync == "on" && s.SynchronousCommit != "off" && s.SynchronousCommit != "" && s.FullPageWrites == "on"
}

func (s pgSettings) String() string {
	return fmt.Sprintf("fsync=%s synchronous_commit=%s full_page_writes=%s wal_sync_method=%s shared_buffers=%s max_wal_size=%s max_connections=%s",
		s.Fsync, s.SynchronousCommit, s.FullPageWrites, s.WalSyncMethod, s.SharedBuffers, s.MaxWalSize, s.MaxConnections)
}

// readSettings reads the settings of the server of dbURL.
func readSettings(ctx context.Context, dbURL string) (pgSettings, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return pgSettings{}, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var s pgSettings
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"server_version", &s.Version}, {"fsync", &s.Fsync}, {"synchronous_commit", &s.SynchronousCommit},
		{"full_page_writes", &s.FullPageWrites}, {"wal_sync_method", &s.WalSyncMethod},
		{"shared_buffers", &s.SharedBuffers}, {"max_wal_size", &s.MaxWalSize}, {"max_connections", &s.MaxConnections},
	} {
		if err := conn.QueryRow(ctx, "SHOW "+f.name).Scan(f.dst); err != nil {
			return pgSettings{}, fmt.Errorf("SHOW %s: %w", f.name, err)
		}
	}
	return s, nil
}

// ownServerSettings are the settings the bench's own server runs with:
// PostgreSQL's durable defaults spelled out, loopback only.
var ownServerSettings = []string{
	"listen_addresses=127.0.0.1",
	"fsync=on",
	"synchronous_commit=on",
	"full_page_writes=on",
	"max_connections=100",
	"shared_buffers=256MB",
	"max_wal_size=2GB",
}

// pgServer is the PostgreSQL server the engine benchmark measures on:
// the one it was given, or its own, started in a temporary directory.
type pgServer struct {
	URL      string // superuser URL of a maintenance database
	Own      bool   // started by the bench, stopped by stop
	Why      string // why this server was chosen
	Settings pgSettings

	FSType string // file system of the own server's data directory ("" unknown)

	bin  string // directory of the PostgreSQL binaries
	dir  string // temporary directory of the own server
	asPG bool   // run the server binaries as the postgres user (bench runs as root)
	log  *slog.Logger
}

// pgBinDir finds the directory of the PostgreSQL server binaries (initdb,
// pg_ctl, pgbench): flag, then pg_config --bindir, then the directory of
// initdb on PATH, then the newest /usr/lib/postgresql/*/bin.
func pgBinDir(flagValue string) (string, error) {
	has := func(dir string) bool {
		for _, name := range []string{"initdb", "pg_ctl", "pgbench"} {
			if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.IsDir() {
				return false
			}
		}
		return true
	}
	if flagValue != "" {
		if !has(flagValue) {
			return "", fmt.Errorf("--pg-bin %q: no initdb, pg_ctl and pgbench there", flagValue)
		}
		return flagValue, nil
	}
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	candidates = append(candidates, dirs...)
	for _, d := range candidates {
		if d != "" && has(d) {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL binaries (initdb, pg_ctl, pgbench) not found: install the PostgreSQL server or pass --pg-bin")
}

// pgMajor is the version number in a /usr/lib/postgresql/<n>/bin path.
func pgMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// choosePGServer returns the server to measure on: the given one when
// its commits are durable (mode "auto") or always (mode "no"), else a
// server of the bench's own (mode "yes", or "auto" with no URL or a
// non-durable server).
func choosePGServer(ctx context.Context, mode, givenURL, binFlag string, log *slog.Logger) (*pgServer, error) {
	why := ""
	if givenURL != "" && mode != "yes" {
		s, err := readSettings(ctx, givenURL)
		if err != nil {
			return nil, fmt.Errorf("the given server: %w", err)
		}
		switch {
		case mode == "no":
			why = "the given server (--own-server=no)"
			if !s.durable() {
				why += ": NOT DURABLE, figures do not count"
			}
			return &pgServer{URL: givenURL, Settings: s, Why: why, log: log}, nil
		case s.durable():
			return &pgServer{URL: givenURL, Settings: s, Why: "the given server (its commits are durable)", log: log}, nil
		}
		why = fmt.Sprintf("own server: the given one is not durable (fsync=%s, synchronous_commit=%s, full_page_writes=%s)",
			s.Fsync, s.SynchronousCommit, s.FullPageWrites)
	} else if mode == "no" {
		return nil, fmt.Errorf("%w: --own-server=no needs --database-url or TEST_DATABASE_URL", errUsage)
	} else if givenURL == "" {
		why = "own server: no --database-url and no TEST_DATABASE_URL"
	} else {
		why = "own server (--own-server=yes)"
	}
	bin, err := pgBinDir(binFlag)
	if err != nil {
		return nil, err
	}
	srv := &pgServer{Own: true, Why: why, bin: bin, log: log}
	if err := srv.start(ctx); err != nil {
		srv.stop()
		return nil, err
	}
	s, err := readSettings(ctx, srv.URL)
	if err != nil {
		srv.stop()
		return nil, fmt.Errorf("own server: %w", err)
	}
	if !s.durable() {
		srv.stop()
		return nil, fmt.Errorf("own server is not durable: %s", s)
	}
	srv.Settings = s
	srv.FSType = fsType(srv.dir)
	return srv, nil
}

// fsType returns the type of the file system holding path, from
// /proc/self/mounts (the longest mount point that is a prefix of path);
// "" when unknown (not Linux).
func fsType(path string) string {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return ""
	}
	return mountFSType(string(b), path)
}

// mountFSType finds path's file system type in a mounts table.
func mountFSType(mounts, path string) string {
	best, typ := -1, ""
	for _, line := range strings.Split(mounts, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		mp := strings.ReplaceAll(f[1], "\\040", " ")
		if (path == mp || strings.HasPrefix(path, strings.TrimSuffix(mp, "/")+"/")) && len(mp) > best {
			best, typ = len(mp), f[2]
		}
	}
	return typ
}

// memoryFS says whether a file system type keeps data in memory only, so
// that fsync makes nothing durable.
func memoryFS(typ string) bool { return typ == "tmpfs" || typ == "ramfs" }

// start initialises a cluster in a temporary directory and starts it on a
// free loopback port with ownServerSettings.
func (p *pgServer) start(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "loyaltyd-bench-pg-")
	if err != nil {
		return err
	}
	p.dir = dir
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the postgres user,
		// as scripts/test-services.sh does.
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("own server: running as root and no postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return err
		}
		p.asPG = true
	}
	data := filepath.Join(dir, "data")
	if out, err := p.pgCmd(ctx, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, lastLines(out, 10))
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	opts := []string{"-p", strconv.Itoa(port), "-k", dir}
	for _, s := range ownServerSettings {
		opts = append(opts, "-c", s)
	}
	logFile := filepath.Join(dir, "server.log")
	cmd := p.pgCmd(ctx, "pg_ctl", "-D", data, "-l", logFile, "-w", "-t", "60", "start", "-o", strings.Join(opts, " "))
	if out, err := cmd.CombinedOutput(); err != nil {
		serverLog, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start: %w: %s %s", err, lastLines(out, 5), lastLines(serverLog, 10))
	}
	p.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	p.log.Info("started own PostgreSQL", slog.String("bin", p.bin), slog.Int("port", port))
	return nil
}

// stop stops the own server and removes its directory; nothing for a
// given server.
func (p *pgServer) stop() {
	if p == nil || !p.Own || p.dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	data := filepath.Join(p.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		if out, err := p.pgCmd(ctx, "pg_ctl", "-D", data, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
			p.log.Warn("pg_ctl stop", slog.Any("err", err), slog.String("out", lastLines(out, 5)))
		}
	}
	if err := os.RemoveAll(p.dir); err != nil {
		p.log.Warn("remove own server directory", slog.Any("err", err))
	}
	p.dir = ""
}

// pgCmd is the PostgreSQL binary name of p.bin with args, run as the
// postgres user when the bench runs as root.
func (p *pgServer) pgCmd(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(p.bin, name)
	if p.asPG {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.CommandContext(ctx, path, args...)
}

// freePort returns a loopback TCP port nothing listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastLines returns the last n lines of b, trimmed.
func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return string(bytes.Join(lines[max(0, len(lines)-n):], []byte("\n")))
}

// createDatabase creates a database of its own on the server of baseURL
// and returns its URL (baseURL with the database replaced and no
// search_path) and a function dropping it.
func createDatabase(ctx context.Context, baseURL, prefix string) (string, func(*slog.Logger), error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", nil, errors.New("database URL: not a URL")
	}
	name := prefix + "_" + strings.ToLower(rand.Text()[:10])
	ident := pgx.Identifier{name}.Sanitize()
	if err := pgExec(ctx, baseURL, "CREATE DATABASE "+ident); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	drop := func(log *slog.Logger) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
		defer cancel()
		if err := pgExec(ctx, baseURL, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			log.Warn("drop database", slog.String("database", name), slog.Any("err", err))
		}
	}
	return u.String(), drop, nil
}

// checkpoint asks the server for a checkpoint, so that neither side of
// the comparison pays for the other's dirty pages; a user without the
// right to (not a superuser nor pg_checkpoint) goes on without.
func checkpoint(ctx context.Context, dbURL string) error {
	err := pgExec(ctx, dbURL, "CHECKPOINT")
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "42501" {
		return nil
	}
	return err
}
