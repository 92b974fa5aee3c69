package odoo_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/odoo"
)

func TestFullJitterBackoff(t *testing.T) {
	t.Parallel()
	const min, max = 200 * time.Millisecond, 30 * time.Second
	var asked []int64
	top := odoo.FullJitterBackoff(func(n int64) int64 { asked = append(asked, n); return n - 1 })
	bottom := odoo.FullJitterBackoff(func(n int64) int64 { return 0 })
	half := odoo.FullJitterBackoff(func(n int64) int64 { return n / 2 })

	tests := []struct {
		attempt int
		ceil    time.Duration
	}{
		{1, 200 * time.Millisecond},
		{2, 400 * time.Millisecond},
		{3, 800 * time.Millisecond},
		{4, 1600 * time.Millisecond},
		{8, 25600 * time.Millisecond},
		{9, max}, // 51.2 s capped
		{60, max},
	}
	for _, tt := range tests {
		asked = asked[:0]
		require.Equal(t, tt.ceil, odoo.BackoffCeiling(min, max, tt.attempt), "attempt %d", tt.attempt)
		require.Equal(t, tt.ceil, top(min, max, tt.attempt, nil), "attempt %d: the top of the jitter range", tt.attempt)
		require.Equal(t, []int64{int64(tt.ceil) + 1}, asked, "attempt %d: drawn from [0, ceil]", tt.attempt)
		require.Zero(t, bottom(min, max, tt.attempt, nil))
		require.Equal(t, tt.ceil/2, half(min, max, tt.attempt, nil).Truncate(time.Millisecond))
	}

	retryAfter := []struct {
		header string
		want   time.Duration
	}{
		{"3", 3 * time.Second},
		{"0", 0},
		{"soon", 200 * time.Millisecond}, // unreadable: the backoff applies
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
	}
	for _, tt := range retryAfter {
		resp := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {tt.header}}}
		require.Equal(t, tt.want, top(min, max, 1, resp), "Retry-After %q", tt.header)
	}
}

func TestDefaultCheckRetry(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	dialErr := &url.Error{Op: "Post", URL: "http://odoo", Err: errors.New("connection refused")}
	tests := []struct {
		name   string
		ctx    context.Context
		status int
		err    error
		want   bool
	}{
		{"fault", context.Background(), 200, odoo.FaultError(2, "nope"), false},
		{"500", context.Background(), 500, &odoo.HTTPError{StatusCode: 500}, true},
		{"502", context.Background(), 502, &odoo.HTTPError{StatusCode: 502}, true},
		{"429", context.Background(), 429, &odoo.HTTPError{StatusCode: 429}, true},
		{"501", context.Background(), 501, &odoo.HTTPError{StatusCode: 501}, false},
		{"404", context.Background(), 404, &odoo.HTTPError{StatusCode: 404}, false},
		{"200 undecodable", context.Background(), 200, errors.New("decode reply: invalid xml"), false},
		{"local error", context.Background(), 0, errors.New("encode: unsupported type"), false},
		{"cancelled", cancelled, 500, &odoo.HTTPError{StatusCode: 500}, false},
		{"models error", context.Background(), 0, models.UserErrorf("x"), false},
		{"dial error", context.Background(), 0, dialErr, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp *http.Response
			if tt.status != 0 {
				resp = &http.Response{StatusCode: tt.status}
			}
			got, err := odoo.DefaultCheckRetry(tt.ctx, resp, tt.err)
			require.Equal(t, tt.want, got)
			if tt.ctx.Err() != nil {
				require.ErrorIs(t, err, context.Canceled)
			}
		})
	}
}
