package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"p0 is nothing", ms(1, 2), 0, 0},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"median of five is the third", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"p99 of ten is the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p100 is the largest", ms(1, 2, 3), 100, 3 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p99.9 of 1..100", hundred, 99.9, 100 * time.Millisecond},
		{"above 100 clamps", hundred, 150, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, percentile(tc.sorted, tc.p))
		})
	}
}

func TestRatio(t *testing.T) {
	require.InDelta(t, 0.25, ratio(250, 1000), 1e-12)
	require.InDelta(t, 1.5, ratio(3, 2), 1e-12)
	require.Zero(t, ratio(10, 0), "no ceiling measured")
	require.Zero(t, ratio(10, -1))
}

func TestSummarize(t *testing.T) {
	lat := make([]time.Duration, 1000)
	for i := range lat {
		lat[i] = time.Duration(i+1) * time.Microsecond
	}
	s := summarize(&result{Elapsed: 2 * time.Second, Latencies: lat, Errors: 3})
	require.Equal(t, 1000, s.Requests)
	require.InDelta(t, 500, s.RPS, 1e-9)
	require.Equal(t, 500*time.Microsecond, s.P50)
	require.Equal(t, 990*time.Microsecond, s.P99)
	require.Equal(t, 3, s.Errors)
	require.Zero(t, summarize(&result{}).RPS, "no window, no rate")
}

func TestVerdict(t *testing.T) {
	a := aims{MinRatio: 0.3, MaxP99: 5 * time.Millisecond}
	for _, tc := range []struct {
		name  string
		s     summary
		ratio float64
		met   bool
		text  string
	}{
		{"meets", summary{P99: 2 * time.Millisecond}, 0.45, true,
			"ratio 0.45 >= 0.30, p99 2.00 ms < 5.00 ms: meets the aims"},
		{"ratio at the aim meets", summary{P99: time.Millisecond}, 0.3, true,
			"ratio 0.30 >= 0.30, p99 1.00 ms < 5.00 ms: meets the aims"},
		{"slow", summary{P99: 5 * time.Millisecond}, 0.5, false,
			"ratio 0.50 >= 0.30, p99 5.00 ms >= 5.00 ms: misses the aims"},
		{"low ratio", summary{P99: time.Millisecond}, 0.1, false,
			"ratio 0.10 < 0.30, p99 1.00 ms < 5.00 ms: misses the aims"},
		{"errors fail", summary{P99: time.Millisecond, Errors: 2}, 0.9, false,
			"ratio 0.90 >= 0.30, p99 1.00 ms < 5.00 ms: FAILED, 2 request errors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			met, text := a.verdict(tc.s, tc.ratio)
			require.Equal(t, tc.met, met)
			require.Equal(t, tc.text, text)
		})
	}
}

func TestCPUPerRequest(t *testing.T) {
	u := cpuUse{Server: 3 * time.Second, Self: time.Second, OK: true}
	require.Equal(t, "300 µs", cpuPerRequest(u, u.Server, 10000))
	require.Equal(t, "-", cpuPerRequest(u, u.Server, 0))
	require.Equal(t, "-", cpuPerRequest(cpuUse{}, 0, 10))
}

func TestParseProcStat(t *testing.T) {
	// Fields 14 and 15 are 250 and 50 ticks: 3 s; the command name holds
	// a space and a parenthesis.
	line := []byte("4242 (loyal) d) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 8 0 100 1000 10\n")
	d, err := parseProcStat(line)
	require.NoError(t, err)
	require.Equal(t, 3*time.Second, d)
	_, err = parseProcStat([]byte("4242 (x) S 1 2"))
	require.Error(t, err)
	_, err = parseProcStat([]byte("no name"))
	require.Error(t, err)
}
