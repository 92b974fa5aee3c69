package main

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParsePgbenchLog(t *testing.T) {
	for _, tc := range []struct {
		name    string
		log     string
		want    []pgbenchTx
		wantErr string
	}{
		{"empty", "", nil, ""},
		{"plain lines", "0 1 1500 0 1700000000 250000\n3 7 820 0 1700000001 5\n",
			[]pgbenchTx{
				{End: time.Unix(1700000000, 250000000), Latency: 1500 * time.Microsecond},
				{End: time.Unix(1700000001, 5000), Latency: 820 * time.Microsecond},
			}, ""},
		{"schedule lag and retries are ignored", "1 2 300 0 1700000000 0 12 0\n",
			[]pgbenchTx{{End: time.Unix(1700000000, 0), Latency: 300 * time.Microsecond}}, ""},
		{"failed and skipped", "1 2 failed 0 1700000000 0\n1 3 skipped 0 1700000000 10\n",
			[]pgbenchTx{{End: time.Unix(1700000000, 0), Failed: true}, {End: time.Unix(1700000000, 10000), Failed: true}}, ""},
		{"blank lines are skipped", "\n0 1 10 0 1700000000 0\n\n",
			[]pgbenchTx{{End: time.Unix(1700000000, 0), Latency: 10 * time.Microsecond}}, ""},
		{"too few fields", "0 1 10 0 1700000000\n", nil, "line 1: 5 fields"},
		{"bad latency", "0 1 1.5 0 1700000000 0\n", nil, `line 1: bad latency "1.5"`},
		{"negative latency", "0 1 -3 0 1700000000 0\n", nil, `bad latency "-3"`},
		{"bad time stamp", "0 1 10 0 x 0\n", nil, "line 1: bad time stamp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePgbenchLog(strings.NewReader(tc.log))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, len(tc.want), len(got))
			for i := range got {
				require.True(t, tc.want[i].End.Equal(got[i].End), "end %d: %v, want %v", i, got[i].End, tc.want[i].End)
				require.Equal(t, tc.want[i].Latency, got[i].Latency)
				require.Equal(t, tc.want[i].Failed, got[i].Failed)
			}
		})
	}
}

func TestPgbenchWindow(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	tx := func(startMS, latMS int) pgbenchTx {
		lat := time.Duration(latMS) * time.Millisecond
		return pgbenchTx{End: t0.Add(time.Duration(startMS)*time.Millisecond + lat), Latency: lat}
	}
	txs := []pgbenchTx{
		tx(0, 5),    // warm-up: starts the run
		tx(999, 2),  // starts before the window
		tx(1000, 3), // first of the window
		tx(1500, 7), // inside
		tx(2998, 2), // ends exactly at the end: counts
		tx(2999, 5), // ends after the window
		tx(3000, 1), // starts at the end
		{End: t0.Add(1600 * time.Millisecond), Failed: true},
	}
	res, failed := pgbenchWindow(txs, time.Second, 2*time.Second)
	require.Equal(t, 1, failed)
	require.Equal(t, 1, res.Errors)
	require.Equal(t, 2*time.Second, res.Elapsed)
	require.Equal(t, []time.Duration{2 * time.Millisecond, 3 * time.Millisecond, 7 * time.Millisecond}, res.Latencies)
	require.True(t, slices.IsSorted(res.Latencies))

	// The run starts with the earliest start, whichever line holds it.
	res, _ = pgbenchWindow([]pgbenchTx{tx(1000, 1), tx(0, 50)}, time.Second, time.Second)
	require.Equal(t, []time.Duration{time.Millisecond}, res.Latencies)

	res, failed = pgbenchWindow(nil, time.Second, time.Second)
	require.Zero(t, failed)
	require.Empty(t, res.Latencies)
}

func TestParsePgbenchTPS(t *testing.T) {
	out := []byte(`transaction type: <builtin: TPC-B (sort of)>
number of transactions actually processed: 16000
latency average = 9.1 ms
initial connection time = 20.117 ms
tps = 1752.386421 (without initial connection time)
`)
	require.InDelta(t, 1752.386421, parsePgbenchTPS(out), 1e-9)
	require.Zero(t, parsePgbenchTPS([]byte("no summary")))
}

