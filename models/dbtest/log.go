package dbtest

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// Logger returns a logger whose records go to t.Log, at Debug level under
// -v and Info otherwise. Records logged after the test and its cleanups
// have finished are dropped instead of panicking.
func Logger(t testing.TB) *slog.Logger {
	t.Helper()
	w := &tWriter{t: t}
	t.Cleanup(w.stop)
	level := slog.LevelInfo
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// tWriter hands each log line to t.Log until stopped.
type tWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *tWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Helper()
		w.t.Log(string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}

func (w *tWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}
