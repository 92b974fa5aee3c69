package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// scenario is one measured load: the recorded exchanges sent round-robin
// to one server.
type scenario struct {
	Name      string // e.g. "sqlite"
	Proto     protocol
	BaseURL   string
	Exchanges []exchange // requests and the bytes expected back
	Ceiling   bool       // the bare net/http ceiling rather than loyaltyd
	PID       int        // the server process, for its CPU time
}

// loadConfig shapes the load of every scenario.
type loadConfig struct {
	Clients  int
	Warmup   time.Duration
	Duration time.Duration
}

// result is what one scenario measured.
type result struct {
	Scenario  string
	Proto     string
	Ceiling   bool
	Elapsed   time.Duration   // the measured window
	Latencies []time.Duration // of every successful measured request, sorted
	Errors    int             // failed requests, warm-up included
	Samples   []string        // the first few error messages
	CPU       cpuUse          // CPU time used in the window
	BodyBytes int             // mean response body size
}

// maxErrorSamples bounds the error messages a result keeps.
const maxErrorSamples = 5

// worker is one client's share of a scenario.
type worker struct {
	latencies []time.Duration
	errors    int
	samples   []string
}

// runLoad drives sc with cfg.Clients concurrent clients sharing client's
// keep-alive connections: a warm-up, then cfg.Duration recorded. A
// request counts when it started inside the window and completed by its
// end. Every response must be HTTP 200 with exactly the recorded body.
func runLoad(ctx context.Context, client *http.Client, sc scenario, cfg loadConfig) (*result, error) {
	if len(sc.Exchanges) == 0 {
		return nil, fmt.Errorf("scenario %s %s: no requests", sc.Name, sc.Proto.Name)
	}
	if err := requireLoopback(sc.BaseURL); err != nil {
		return nil, err
	}
	url := sc.BaseURL + sc.Proto.Path
	start := time.Now()
	from := start.Add(cfg.Warmup)
	to := from.Add(cfg.Duration)
	workers := make([]worker, cfg.Clients)
	var wg sync.WaitGroup
	var cpu cpuUse
	wg.Go(func() { cpu = meterWindow(ctx, sc.PID, from, to) })
	for i := range workers {
		w := &workers[i]
		first := i * len(sc.Exchanges) / cfg.Clients
		wg.Go(func() { w.run(ctx, client, url, sc, first, from, to) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &result{Scenario: sc.Name, Proto: sc.Proto.Name, Ceiling: sc.Ceiling, Elapsed: cfg.Duration, CPU: cpu}
	for _, ex := range sc.Exchanges {
		res.BodyBytes += len(ex.Body)
	}
	res.BodyBytes /= len(sc.Exchanges)
	for _, w := range workers {
		res.Latencies = append(res.Latencies, w.latencies...)
		res.Errors += w.errors
		for _, s := range w.samples {
			if len(res.Samples) < maxErrorSamples {
				res.Samples = append(res.Samples, s)
			}
		}
	}
	slices.Sort(res.Latencies)
	return res, nil
}

// run sends requests one after another, from exchange first on, until to.
func (w *worker) run(ctx context.Context, client *http.Client, url string, sc scenario, first int, from, to time.Time) {
	hdr := sc.Proto.Header.Clone()
	var buf bytes.Buffer
	w.latencies = make([]time.Duration, 0, 1<<14)
	for i := first; ctx.Err() == nil; i++ {
		ex := &sc.Exchanges[i%len(sc.Exchanges)]
		began := time.Now()
		if !began.Before(to) {
			return
		}
		err := send(ctx, client, url, hdr, ex, &buf)
		done := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.errors++
			if len(w.samples) < maxErrorSamples {
				w.samples = append(w.samples, err.Error())
			}
			continue
		}
		if !began.Before(from) && !done.After(to) {
			w.latencies = append(w.latencies, done.Sub(began))
		}
	}
}

// send sends ex's request, reads the whole response into buf and checks it.
func send(ctx context.Context, client *http.Client, url string, hdr http.Header, ex *exchange, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(ex.Request))
	if err != nil {
		return err
	}
	req.Header = hdr
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode != ex.Status {
		return fmt.Errorf("HTTP %s: %.200s", resp.Status, buf.Bytes())
	}
	if !bytes.Equal(buf.Bytes(), ex.Body) {
		return fmt.Errorf("response differs from the recorded one (%d bytes, want %d): %.200s", buf.Len(), len(ex.Body), buf.Bytes())
	}
	return nil
}

// newLoadClient is the one HTTP client of a run: a keep-alive transport
// with an idle connection for every client, dialing loopback only, no
// transparent compression (the XML-RPC requests ask for gzip themselves,
// as Python does).
func newLoadClient(clients int) *http.Client {
	tr := &http.Transport{
		DialContext:         loopbackDialer().DialContext,
		MaxIdleConns:        2 * clients,
		MaxIdleConnsPerHost: max(clients, 16),
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}