func TestPgSettingsDurable(t *testing.T) {
	durable := pgSettings{Fsync: "on", SynchronousCommit: "on", FullPageWrites: "on"}
	for _, tc := range []struct {
		name string
		s    func(s pgSettings) pgSettings
		want bool
	}{
		{"defaults", func(s pgSettings) pgSettings { return s }, true},
		{"synchronous_commit local", func(s pgSettings) pgSettings { s.SynchronousCommit = "local"; return s }, true},
		{"synchronous_commit remote_apply", func(s pgSettings) pgSettings { s.SynchronousCommit = "remote_apply"; return s }, true},
		{"fsync off", func(s pgSettings) pgSettings { s.Fsync = "off"; return s }, false},
		{"synchronous_commit off", func(s pgSettings) pgSettings { s.SynchronousCommit = "off"; return s }, false},
		{"full_page_writes off", func(s pgSettings) pgSettings { s.FullPageWrites = "off"; return s }, false},
		{"unknown", func(pgSettings) pgSettings { return pgSettings{} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.s(durable).durable())
		})
	}
}

func TestPgbenchEnv(t *testing.T) {
	env, db, err := pgbenchEnv("postgres://bench:s3cret@127.0.0.1:5499/loyaltyd_bench_pgbench_x?sslmode=disable&search_path=other")
	require.NoError(t, err)
	require.Equal(t, "loyaltyd_bench_pgbench_x", db)
	for _, kv := range []string{"PGHOST=127.0.0.1", "PGPORT=5499", "PGUSER=bench", "PGPASSWORD=s3cret", "PGSSLMODE=disable"} {
		require.Contains(t, env, kv)
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "PG") {
			require.Contains(t, []string{"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSSLMODE"}, strings.SplitN(kv, "=", 2)[0])
		}
	}
	_, _, err = pgbenchEnv("postgres://[bad")
	require.Error(t, err)
}

