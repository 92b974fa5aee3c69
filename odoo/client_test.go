package odoo_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/models/dbtest"
	"github.com/odoo-loyalty/loyaltyd/odoo"
	"github.com/odoo-loyalty/loyaltyd/odoo/odootest"
)

// testBundle is a fake Odoo and a client pointed at it.
type testBundle struct {
	srv    *odootest.Server
	client *odoo.Client
	clock  *fakeClock
}

// fakeClock is the fake Odoo's transaction clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// setup starts a fake Odoo and a client with tiny retry waits; edit
// adjusts the client's config.
func setup(t *testing.T, opt odootest.Options, edit func(*odoo.Config)) *testBundle {
	t.Helper()
	clock := &fakeClock{now: t0}
	if opt.Clock == nil {
		opt.Clock = clock.Now
	}
	srv := odootest.New(t, opt)
	cfg := odoo.Config{
		URL: srv.URL, DB: srv.DB(), Login: srv.Login(), APIKey: srv.Password(),
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond, MaxAttempts: 4,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := odoo.New(cfg, dbtest.Logger(t))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return &testBundle{srv: srv, client: c, clock: clock}
}

func TestAuthenticateAndVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		key     string
		wantUID int64
		wantErr models.Kind
	}{
		{"good key", "admin", 2, -1},
		{"bad key", "wrong-password", 0, models.KindAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, odootest.Options{}, func(c *odoo.Config) { c.APIKey = tt.key })
			ctx := context.Background()
			v, err := b.client.Version(ctx)
			require.NoError(t, err)
			require.Equal(t, 17, v.Major())
			require.Equal(t, "17.0", v.ServerSerie)

			uid, err := b.client.Authenticate(ctx)
			if tt.wantErr >= 0 {
				require.Error(t, err)
				require.Equal(t, tt.wantErr, models.KindOf(err))
				require.True(t, odoo.IsPermanent(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantUID, uid)
			require.Equal(t, 1, b.srv.Calls("common", "authenticate"))
		})
	}
}

func TestCreateBatchAndProbe(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{
		Models:    append(slices.Clone(odootest.DefaultModels), "loyalty.point.move"),
		Relations: map[string]map[string]string{"loyalty.card": {"partner_id": "res.partner"}},
	}, nil)
	ctx := context.Background()

	pid := b.srv.Insert("res.partner", map[string]any{"name": "Azure Interior"})
	ids, err := b.client.CreateBatch(ctx, "loyalty.card", []map[string]any{
		{"partner_id": pid, "points": 10.5, "code": "A"},
		{"partner_id": pid, "points": 0.0, "code": "B", "expiration_date": nil},
	})
	require.NoError(t, err)
	require.Equal(t, []int64{1, 2}, ids)
	require.Equal(t, 1, b.srv.Executed("loyalty.card", "create"))

	var rows []map[string]any
	require.NoError(t, b.client.ExecuteKw(ctx, "loyalty.card", "read",
		[]any{[]any{int64(2), int64(1), int64(99)}}, map[string]any{"fields": []any{"partner_id", "points", "expiration_date"}}, &rows))
	require.Len(t, rows, 2, "read skips missing ids, keeps the asked order")
	require.Equal(t, int64(2), rows[0]["id"])
	require.Equal(t, []any{pid, "Azure Interior"}, rows[0]["partner_id"])
	require.Equal(t, false, rows[0]["expiration_date"], "nil is sent as False")
	require.Equal(t, 10.5, rows[1]["points"])

	found, err := b.client.ProbeModels(ctx, "loyalty.history", "loyalty.point.move", "loyalty.card")
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"loyalty.history": false, "loyalty.point.move": true, "loyalty.card": true}, found)
}

