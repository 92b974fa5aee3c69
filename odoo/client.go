package odoo

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	kolo "github.com/kolo/xmlrpc"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// Defaults of Config.
const (
	DefaultTimeout      = 60 * time.Second
	DefaultMaxAttempts  = 5
	DefaultRetryWaitMin = 200 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
	DefaultMaxResponse  = 256 << 20
)

// Config says which Odoo to talk to and how patiently. Zero fields take the
// defaults above.
type Config struct {
	URL    string // base URL of the Odoo server, "https://odoo.example.com"
	DB     string // database name
	Login  string // user login
	APIKey string // API key, or the user's password

	// HTTPClient's Transport carries the calls (http.DefaultTransport's
	// clone when nil). Its Timeout and Jar are not used: see Timeout.
	HTTPClient *http.Client
	// Timeout bounds one attempt, connection to last byte (default 60 s);
	// the caller's ctx bounds the whole call, retries included.
	Timeout time.Duration
	// MaxAttempts bounds the attempts of one call, the first included
	// (default 5; 1 disables retries).
	MaxAttempts int
	// RetryWaitMin and RetryWaitMax are the backoff's base and cap
	// (defaults 200 ms and 30 s).
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxResponseBytes bounds a reply's body (default 256 MiB).
	MaxResponseBytes int64
}

// Client calls a remote Odoo's external API (XML-RPC on /xmlrpc/2) with
// github.com/kolo/xmlrpc's encoder and decoder. Every call takes a ctx and
// never outlives it: the HTTP request carries ctx, so a cancelled ctx closes
// the connection and returns at once. Failed attempts are retried as
// CheckRetryFunc and BackoffFunc decide (transport errors, 429 and 5xx with full
// jitter; never a fault). Faults come back as *models.Error (FaultError).
//
// A Client is safe for concurrent use. Set the policy fields before the
// first call.
type Client struct {
	// CheckRetryFunc decides whether a failed attempt is retried
	// (DefaultCheckRetry).
	CheckRetryFunc CheckRetryFunc
	// BackoffFunc says how long to wait before a retry
	// (FullJitterBackoff(nil)).
	BackoffFunc BackoffFunc

	cfg    Config
	log    *slog.Logger
	base   *url.URL
	client *http.Client

	mu  sync.Mutex
	uid int64
}

// New checks cfg and returns a Client. It does not connect: Authenticate,
// or the first ExecuteKw, does.
func New(cfg Config, log *slog.Logger) (*Client, error) {
	if cfg.URL == "" || cfg.DB == "" || cfg.Login == "" {
		return nil, errors.New("odoo: URL, DB and Login are required")
	}
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("odoo: bad URL %q", cfg.URL)
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts)
	cfg.RetryWaitMin = cmp.Or(cfg.RetryWaitMin, DefaultRetryWaitMin)
	cfg.RetryWaitMax = cmp.Or(cfg.RetryWaitMax, DefaultRetryWaitMax)
	cfg.MaxResponseBytes = cmp.Or(cfg.MaxResponseBytes, DefaultMaxResponse)
	if cfg.MaxAttempts < 1 || cfg.Timeout < 0 || cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < cfg.RetryWaitMin {
		return nil, errors.New("odoo: bad retry settings")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var rt http.RoundTripper
	if cfg.HTTPClient != nil {
		rt = cfg.HTTPClient.Transport
	}
	if rt == nil {
		rt = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &Client{
		CheckRetryFunc: DefaultCheckRetry,
		BackoffFunc:    FullJitterBackoff(nil),
		cfg:            cfg,
		log:            log.With(slog.String("odoo", u.Host), slog.String("db", cfg.DB)),
		base:           u,
		client:         &http.Client{Transport: rt},
	}, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.client.CloseIdleConnections() }

// VersionInfo is the reply of common.version.
type VersionInfo struct {
	ServerVersion     string // "17.0-20240709"
	ServerVersionInfo []any  // [17, 0, 0, "final", 0, ""]
	ServerSerie       string // "17.0"
	ProtocolVersion   int64
}

// Major is the major version (17), or 0 when unknown.
func (v VersionInfo) Major() int {
	if len(v.ServerVersionInfo) > 0 {
		if n, ok := v.ServerVersionInfo[0].(int64); ok {
			return int(n)
		}
	}
	var n int
	_, _ = fmt.Sscanf(strings.TrimPrefix(v.ServerSerie, "saas~"), "%d", &n)
	return n
}

// Version calls common.version, which needs no login.
func (c *Client) Version(ctx context.Context) (VersionInfo, error) {
	var m map[string]any
	if err := c.call(ctx, "common", "version", []any{}, &m); err != nil {
		return VersionInfo{}, fmt.Errorf("odoo: version: %w", err)
	}
	v := VersionInfo{}
	v.ServerVersion, _ = m["server_version"].(string)
	v.ServerSerie, _ = m["server_serie"].(string)
	v.ServerVersionInfo, _ = m["server_version_info"].([]any)
	v.ProtocolVersion, _ = m["protocol_version"].(int64)
	return v, nil
}

// Authenticate logs in through common.authenticate and remembers the uid
// for ExecuteKw. Bad credentials (Odoo answers False) are an AccessDenied
// *models.Error.
func (c *Client) Authenticate(ctx context.Context) (int64, error) {
	var res any
	err := c.call(ctx, "common", "authenticate",
		[]any{c.cfg.DB, c.cfg.Login, c.cfg.APIKey, map[string]any{}}, &res)
	if err != nil {
		return 0, fmt.Errorf("odoo: authenticate: %w", err)
	}
	uid, ok := res.(int64)
	if !ok || uid <= 0 {
		return 0, fmt.Errorf("odoo: authenticate %s: %w", c.cfg.Login, FaultError(3, "Access Denied"))
	}
	c.mu.Lock()
	c.uid = uid
	c.mu.Unlock()
	return uid, nil
}

// UID returns the uid found by Authenticate, 0 before.
func (c *Client) UID() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uid
}

