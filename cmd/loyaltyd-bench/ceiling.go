package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

// exchange is one request the bench sends and the response the real
// server gave to it: the load generator expects exactly these bytes back,
// and the ceiling answers them.
type exchange struct {
	Path    string      `json:"path"`
	Request []byte      `json:"request"`
	Status  int         `json:"status"`
	Header  http.Header `json:"header"` // every response header but Date
	Body    []byte      `json:"body"`
}

// writeExchanges saves exchanges for the ceiling process.
func writeExchanges(path string, exs []exchange) error {
	b, err := json.Marshal(exs)
	if err != nil {
		return fmt.Errorf("encode exchanges: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write exchanges: %w", err)
	}
	return nil
}

// readExchanges loads what writeExchanges saved.
func readExchanges(path string) ([]exchange, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read exchanges: %w", err)
	}
	var exs []exchange
	if err := json.Unmarshal(b, &exs); err != nil {
		return nil, fmt.Errorf("decode exchanges %s: %w", path, err)
	}
	return exs, nil
}

// ceilingHandler answers each known request body on its path with the
// response loyaltyd gave to it, headers included; it does nothing else, so
// its throughput is what HTTP, the loopback and the load generator allow.
type ceilingHandler struct {
	byPath map[string]map[string]*exchange // path -> request body -> exchange
}

func newCeilingHandler(exs []exchange) *ceilingHandler {
	h := &ceilingHandler{byPath: map[string]map[string]*exchange{}}
	for i := range exs {
		ex := &exs[i]
		if h.byPath[ex.Path] == nil {
			h.byPath[ex.Path] = map[string]*exchange{}
		}
		h.byPath[ex.Path][string(ex.Request)] = ex
	}
	return h
}

// ServeHTTP reads the body as the real server does, then writes the
// recorded headers and bytes.
func (h *ceilingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "400 Bad Request", http.StatusBadRequest)
		return
	}
	ex := h.byPath[r.URL.Path][string(body)]
	if ex == nil {
		http.Error(w, "404 Not Found: no recorded response for this request", http.StatusNotFound)
		return
	}
	hdr := w.Header()
	for k, v := range ex.Header {
		hdr[k] = v
	}
	w.WriteHeader(ex.Status)
	_, _ = w.Write(ex.Body)
}

// ceilingBanner prefixes the line the ceiling prints when it listens.
const ceilingBanner = "loyaltyd-bench ceiling on"

// cmdCeiling serves the recorded exchanges on 127.0.0.1 until ctx is done.
func cmdCeiling(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("loyaltyd-bench ceiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("port", 0, "port to listen on, on 127.0.0.1 (0 = any free port)")
	responses := fs.String("responses", "", "file of recorded exchanges (written by run)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *responses == "" || *port < 0 || *port > 65535 {
		return fmt.Errorf("%w: --responses FILE is required and --port must be a port", errUsage)
	}
	exs, err := readExchanges(*responses)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           newCeilingHandler(exs),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "%s http://%s (%d recorded responses)\n", ceilingBanner, ln.Addr(), len(exs))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