func TestFakeDomains(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{}, nil)
	ctx := context.Background()
	for i, name := range []string{"a", "b", "c", "d"} {
		b.srv.Insert("res.partner", map[string]any{"name": name, "rank": int64(i), "active": i != 2})
	}
	tests := []struct {
		name   string
		domain []any
		order  string
		want   []int64
	}{
		{"empty", []any{}, "", []int64{1, 2, 3, 4}},
		{"=", []any{[]any{"name", "=", "b"}}, "", []int64{2}},
		{"!=", []any{[]any{"name", "!=", "b"}}, "", []int64{1, 3, 4}},
		{"> and <=", []any{[]any{"rank", ">", 0}, []any{"rank", "<=", 2}}, "", []int64{2, 3}},
		{">= <", []any{[]any{"rank", ">=", 3}}, "", []int64{4}},
		{"< ", []any{[]any{"rank", "<", 1}}, "", []int64{1}},
		{"in", []any{[]any{"id", "in", []any{1, 4, 7}}}, "", []int64{1, 4}},
		{"not in", []any{[]any{"id", "not in", []any{1, 4}}}, "", []int64{2, 3}},
		{"bool False", []any{[]any{"active", "=", false}}, "", []int64{3}},
		{"or", []any{"|", []any{"name", "=", "a"}, []any{"name", "=", "d"}}, "", []int64{1, 4}},
		{"not", []any{"!", []any{"name", "=", "a"}}, "", []int64{2, 3, 4}},
		{"order desc", []any{}, "rank desc", []int64{4, 3, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []int64
			kw := map[string]any{}
			if tt.order != "" {
				kw["order"] = tt.order
			}
			require.NoError(t, b.client.ExecuteKw(ctx, "res.partner", "search", []any{tt.domain}, kw, &ids))
			require.Equal(t, tt.want, ids)
		})
	}
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{}, nil)
	ctx := context.Background()
	tests := []struct {
		name      string
		model     string
		method    string
		args      []any
		kind      models.Kind
		permanent bool
		msg       string
	}{
		{"unknown model", "no.such.model", "search_read", []any{[]any{}}, models.KindUser, true, "Object no.such.model doesn't exist"},
		{"unknown method", "res.partner", "no_such_method", []any{[]any{}}, models.KindAttribute, true,
			"The method 'no_such_method' does not exist on the model 'res.partner'"},
		{"private method", "res.partner", "_compute", []any{[]any{1}}, models.KindAccessError, true,
			"Private methods (such as _compute) cannot be called remotely."},
		{"write deleted", "res.partner", "write", []any{[]any{43}, map[string]any{"name": "x"}}, models.KindMissing, true,
			"Record does not exist or has been deleted.\n(Record: res.partner(43,), User: 2)"},
		{"bad leaf", "res.partner", "search", []any{[]any{[]any{"name", "~", 1}}}, models.KindValue, true,
			"Invalid leaf ['name', '~', 1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := b.client.ExecuteKw(ctx, tt.model, tt.method, tt.args, nil, nil)
			require.Error(t, err)
			require.Equal(t, tt.kind, models.KindOf(err), "%v", err)
			require.Equal(t, tt.msg, models.MessageOf(err))
			require.Equal(t, tt.permanent, odoo.IsPermanent(err))
			require.Equal(t, 1, b.srv.Calls(tt.model, tt.method), "a fault is never retried")
		})
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		inject    func(*odootest.Server)
		wantCalls int
		wantErr   func(t *testing.T, err error)
	}{
		{
			name:      "500 twice then success",
			inject:    func(s *odootest.Server) { s.HTTP500(2) },
			wantCalls: 3,
		},
		{
			name:      "503 and 429 then success",
			inject:    func(s *odootest.Server) { s.HTTPStatus(503, 1, nil); s.HTTPStatus(429, 1, nil) },
			wantCalls: 3,
		},
		{
			name:      "500 beyond max attempts",
			inject:    func(s *odootest.Server) { s.HTTP500(10) },
			wantCalls: 4,
			wantErr: func(t *testing.T, err error) {
				var he *odoo.HTTPError
				require.ErrorAs(t, err, &he)
				require.Equal(t, 500, he.StatusCode)
				require.False(t, odoo.IsPermanent(err))
			},
		},
		{
			name:      "404 is not retried",
			inject:    func(s *odootest.Server) { s.HTTPStatus(404, 5, nil) },
			wantCalls: 1,
			wantErr: func(t *testing.T, err error) {
				var he *odoo.HTTPError
				require.ErrorAs(t, err, &he)
				require.Equal(t, 404, he.StatusCode)
			},
		},
		{
			name: "access error fault is not retried",
			inject: func(s *odootest.Server) {
				s.Fault("res.partner", "create", 4, "odoo.exceptions.AccessError",
					"You are not allowed to create 'Contact' (res.partner) records.")
			},
			wantCalls: 1,
			wantErr: func(t *testing.T, err error) {
				require.Equal(t, models.KindAccessError, models.KindOf(err))
				require.True(t, odoo.IsPermanent(err))
				require.Equal(t, "You are not allowed to create 'Contact' (res.partner) records.", models.MessageOf(err))
			},
		},
		{
			name: "validation error in a traceback is not retried",
			inject: func(s *odootest.Server) {
				s.Fault("res.partner", "create", 1, "odoo.exceptions.ValidationError", "Email is invalid")
			},
			wantCalls: 1,
			wantErr: func(t *testing.T, err error) {
				require.Equal(t, models.KindValidation, models.KindOf(err))
				require.True(t, odoo.IsPermanent(err))
				require.Equal(t, "Email is invalid", models.MessageOf(err))
			},
		},
		{
			name: "server-side fault 1 is transient but not retried",
			inject: func(s *odootest.Server) {
				s.Fault("res.partner", "*", 1, "psycopg2.errors.SerializationFailure",
					"could not serialize access due to concurrent update")
			},
			wantCalls: 1,
			wantErr: func(t *testing.T, err error) {
				require.False(t, odoo.IsPermanent(err))
				require.Equal(t, models.KindInternal, models.KindOf(err))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, odootest.Options{}, nil)
			ctx := context.Background()
			_, err := b.client.Authenticate(ctx)
			require.NoError(t, err)
			tt.inject(b.srv)
			ids, err := b.client.CreateBatch(ctx, "res.partner", []map[string]any{{"name": "x"}})
			require.Equal(t, tt.wantCalls, b.srv.Calls("res.partner", "create"))
			if tt.wantErr != nil {
				require.Error(t, err)
				tt.wantErr(t, err)
				require.Equal(t, 0, b.srv.Executed("res.partner", "create"))
				return
			}
			require.NoError(t, err)
			require.Equal(t, []int64{1}, ids)
			require.Equal(t, 1, b.srv.Executed("res.partner", "create"), "exactly once")
		})
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{}, nil)
	var waits []time.Duration
	jitter := odoo.FullJitterBackoff(func(n int64) int64 { return n - 1 })
	b.client.BackoffFunc = func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
		waits = append(waits, jitter(min, max, attempt, resp))
		return 0 // do not actually wait
	}
	b.srv.HTTPStatus(429, 1, http.Header{"Retry-After": {"7"}})
	b.srv.HTTP500(1)
	_, err := b.client.Version(context.Background())
	require.NoError(t, err)
	require.Equal(t, []time.Duration{7 * time.Second, 2 * time.Millisecond}, waits,
		"Retry-After wins; then the backoff ceiling of retry 2 (1ms*2)")
}

