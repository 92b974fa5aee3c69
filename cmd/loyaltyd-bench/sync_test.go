package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBenchSyncSmoke runs the sync benchmark small, on SQLite and (with
// TEST_DATABASE_URL) PostgreSQL: every event is delivered and the table
// printed. SYNC_BENCH_ARGS replaces the sizes (a real run:
// SYNC_BENCH_ARGS="--events 20000").
func TestBenchSyncSmoke(t *testing.T) {
	args := []string{"--events", "300", "--cards", "40", "--batch", "50", "--latency-events", "5"}
	if s := os.Getenv("SYNC_BENCH_ARGS"); s != "" {
		args = strings.Fields(s)
	}
	stores := map[string]string{"sqlite": ""}
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		stores["postgresql"] = u
	}
	for name, u := range stores {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, benchSync(t.Context(), append(append([]string{}, args...), "--database-url", u), &out))
			t.Log("\n" + out.String())
			require.Contains(t, out.String(), "outbox delivery")
			require.Contains(t, out.String(), name+" store")
		})
	}
}