func TestParseEngineConfig(t *testing.T) {
	t.Setenv("TEST_DATABASE_URL", "postgres://x@127.0.0.1/db")
	cfg, err := parseEngineConfig(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "postgres://x@127.0.0.1/db", cfg.DatabaseURL)
	require.Equal(t, "auto", cfg.OwnServer)
	require.Equal(t, 16, cfg.Clients)
	require.Equal(t, 10*time.Second, cfg.Duration)
	require.Equal(t, 1_000_000, cfg.Lots)
	require.Equal(t, 0.5, cfg.Aims.MinRatio)
	require.Equal(t, 10*time.Millisecond, cfg.Aims.MaxP99)
	require.Equal(t, 10*time.Second, cfg.Aims.MaxExpire)

	cfg, err = parseEngineConfig([]string{"--lots", "0", "--lot-cards", "0", "--duration", "1m"}, io.Discard)
	require.NoError(t, err, "no expiry run: --lot-cards does not matter")
	require.Zero(t, cfg.Lots)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--own-server", "maybe"}, "--own-server"},
		{[]string{"--clients", "0"}, "--clients 0"},
		{[]string{"--threads", "17"}, "--threads 17"},
		{[]string{"--duration", "0s"}, "--duration"},
		{[]string{"--scale", "0"}, "--scale 0"},
		{[]string{"--cards", "0"}, "--cards 0"},
		{[]string{"--lots", "10", "--lot-cards", "11"}, "--lot-cards 11"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := parseEngineConfig(tc.args, io.Discard)
			require.True(t, errors.Is(err, errUsage), "%v", err)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestLastLines(t *testing.T) {
	require.Equal(t, "b\nc", lastLines([]byte("a\nb\nc\n"), 2))
	require.Equal(t, "a", lastLines([]byte("a"), 5))
	require.Equal(t, "", lastLines(nil, 3))
}

func TestMountFSType(t *testing.T) {
	mounts := `/dev/vda / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw,nosuid 0 0
/dev/vdb /tmp/disk\040dir xfs rw 0 0
proc /proc proc rw 0 0
`
	for _, tc := range []struct{ path, want string }{
		{"/", "ext4"},
		{"/var/lib/x", "ext4"},
		{"/tmp", "tmpfs"},
		{"/tmp/loyaltyd-bench-pg-1", "tmpfs"},
		{"/tmpx/y", "ext4"},
		{"/tmp/disk dir/pg", "xfs"},
	} {
		require.Equal(t, tc.want, mountFSType(mounts, tc.path), tc.path)
	}
	require.Equal(t, "", mountFSType("", "/x"))
	require.True(t, memoryFS("tmpfs"))
	require.False(t, memoryFS("ext4"))
}

func TestPrintEngineReport(t *testing.T) {
	lat := func(n int, d time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}
	cfg := &engineConfig{Clients: 16, Duration: time.Second, Scale: 16, Cards: 10, Lots: 100, LotCards: 10,
		Aims: engineAims{MinRatio: 0.5, MaxP99: 10 * time.Millisecond, MaxExpire: 10 * time.Second}}
	base := func() *engineReport {
		return &engineReport{
			Server:  &pgServer{Own: true, FSType: "tmpfs", Why: "own server", Settings: pgSettings{Version: "15", Fsync: "on"}},
			Pgbench: &pgbenchResult{Result: &result{Elapsed: time.Second, Latencies: lat(100, 2*time.Millisecond)}, Command: "pgbench -b tpcb-like"},
			Orders:  &ordersResult{Result: &result{Elapsed: time.Second, Latencies: lat(60, 3*time.Millisecond)}, Booked: 70, Checks: []string{"I1: ok"}},
			Expire:  &expireResult{Loaded: 100, Cards: 10, Took: 2 * time.Second, Checks: []string{"no active lot past expiry: ok"}},
		}
	}
	for _, tc := range []struct {
		name    string
		edit    func(r *engineReport)
		want    []string
		wantErr string
	}{
		{"meets the aims", func(*engineReport) {}, []string{
			"ratio 0.60 >= 0.50, p99 3.00 ms < 10.00 ms: meets the aims", "expire  2.00 s < 10.00 s: meets the aim",
			"orders: 70 committed", "check: I1: ok", "check: no active lot past expiry: ok",
			"note: the own server's data directory is on tmpfs",
		}, ""},
		{"misses the aims", func(r *engineReport) {
			r.Orders.Result.Latencies = append(lat(20, 3*time.Millisecond), 50*time.Millisecond)
			r.Expire.Took = 11 * time.Second
		}, []string{"ratio 0.21 < 0.50, p99 50.00 ms >= 10.00 ms: misses the aims", "expire  11.00 s >= 10.00 s: misses the aim"}, ""},
		{"failed orders and checks fail the run", func(r *engineReport) {
			r.Orders.Result.Errors, r.Orders.Result.Samples = 2, []string{"card 3: boom"}
			r.Expire.Failures = []string{"expire: I1: 3 rows break it"}
			r.Expire.Notes = []string{"ExpireStats.Cards is 11"}
		}, []string{"error engine: card 3: boom", "FAILED: expire: I1: 3 rows break it", "note: ExpireStats.Cards is 11"}, "2 orders failed; expire: I1: 3 rows break it"},
		{"a side that could not run", func(r *engineReport) {
			r.Orders, r.Expire = nil, nil
			r.Errors = []string{"orders: engine: not implemented yet"}
		}, []string{"orders  NOT MEASURED", "expire  NOT MEASURED", "error: orders: engine: not implemented yet"},
			"orders: engine: not implemented yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := base()
			tc.edit(rep)
			var b strings.Builder
			err := printEngineReport(&b, cfg, rep, time.Second)
			for _, w := range tc.want {
				require.Contains(t, b.String(), w)
			}
			if tc.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tc.wantErr)
			}
		})
	}
}

func TestProcTimes(t *testing.T) {
	// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
	line := []byte("4242 (postgres: a (b)) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 1000 200 20 0 1 0")
	ppid, self, children, err := procTimes(line)
	require.NoError(t, err)
	require.Equal(t, 17, ppid)
	require.Equal(t, 3*time.Second, self)
	require.Equal(t, 12*time.Second, children)
	_, _, _, err = procTimes([]byte("4242 (x) S 17 1 2"))
	require.Error(t, err)
	_, _, _, err = procTimes([]byte("no name"))
	require.Error(t, err)

	c := txCPU{Server: 3 * time.Millisecond, Client: time.Millisecond, Tx: 10, ServerOK: true, ClientOK: true}
	require.Equal(t, "server 300 µs + client 100 µs", c.String())
	c.ServerOK = false
	require.Equal(t, "server - + client 100 µs", c.String())
	require.Equal(t, "server - + client -", txCPU{}.String())
}
