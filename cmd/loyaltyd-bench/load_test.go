package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testExchanges are two recorded JSON-RPC exchanges.
func testExchanges(t *testing.T) []exchange {
	t.Helper()
	var exs []exchange
	for i, p := range []int64{7, 8} {
		req, err := searchByPartnerJSON(credentials{DB: "bench", UID: 2, Password: "pw"}, p, int64(i+1))
		require.NoError(t, err)
		exs = append(exs, exchange{
			Path: "/jsonrpc", Request: req, Status: http.StatusOK,
			Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			Body:   []byte(`{"jsonrpc": "2.0", "id": 1, "result": []}`),
		})
	}
	return exs
}

func TestCeilingAndLoad(t *testing.T) {
	exs := testExchanges(t)
	srv := httptest.NewServer(newCeilingHandler(exs))
	defer srv.Close()
	client := newLoadClient(4)
	defer client.CloseIdleConnections()
	cfg := loadConfig{Clients: 4, Warmup: 50 * time.Millisecond, Duration: 200 * time.Millisecond}

	res, err := runLoad(context.Background(), client, scenario{Name: "ceiling", Proto: protocols[1], BaseURL: srv.URL, Exchanges: exs}, cfg)
	require.NoError(t, err)
	require.Zero(t, res.Errors, res.Samples)
	require.NotEmpty(t, res.Latencies)
	require.True(t, slices.IsSorted(res.Latencies))

	// A response that differs from the recorded one is an error.
	wrong := append([]exchange(nil), exs...)
	wrong[0].Body = []byte("something else")
	res, err = runLoad(context.Background(), client, scenario{Name: "wrong", Proto: protocols[1], BaseURL: srv.URL, Exchanges: wrong}, cfg)
	require.NoError(t, err)
	require.Positive(t, res.Errors)
	require.Contains(t, res.Samples[0], "differs from the recorded one")
}

func TestCeilingUnknownRequest(t *testing.T) {
	h := newCeilingHandler(testExchanges(t))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/jsonrpc", nil))
	require.Equal(t, http.StatusNotFound, rec.Code)
}

func TestLoadRefusesRemoteHosts(t *testing.T) {
	_, err := runLoad(context.Background(), newLoadClient(1),
		scenario{Proto: protocols[1], BaseURL: "http://192.0.2.1:80", Exchanges: testExchanges(t)},
		loadConfig{Clients: 1, Duration: time.Millisecond})
	require.ErrorContains(t, err, "not a loopback address")
}
