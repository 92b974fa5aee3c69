package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: Linux reports
// them in USER_HZ ticks, 100 per second on every architecture Go runs on.
const userHZ = 100

// procCPU returns the user plus system CPU time process pid has used so
// far, read from /proc (Linux only; an error elsewhere).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseProcStat(b)
}

// parseProcStat reads utime and stime (fields 14 and 15) of a
// /proc/<pid>/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from its closing parenthesis.
func parseProcStat(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("proc stat: no command name")
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, errors.New("proc stat: too few fields")
	}
	var ticks int64
	for _, s := range f[11:13] { // fields 14 and 15; f[0] is field 3
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// cpuUse is the CPU time the server and this process (the load
// generator) used during a scenario's measured window.
type cpuUse struct {
	Server time.Duration
	Self   time.Duration
	OK     bool // false when /proc was not readable: the times are unknown
}

// meterWindow samples the CPU times of process server and of this process
// at from and at to, and returns the differences; it returns once to has
// passed, or when ctx ends (with OK false).
func meterWindow(ctx context.Context, server int, from, to time.Time) cpuUse {
	pids := [2]int{server, os.Getpid()}
	ok := server > 0
	sample := func() (out [2]time.Duration) {
		for i, pid := range pids {
			d, err := procCPU(pid)
			if err != nil {
				ok = false
			}
			out[i] = d
		}
		return out
	}
	if !sleepUntil(ctx, from) {
		return cpuUse{}
	}
	before := sample()
	if !sleepUntil(ctx, to) {
		return cpuUse{}
	}
	after := sample()
	return cpuUse{Server: after[0] - before[0], Self: after[1] - before[1], OK: ok}
}

// sleepUntil waits until t; false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