func TestRetryTransportErrorWhileDown(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{}, nil)
	ctx := context.Background()
	b.srv.Down()
	var seen []error
	b.client.CheckRetryFunc = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		seen = append(seen, err)
		b.srv.Up() // the next attempt finds Odoo back
		return odoo.DefaultCheckRetry(ctx, resp, err)
	}
	v, err := b.client.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, "17.0", v.ServerSerie)
	require.Len(t, seen, 1)
	require.False(t, odoo.IsPermanent(seen[0]))

	// Down with retries exhausted: a transient transport error.
	b.client.CheckRetryFunc = odoo.DefaultCheckRetry
	b.srv.Down()
	_, err = b.client.Version(ctx)
	require.Error(t, err)
	require.False(t, odoo.IsPermanent(err))
	require.Contains(t, err.Error(), "giving up after 4 attempts")
}

func TestContextStopsCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		ctx    func() (context.Context, context.CancelFunc)
		cancel bool // cancel once the call is held at the server
		want   error
	}{
		{"cancel", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			true, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, false, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, odootest.Options{}, nil)
			_, err := b.client.Authenticate(context.Background())
			require.NoError(t, err)

			entered := b.srv.Block() // held until the test ends: only ctx can end the call
			ctx, cancel := tt.ctx()
			defer cancel()
			done := make(chan error, 1)
			go func() {
				done <- b.client.ExecuteKw(ctx, "res.partner", "search_count", []any{[]any{}}, nil, nil)
			}()
			select {
			case key := <-entered:
				require.Equal(t, "res.partner.search_count", key)
				if tt.cancel {
					cancel()
				}
				err = <-done
			case err = <-done: // the deadline struck before the call reached Odoo
			}
			require.ErrorIs(t, err, tt.want)
			require.LessOrEqual(t, b.srv.Calls("res.partner", "search_count"), 1, "no retry after ctx ends")
		})
	}
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{}, func(c *odoo.Config) { c.Timeout = 20 * time.Millisecond; c.MaxAttempts = 2 })
	b.srv.Block() // never released during the test: every attempt times out
	var retried []bool
	b.client.CheckRetryFunc = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		require.ErrorIs(t, err, context.DeadlineExceeded, "the attempt's own timeout")
		ok, cerr := odoo.DefaultCheckRetry(ctx, resp, err)
		retried = append(retried, ok)
		return ok, cerr
	}
	_, err := b.client.Version(context.Background())
	require.Error(t, err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, odoo.IsPermanent(err))
	require.Equal(t, []bool{true, true}, retried, "both attempts timed out and were retryable")
	require.Contains(t, err.Error(), "giving up after 2 attempts")
}