// ExecuteKw calls object.execute_kw(db, uid, key, model, method, args,
// kwargs) and decodes the result into out (a pointer, as for kolo/xmlrpc:
// *any, *[]map[string]any, *[]int64, *int64, *bool...; nil discards it). It
// authenticates first if needed. nil values inside args and kwargs are sent
// as False and time.Time values as "YYYY-MM-DD HH:MM:SS" UTC strings, as
// Odoo expects.
//
// Errors: a fault is a *models.Error (see FaultError, IsPermanent); an
// answer with a non-2xx status an *HTTPError; ctx's end ctx.Err(). Calls
// that are not idempotent (create) may have been applied by Odoo when a
// retried attempt failed after sending: callers needing exactly-once use
// external ids (EnsureXMLID, LookupXMLID).
func (c *Client) ExecuteKw(ctx context.Context, model, method string, args []any, kwargs map[string]any, out any) error {
	uid := c.UID()
	if uid == 0 {
		var err error
		if uid, err = c.Authenticate(ctx); err != nil {
			return err
		}
	}
	if args == nil {
		args = []any{}
	}
	params := []any{c.cfg.DB, uid, c.cfg.APIKey, model, method, clean(args)}
	if kwargs != nil {
		params = append(params, clean(kwargs))
	}
	if err := c.call(ctx, "object", "execute_kw", params, out); err != nil {
		return fmt.Errorf("odoo: %s.%s: %w", model, method, err)
	}
	return nil
}

// call runs one RPC with retries.
func (c *Client) call(ctx context.Context, service, method string, params []any, out any) error {
	body, err := kolo.EncodeMethodCall(method, params...)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	endpoint := c.base.JoinPath("xmlrpc", "2", service).String()
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, endpoint, body, out)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		retry, cerr := c.CheckRetryFunc(ctx, resp, err)
		if cerr != nil {
			return cerr
		}
		if !retry || attempt >= c.cfg.MaxAttempts {
			if retry {
				return fmt.Errorf("giving up after %d attempts: %w", attempt, err)
			}
			return err
		}
		wait := c.BackoffFunc(c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, attempt, resp)
		c.log.WarnContext(ctx, "odoo call failed, retrying", slog.String("service", service),
			slog.String("method", method), slog.Int("attempt", attempt),
			slog.Duration("wait", wait), slog.Any("err", err))
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// attempt makes one HTTP exchange. The request carries ctx (and the
// attempt's timeout), so the transport closes the connection when either
// ends. It returns the response, body consumed, whenever one arrived.
func (c *Client) attempt(ctx context.Context, endpoint string, body []byte, out any) (*http.Response, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "loyaltyd-odoo-client")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, &transportError{err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return resp, &transportError{err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, statusError(resp)
	}
	if int64(len(data)) > c.cfg.MaxResponseBytes {
		return resp, fmt.Errorf("reply larger than %d bytes", c.cfg.MaxResponseBytes)
	}
	r := kolo.Response(data)
	if bytes.Contains(data, []byte("<fault>")) {
		if err := r.Err(); err != nil {
			var f kolo.FaultError
			if errors.As(err, &f) {
				return resp, FaultError(f.Code, f.String)
			}
			return resp, legacyFault(data, err)
		}
	}
	if out == nil {
		return resp, nil
	}
	if err := r.Unmarshal(out); err != nil {
		return resp, fmt.Errorf("decode reply: %w", err)
	}
	return resp, nil
}

// legacyFault reads a fault whose code is a string (legacy paths); other
// undecodable faults are returned as they are.
func legacyFault(data []byte, err error) error {
	var f struct {
		Code   string `xmlrpc:"faultCode"`
		String string `xmlrpc:"faultString"`
	}
	if kolo.Response(data).Unmarshal(&f) == nil && f.Code != "" {
		return LegacyFaultError(f.Code, f.String)
	}
	return fmt.Errorf("decode fault: %w", err)
}

// OdooTime is the layout of Odoo's datetimes on the wire (naive UTC).
const OdooTime = "2006-01-02 15:04:05"

// clean makes a value marshallable the way Odoo wants: nil becomes False,
// times become Odoo datetime strings; slices and maps are copied.
func clean(v any) any {
	switch x := v.(type) {
	case nil:
		return false
	case time.Time:
		return x.UTC().Format(OdooTime)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clean(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = clean(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clean(e)
		}
		return out
	case *models.Dict:
		if x == nil {
			return false
		}
		out := make(map[string]any, x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out[k] = clean(e)
		}
		return out
	}
	return v
}
