package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// percentile returns the p-th percentile (0 < p <= 100) of the ascending
// latencies by the nearest-rank method: the smallest value with at least
// p percent of the values at or below it. Zero when there are none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 || p <= 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return sorted[min(max(rank, 1), n)-1]
}

// ratio returns a/b, or 0 when b is not positive.
func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// summary is the figures of one result.
type summary struct {
	Requests int
	RPS      float64
	P50, P99 time.Duration
	Errors   int
}

// summarize computes r's figures: requests/s over the measured window and
// the latency percentiles.
func summarize(r *result) summary {
	s := summary{Requests: len(r.Latencies), Errors: r.Errors}
	if r.Elapsed > 0 {
		s.RPS = float64(s.Requests) / r.Elapsed.Seconds()
	}
	s.P50 = percentile(r.Latencies, 50)
	s.P99 = percentile(r.Latencies, 99)
	return s
}

// aims are the targets the verdict reports against.
type aims struct {
	MinRatio float64       // requests/s at least this fraction of the ceiling's
	MaxP99   time.Duration // p99 latency below this
}

// verdict says whether s, at ratio r of its ceiling, meets the aims.
func (a aims) verdict(s summary, r float64) (bool, string) {
	okRatio, okP99 := r >= a.MinRatio, s.P99 < a.MaxP99
	text := fmt.Sprintf("ratio %.2f %s %.2f, p99 %s %s %s", r, cmp(okRatio, ">=", "<"), a.MinRatio,
		ms(s.P99), cmp(okP99, "<", ">="), ms(a.MaxP99))
	switch {
	case s.Errors > 0:
		return false, text + fmt.Sprintf(": FAILED, %d request errors", s.Errors)
	case okRatio && okP99:
		return true, text + ": meets the aims"
	default:
		return false, text + ": misses the aims"
	}
}

func cmp(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

// ms formats d in milliseconds with two decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// cpuPerRequest formats used/n in microseconds, "-" when unknown.
func cpuPerRequest(u cpuUse, used time.Duration, n int) string {
	if !u.OK || n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f µs", float64(used)/float64(n)/float64(time.Microsecond))
}

// ceilingFor returns the ceiling result of proto, or nil.
func ceilingFor(results []*result, proto string) *result {
	for _, r := range results {
		if r.Ceiling && r.Proto == proto {
			return r
		}
	}
	return nil
}

// printReport writes the header, the table and the verdict lines; it
// returns the total number of request errors.
func printReport(w io.Writer, cfg *runConfig, results []*result, notes []string, elapsed time.Duration) int {
	fmt.Fprintf(w, "\nloyaltyd-bench: loyalty.card search_read by partner (%d fields, limit %d), %d partners x %d cards\n",
		len(cardFields), searchLimit, cfg.Partners, cfg.Cards)
	fmt.Fprintf(w, "  %s %s/%s, GOMAXPROCS %d, %d CPUs; %d keep-alive clients; warm-up %s, then %s per scenario\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(),
		cfg.Clients, cfg.Warmup, cfg.Duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tprotocol\tresp bytes\trequests\treq/s\tp50\tp99\terrors\tvs ceiling\tserver CPU/req\tbench CPU/req")
	errors := 0
	var verdicts []string
	for _, r := range results {
		s := summarize(r)
		errors += s.Errors
		rel := "(ceiling)"
		if !r.Ceiling {
			var c float64
			if cr := ceilingFor(results, r.Proto); cr != nil {
				c = summarize(cr).RPS
			}
			rv := ratio(s.RPS, c)
			rel = fmt.Sprintf("%.2f", rv)
			_, text := cfg.Aims.verdict(s, rv)
			verdicts = append(verdicts, fmt.Sprintf("  %-10s %-9s %s", r.Scenario, r.Proto, text))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%s\t%s\t%d\t%s\t%s\t%s\n", r.Scenario, r.Proto, r.BodyBytes,
			s.Requests, s.RPS, ms(s.P50), ms(s.P99), s.Errors, rel,
			cpuPerRequest(r.CPU, r.CPU.Server, s.Requests), cpuPerRequest(r.CPU, r.CPU.Self, s.Requests))
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "  (CPU/req: user+system CPU time of the server process, PostgreSQL's own processes not counted,")
	fmt.Fprintln(w, "   and of this load generator, over the measured window, per measured request)")
	fmt.Fprintf(w, "\nverdict (aims: ratio >= %.2f, p99 < %s; reported, not enforced):\n", cfg.Aims.MinRatio, ms(cfg.Aims.MaxP99))
	fmt.Fprintln(w, strings.Join(verdicts, "\n"))
	for _, r := range results {
		for _, s := range r.Samples {
			fmt.Fprintf(w, "  error %s %s: %s\n", r.Scenario, r.Proto, s)
		}
	}
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "request errors: %d; total run time %s\n", errors, elapsed.Round(100*time.Millisecond))
	return errors
}