func TestSlowServer(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{}, func(c *odoo.Config) { c.Timeout = 20 * time.Millisecond; c.MaxAttempts = 1 })
	b.srv.Slow(time.Hour) // far beyond the attempt's timeout, ended by the client going away
	_, err := b.client.Version(context.Background())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// The server still answers once it is fast again: asked by a client
	// whose attempts are not cut short (a 20 ms budget is a timed
	// assertion on a loaded machine).
	b.srv.Slow(0)
	c, err := odoo.New(odoo.Config{URL: b.srv.URL, DB: b.srv.DB(), Login: b.srv.Login(), APIKey: b.srv.Password()},
		dbtest.Logger(t))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	_, err = c.Version(context.Background())
	require.NoError(t, err)
}

func TestXMLID(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{}, nil)
	ctx := context.Background()

	_, found, err := b.client.LookupXMLID(ctx, "loyaltyd", "move_1")
	require.NoError(t, err)
	require.False(t, found)

	require.NoError(t, b.client.EnsureXMLID(ctx, "loyaltyd", "move_1", "loyalty.card", 7))
	require.NoError(t, b.client.EnsureXMLID(ctx, "loyaltyd", "move_1", "loyalty.card", 7))
	require.Equal(t, 1, b.srv.Executed("ir.model.data", "create"), "idempotent")
	require.Equal(t, 0, b.srv.Executed("ir.model.data", "write"))

	x, found, err := b.client.LookupXMLID(ctx, "loyaltyd", "move_1")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, odoo.XMLID{Module: "loyaltyd", Name: "move_1", Model: "loyalty.card", ResID: 7}, x)

	require.NoError(t, b.client.EnsureXMLID(ctx, "loyaltyd", "move_1", "loyalty.card", 8))
	require.Equal(t, 1, b.srv.Executed("ir.model.data", "write"), "repointed")
	x, _, err = b.client.LookupXMLID(ctx, "loyaltyd", "move_1")
	require.NoError(t, err)
	require.Equal(t, int64(8), x.ResID)

	// A transient fault on the way is passed on as transient.
	b.srv.Fault("ir.model.data", "search_read", 1, "psycopg2.OperationalError", "server closed the connection")
	err = b.client.EnsureXMLID(ctx, "loyaltyd", "move_2", "loyalty.card", 9)
	require.Error(t, err)
	require.False(t, odoo.IsPermanent(err))
	b.srv.ClearFaults()
	b.srv.Insert("ir.model.data", map[string]any{"module": "loyaltyd", "name": "move_3", "model": "loyalty.card", "res_id": int64(3)})
	var ids []int64
	err = b.client.ExecuteKw(ctx, "ir.model.data", "create", []any{[]any{
		map[string]any{"module": "loyaltyd", "name": "move_3", "model": "loyalty.card", "res_id": int64(3)},
	}}, nil, &ids)
	require.Error(t, err, "the fake keeps (module, name) unique")
	require.False(t, odoo.IsPermanent(err), "a unique violation is fault 1 psycopg2, transient")
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	b := setup(t, odootest.Options{}, nil)
	b.srv.HTTP500(3) // some of them retry
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := b.client.CreateBatch(context.Background(), "res.partner",
				[]map[string]any{{"name": "p", "n": i}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, b.srv.Records("res.partner"), n)
	require.Equal(t, n, b.srv.Executed("res.partner", "create"), "each batch exactly once")
}
