package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, c *Config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c *Config) {
			require.Equal(t, "127.0.0.1", c.HTTPInterface)
			require.Equal(t, 8069, c.HTTPPort)
			require.Equal(t, "loyalty", c.DBName)
			require.Equal(t, "17.0", c.ServerVersion)
			require.Equal(t, int64(16<<20), c.MaxBodyBytes)
			require.True(t, c.ListDB)
			require.Equal(t, "UTC", c.Timezone)
			require.Zero(t, c.TierWindow)
			require.Equal(t, time.Hour, c.ExpireEvery)
		}},
		{name: "engine settings", args: []string{"--timezone", "Asia/Jakarta", "--tier-window", "8760h"},
			env: map[string]string{"LOYALTYD_EXPIRE_INTERVAL": "0"},
			check: func(t *testing.T, c *Config) {
				require.Equal(t, "Asia/Jakarta", c.Timezone)
				require.Equal(t, 8760*time.Hour, c.TierWindow)
				require.Zero(t, c.ExpireEvery)
			}},
		{name: "bad time zone", args: []string{"--timezone", "Mars/Olympus"}, wantErr: "not a time zone"},
		{name: "negative tier window", args: []string{"--tier-window", "-1h"}, wantErr: "--tier-window -1h0m0s: negative"},
		{name: "environment", env: map[string]string{"LOYALTYD_HTTP_PORT": "8070", "LOYALTYD_DB_NAME": "shop",
			"LOYALTYD_DATABASE_URL": "postgres://x/y", "LOYALTYD_ADMIN_PASSWORD": "pw", "LOYALTYD_CALL_TIMEOUT": "5s",
			"LOYALTYD_LIST_DB": "false"},
			check: func(t *testing.T, c *Config) {
				require.Equal(t, 8070, c.HTTPPort)
				require.Equal(t, "shop", c.DBName)
				require.Equal(t, "postgres://x/y", c.DatabaseURL)
				require.Equal(t, "pw", c.AdminPassword)
				require.Equal(t, 5*time.Second, c.CallTimeout)
				require.False(t, c.ListDB)
			}},
		{name: "flags win over the environment", args: []string{"--http-port", "9000", "--server-version=18.0"},
			env: map[string]string{"LOYALTYD_HTTP_PORT": "8070"},
			check: func(t *testing.T, c *Config) {
				require.Equal(t, 9000, c.HTTPPort)
				require.Equal(t, "18.0", c.ServerVersion)
			}},
		{name: "bad environment value", env: map[string]string{"LOYALTYD_HTTP_PORT": "many"}, wantErr: "LOYALTYD_HTTP_PORT"},
		{name: "bad port", args: []string{"--http-port", "70000"}, wantErr: "not a port"},
		{name: "bad log format", args: []string{"--log-format", "xml"}, wantErr: "want text or json"},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _, err := parseConfig("serve", tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestRunCommands(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	ctx := context.Background()
	getenv := func(string) string { return "" }
	require.Equal(t, 0, run(ctx, []string{"version"}, nil, &out, &errb, getenv))
	require.Contains(t, out.String(), "loyaltyd")
	out.Reset()
	require.Equal(t, 0, run(ctx, []string{"--help"}, nil, &out, &errb, getenv))
	require.Contains(t, out.String(), "--http-port")
	require.Contains(t, out.String(), "LOYALTYD_ADMIN_PASSWORD")
	require.Equal(t, 2, run(ctx, []string{"frobnicate"}, nil, &out, &errb, getenv))

	dir := t.TempDir()
	out.Reset()
	require.Equal(t, 0, run(ctx, []string{"migrate", "--data-dir", dir}, nil, &out, &errb, getenv), errb.String())
	require.Contains(t, out.String(), "up to date")
	errb.Reset()
	require.Equal(t, 1, run(ctx, []string{"apikey", "--data-dir", dir, "nobody"}, nil, &out, &errb, getenv))
	require.NotEmpty(t, errb.String())
	// passwd then apikey on the admin created by serve's first start.
	a := newTestAppIn(t, dir)
	a.Close()
	out.Reset()
	require.Equal(t, 0, run(ctx, []string{"passwd", "--data-dir", dir, "admin"}, strings.NewReader("n3w\n"), &out, &errb, getenv), errb.String())
	out.Reset()
	require.Equal(t, 0, run(ctx, []string{"apikey", "--data-dir", dir, "admin", "ci"}, nil, &out, &errb, getenv), errb.String())
	key := strings.TrimSpace(out.String())
	require.Len(t, key, 40)
	b := newTestAppIn(t, dir)
	uid, err := b.auth.Authenticate(ctx, "admin", key, false, "127.0.0.1")
	require.NoError(t, err)
	require.Equal(t, int64(2), uid)
	_, err = b.auth.Authenticate(ctx, "admin", "n3w", true, "127.0.0.1")
	require.NoError(t, err)
}
