package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// txCPU is the CPU time one side of the engine benchmark used per
// committed transaction, over its whole load (warm-up included): the
// PostgreSQL server's processes (the bench's own server only) and the
// client (this process for the engine, the pgbench process for pgbench).
type txCPU struct {
	Server, Client time.Duration // in all
	Tx             int           // transactions committed meanwhile
	ServerOK       bool          // the server's CPU is known
	ClientOK       bool
}

// String formats the CPU per transaction, "-" for what is unknown.
func (c txCPU) String() string {
	per := func(ok bool, d time.Duration) string {
		if !ok || c.Tx == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f µs", float64(d)/float64(c.Tx)/float64(time.Microsecond))
	}
	return "server " + per(c.ServerOK, c.Server) + " + client " + per(c.ClientOK, c.Client)
}

// procTimes reads a /proc/<pid>/stat line: the parent pid, the process's
// own user+system CPU time and that of its waited-for children.
func procTimes(b []byte) (ppid int, self, children time.Duration, err error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, 0, errors.New("proc stat: no command name")
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 15 {
		return 0, 0, 0, errors.New("proc stat: too few fields")
	}
	// f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17.
	var n [5]int64
	for k, idx := range []int{1, 11, 12, 13, 14} {
		if n[k], err = strconv.ParseInt(string(f[idx]), 10, 64); err != nil {
			return 0, 0, 0, fmt.Errorf("proc stat: %w", err)
		}
	}
	tick := func(t int64) time.Duration { return time.Duration(t) * time.Second / userHZ }
	return int(n[0]), tick(n[1] + n[2]), tick(n[3] + n[4]), nil
}

// serverCPU returns the CPU time the own server has used so far: the
// postmaster's, its exited backends' (counted in its children's time once
// reaped) and its live processes'. False for a server the bench did not
// start, or without /proc.
func (p *pgServer) serverCPU() (time.Duration, bool) {
	if p == nil || !p.Own || p.dir == "" {
		return 0, false
	}
	pidFile, err := os.ReadFile(filepath.Join(p.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	if err != nil {
		return 0, false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pm) + "/stat")
	if err != nil {
		return 0, false
	}
	_, self, children, err := procTimes(b)
	if err != nil {
		return 0, false
	}
	total := self + children
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, name := range stats {
		b, err := os.ReadFile(name)
		if err != nil {
			continue // exited meanwhile
		}
		if ppid, self, _, err := procTimes(b); err == nil && ppid == pm {
			total += self
		}
	}
	return total, true
}

// selfCPU returns the CPU time this process has used so far.
func selfCPU() (time.Duration, bool) {
	d, err := procCPU(os.Getpid())
	return d, err == nil
}
