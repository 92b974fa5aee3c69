package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBenchImport runs the import benchmark small: it must store every
// partner and print both times with their ratio.
func TestBenchImport(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, benchImport(context.Background(), []string{"--partners", "3000", "--page", "500",
		"--database-url", ""}, &out))
	require.Contains(t, out.String(), "baseline (paging, no store)")
	require.Contains(t, out.String(), "import into sqlite")
	require.Contains(t, out.String(), "x baseline")
}
