package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgbenchEnv is the libpq environment that points pgbench at the database
// of dbURL (pgbench takes no URL with the query parameters pgx accepts).
func pgbenchEnv(dbURL string) ([]string, string, error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, "", fmt.Errorf("database URL: %w", err)
	}
	env := make([]string, 0, len(os.Environ())+5)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	env = append(env, "PGHOST="+cfg.Host, "PGPORT="+strconv.Itoa(int(cfg.Port)), "PGUSER="+cfg.User)
	if cfg.Password != "" {
		env = append(env, "PGPASSWORD="+cfg.Password)
	}
	if cfg.TLSConfig == nil {
		env = append(env, "PGSSLMODE=disable")
	}
	return env, cfg.Database, nil
}

// pgbenchConfig is one pgbench measurement.
type pgbenchConfig struct {
	Bin      string // directory of pgbench
	DBURL    string // a database of its own
	Scale    int
	Clients  int
	Threads  int
	Warmup   time.Duration
	Duration time.Duration
	LogDir   string // where the per-transaction logs go
	// ServerCPU reads the server's CPU time so far (nil: unknown).
	ServerCPU func() (time.Duration, bool)
}

// pgbenchResult is what pgbench measured.
type pgbenchResult struct {
	Result    *result // transactions that started and ended in the measured window
	Reported  float64 // the tps pgbench printed for its whole run
	InitTook  time.Duration
	Command   string
	Aborted   int    // failed transactions pgbench logged
	RunOutput string // pgbench's summary
	CPU       txCPU  // over the whole run
}

// runPgbench initialises the TPC-B-like tables at cfg.Scale in cfg.DBURL
// and runs the built-in tpcb-like script with prepared statements for
// warm-up plus duration, logging every transaction; the window after the
// warm-up is measured from the logs like the engine side.
func runPgbench(ctx context.Context, cfg pgbenchConfig) (*pgbenchResult, error) {
	env, dbname, err := pgbenchEnv(cfg.DBURL)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(cfg.Bin, "pgbench")
	t := time.Now()
	initCmd := exec.CommandContext(ctx, path, "-i", "-q", "-s", strconv.Itoa(cfg.Scale), dbname)
	initCmd.Env = env
	if out, err := initCmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgbench -i: %w: %s", err, lastLines(out, 10))
	}
	res := &pgbenchResult{InitTook: time.Since(t)}
	if err := checkpoint(ctx, cfg.DBURL); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	secs := int(math.Ceil((cfg.Warmup + cfg.Duration).Seconds())) + 1 // + 1: the window starts with the first transaction, after connecting
	prefix := filepath.Join(cfg.LogDir, "pgbench_log")
	args := []string{"-b", "tpcb-like", "-c", strconv.Itoa(cfg.Clients), "-j", strconv.Itoa(cfg.Threads),
		"-T", strconv.Itoa(secs), "-M", "prepared", "-l", "--log-prefix", prefix}
	res.Command = "pgbench " + strings.Join(args[:len(args)-2], " ")
	cmd := exec.CommandContext(ctx, path, append(args, dbname)...)
	cmd.Env = env
	cpuBefore, serverOK := readCPU(cfg.ServerCPU)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pgbench: %w: %s", err, lastLines(out, 10))
	}
	time.Sleep(200 * time.Millisecond) // the backends exit and are reaped: their CPU moves to the postmaster's children
	cpuAfter, serverOK2 := readCPU(cfg.ServerCPU)
	res.CPU = txCPU{Server: cpuAfter - cpuBefore, ServerOK: serverOK && serverOK2}
	if st := cmd.ProcessState; st != nil {
		res.CPU.Client, res.CPU.ClientOK = st.UserTime()+st.SystemTime(), true
	}
	res.RunOutput = string(out)
	res.Reported = parsePgbenchTPS(out)
	logs, err := filepath.Glob(prefix + ".*")
	if err != nil || len(logs) == 0 {
		return nil, fmt.Errorf("pgbench wrote no transaction log under %s", cfg.LogDir)
	}
	var txs []pgbenchTx
	for _, name := range logs {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		got, err := parsePgbenchLog(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		txs = append(txs, got...)
	}
	res.Result, res.Aborted = pgbenchWindow(txs, cfg.Warmup, cfg.Duration)
	res.CPU.Tx = len(txs) - res.Aborted
	return res, nil
}

// readCPU calls f, if any.
func readCPU(f func() (time.Duration, bool)) (time.Duration, bool) {
	if f == nil {
		return 0, false
	}
	return f()
}

// tpsLine finds pgbench's "tps = 1234.567890 (without initial connection time)".
var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)

// parsePgbenchTPS returns the tps pgbench reported, 0 when absent.
func parsePgbenchTPS(out []byte) float64 {
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// pgbenchTx is one line of a pgbench per-transaction log.
type pgbenchTx struct {
	End     time.Time     // when it completed
	Latency time.Duration // its elapsed time
	Failed  bool          // logged as "failed" or "skipped"
}

// parsePgbenchLog reads a per-transaction log (pgbench -l): lines of
// "client_id transaction_no time script_no time_epoch time_us
// [schedule_lag] [retries]", time in microseconds or "failed"/"skipped".
func parsePgbenchLog(r io.Reader) ([]pgbenchTx, error) {
	var out []pgbenchTx
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 6 {
			return nil, fmt.Errorf("line %d: %d fields, want at least 6", line, len(f))
		}
		sec, err1 := strconv.ParseInt(f[4], 10, 64)
		usec, err2 := strconv.ParseInt(f[5], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: bad time stamp %q %q", line, f[4], f[5])
		}
		tx := pgbenchTx{End: time.Unix(sec, usec*1000)}
		switch f[2] {
		case "failed", "skipped":
			tx.Failed = true
		default:
			us, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil || us < 0 {
				return nil, fmt.Errorf("line %d: bad latency %q", line, f[2])
			}
			tx.Latency = time.Duration(us) * time.Microsecond
		}
		out = append(out, tx)
	}
	return out, sc.Err()
}

// pgbenchWindow turns logged transactions into a result over the window
// that begins warmup after the first transaction started and lasts
// duration: like the engine side, a transaction counts when it started
// inside the window and ended by its end. It also returns the number of
// failed transactions of the whole run.
func pgbenchWindow(txs []pgbenchTx, warmup, duration time.Duration) (*result, int) {
	res := &result{Scenario: "pgbench", Elapsed: duration}
	if len(txs) == 0 {
		return res, 0
	}
	start := txs[0].End.Add(-txs[0].Latency)
	for _, tx := range txs[1:] {
		if s := tx.End.Add(-tx.Latency); s.Before(start) {
			start = s
		}
	}
	from := start.Add(warmup)
	to := from.Add(duration)
	failed := 0
	for _, tx := range txs {
		if tx.Failed {
			failed++
			continue
		}
		if s := tx.End.Add(-tx.Latency); !s.Before(from) && !tx.End.After(to) {
			res.Latencies = append(res.Latencies, tx.Latency)
		}
	}
	res.Errors = failed
	slices.Sort(res.Latencies)
	return res, failed
}
