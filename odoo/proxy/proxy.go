// Package proxy is the pass-through in front of the engine's API when it
// runs with an upstream Odoo (--odoo-url): an Odoo POS, an addon or a
// script uses the engine's URL for everything, the engine answers only the
// calls it owns (Owned: the loyalty data and the POS loyalty methods) and
// every other request goes to Odoo unchanged, the original bytes streamed
// both ways (status, headers, cookies; Host set to Odoo's, X-Forwarded-For,
// -Host and -Proto added; hop-by-hop headers dropped; websockets upgraded).
//
// Only the call routes are read to decide: /xmlrpc/2/object,
// /xmlrpc/object, /jsonrpc (service object), /web/dataset/call_kw[/...] and
// /web/dataset/call_button[/...] (their body, bounded by MaxBodyBytes, for
// the model and method), and /json/2/<model>/<method>. A body that cannot be
// parsed, or is larger than the bound, goes to Odoo, which answers with its
// own fault. /web/health stays local; common, db, /web/session/* and every
// other path are Odoo's (a logout tells OnSessionEnd first).
//
// Odoo down: a call route gets an Odoo-style fault in its protocol
// ("ConnectionError: The upstream Odoo server could not be reached."),
// any other path a 502; a call waits at most Timeout for Odoo's headers.
//
// After a forwarded write of a reference model (ReferenceModels) succeeds
// (create, write, unlink, and the few other ORM writes in writeMethods),
// OnReferenceWrite gets the model and the ids (a create's from Odoo's
// answer), so the engine can refresh its copy.
package proxy

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	kolo "github.com/kolo/xmlrpc"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/rpc"
	"github.com/odoo-loyalty/loyaltyd/rpc/xmlrpc"
)

// Owned models and methods: what the engine answers itself.
var (
	OwnedModels = map[string]bool{
		"loyalty.card": true, "loyalty.point.move": true, "loyalty.point.history": true,
		"loyalty.history": true, "loyalty.engine": true, "loyalty.sync": true, "loyalty.sync.log": true,
		// the seed's short names of the lots and the journal
		"point.move": true, "point.history": true,
	}
	OwnedMethods = map[string]bool{
		"pos.order.validate_coupon_programs":  true,
		"pos.order.confirm_coupon_programs":   true,
		"pos.order.add_loyalty_history_lines": true,
		"pos.config.use_coupon_code":          true,
	}
	// DefaultReferenceModels are the reference models whose writes
	// through the pass-through fire OnReferenceWrite.
	DefaultReferenceModels = map[string]bool{
		"res.partner": true, "product.product": true, "product.template": true, "product.category": true,
		"product.tag": true, "loyalty.program": true, "loyalty.rule": true, "loyalty.reward": true,
		"pos.category": true, "res.users": true,
	}
)

// DefaultOwned reports whether the engine answers model.method.
func DefaultOwned(model, method string) bool {
	return OwnedModels[model] || OwnedMethods[model+"."+method]
}

// Config configures a Handler.
type Config struct {
	// Upstream is the Odoo's base URL.
	Upstream string
	// Local serves the owned calls and /web/health (the rpc.Server).
	Local http.Handler
	// Owned decides per call (DefaultOwned when nil).
	Owned func(model, method string) bool
	// ReferenceModels fire OnReferenceWrite (DefaultReferenceModels when nil).
	ReferenceModels map[string]bool
	// OnReferenceWrite, when set, is called after a forwarded create, write
	// or unlink of a reference model succeeded, with the ids (create's from
	// the answer). It runs on the request's goroutine after the answer is
	// read: it should be quick (queue the work) and must not keep ctx.
	OnReferenceWrite func(ctx context.Context, model string, ids []int64)
	// OnSessionEnd, when set, is called with the session_id cookie of a
	// /web/session/destroy or /web/session/logout request before it goes
	// to Odoo, so what the engine cached of the session is dropped.
	OnSessionEnd func(ctx context.Context, sessionID string)
	// MaxBodyBytes bounds the body read to decide (16 MiB when 0); a larger
	// body is streamed to Odoo.
	MaxBodyBytes int64
	// XMLLimits bound the XML-RPC decoding.
	XMLLimits xmlrpc.Limits
	// Timeout is how long Odoo may take to send its answer's headers
	// (60 s when 0); DialTimeout the connection (10 s when 0).
	Timeout, DialTimeout time.Duration
	// Transport carries the forwarded requests (a tuned clone of
	// http.DefaultTransport when nil).
	Transport http.RoundTripper
	Log       *slog.Logger
}

// Handler is the pass-through.
type Handler struct {
	cfg   Config
	up    *url.URL
	proxy *httputil.ReverseProxy
	log   *slog.Logger
}

// New returns the Handler.
func New(cfg Config) (*Handler, error) {
	up, err := url.Parse(strings.TrimRight(cfg.Upstream, "/"))
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
		return nil, fmt.Errorf("proxy: bad upstream URL %q", cfg.Upstream)
	}
	if cfg.Local == nil {
		return nil, errors.New("proxy: a local handler is required")
	}
	if cfg.Owned == nil {
		cfg.Owned = DefaultOwned
	}
	if cfg.ReferenceModels == nil {
		cfg.ReferenceModels = DefaultReferenceModels
	}
	cfg.MaxBodyBytes = cmp.Or(cfg.MaxBodyBytes, 16<<20)
	cfg.Timeout = cmp.Or(cfg.Timeout, 60*time.Second)
	cfg.DialTimeout = cmp.Or(cfg.DialTimeout, 10*time.Second)
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}).DialContext
		t.ResponseHeaderTimeout = cfg.Timeout
		t.MaxIdleConnsPerHost = 64
		cfg.Transport = t
	}
	h := &Handler{cfg: cfg, up: up, log: cfg.Log}
	h.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// Keep the chain of proxies in front of us (Odoo's proxy mode
			// reads the last hop, the one appended here).
			if xff := pr.In.Header.Values("X-Forwarded-For"); len(xff) > 0 {
				pr.Out.Header["X-Forwarded-For"] = append([]string(nil), xff...)
			}
			pr.SetURL(up)
			pr.SetXForwarded()
		},
		Transport:      cfg.Transport,
		ErrorHandler:   h.upstreamDown,
		ModifyResponse: h.afterForward,
		ErrorLog:       slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
	}
	return h, nil
}

// call is what the pass-through learned of a request on a call route.
type call struct {
	path          string
	model, method string
	proto         string // "xml" or "json"
	body          []byte
}

type callKey struct{}

// ServeHTTP decides and serves one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/web/health":
		h.cfg.Local.ServeHTTP(w, r)
		return
	case strings.HasPrefix(p, "/json/2/"):
		parts := strings.Split(strings.TrimPrefix(p, "/json/2/"), "/")
		if len(parts) == 2 && h.cfg.Owned(parts[0], parts[1]) {
			h.cfg.Local.ServeHTTP(w, r)
			return
		}
		h.forward(w, r, nil)
		return
	}
	if p == "/web/session/destroy" || p == "/web/session/logout" {
		if c, err := r.Cookie("session_id"); err == nil && h.cfg.OnSessionEnd != nil {
			h.cfg.OnSessionEnd(r.Context(), c.Value)
		}
	}
	kind := callRoute(p)
	if r.Method != http.MethodPost || kind == "" && !isRPC(p) {
		h.forward(w, r, nil)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.cfg.MaxBodyBytes+1))
	if err != nil {
		http.Error(w, "400 Bad Request", http.StatusBadRequest)
		return
	}
	if int64(len(body)) > h.cfg.MaxBodyBytes {
		// Too large to look into: Odoo decides (its own limits apply).
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		h.forward(w, r, nil)
		return
	}
	// Other RPC routes (common, db, /web/session/*...) keep their body
	// only for the id of a fault when Odoo does not answer.
	c := &call{path: p, body: body}
	switch kind {
	case "xml":
		c.proto = "xml"
		c.model, c.method = xmlCall(body, h.cfg.XMLLimits)
	case "jsonrpc":
		c.proto = "json"
		c.model, c.method = jsonrpcCall(body)
	case "web":
		c.proto = "json"
		c.model, c.method = webCall(body)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if c.model != "" && h.cfg.Owned(c.model, c.method) {
		h.cfg.Local.ServeHTTP(w, r)
		return
	}
	h.forward(w, r, c)
}

// callRoute names the kind of a call route, "" for any other path.
func callRoute(p string) string {
	switch {
	case p == "/xmlrpc/2/object" || p == "/xmlrpc/object":
		return "xml"
	case p == "/jsonrpc":
		return "jsonrpc"
	case p == "/web/dataset/call_kw" || strings.HasPrefix(p, "/web/dataset/call_kw/"),
		p == "/web/dataset/call_button" || strings.HasPrefix(p, "/web/dataset/call_button/"):
		return "web"
	}
	return ""
}

// isRPC reports whether a failure on p is answered as a fault.
func isRPC(p string) bool {
	return strings.HasPrefix(p, "/xmlrpc/") || p == "/jsonrpc" || strings.HasPrefix(p, "/web/dataset/") ||
		strings.HasPrefix(p, "/web/session/") || strings.HasPrefix(p, "/web/webclient/version_info") ||
		strings.HasPrefix(p, "/web/database/")
}

func (h *Handler) forward(w http.ResponseWriter, r *http.Request, c *call) {
	// The server's read and write deadlines are sized for one RPC call; a
	// websocket (Odoo's bus) or a long download through the pass-through
	// is bounded by the upstream's answer instead (Config.Timeout for the
	// headers, the client and Odoo for the rest).
	if r.Header.Get("Upgrade") != "" || r.Method == http.MethodGet {
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Time{})
		if r.Header.Get("Upgrade") != "" {
			_ = rc.SetReadDeadline(time.Time{})
		}
	}
	if c != nil {
		r = r.WithContext(context.WithValue(r.Context(), callKey{}, c))
	}
	h.proxy.ServeHTTP(w, r)
}

// upstreamDown answers a request Odoo did not answer.
func (h *Handler) upstreamDown(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	if ctx.Err() != nil {
		// The client went away: nobody to answer.
		return
	}
	h.log.WarnContext(ctx, "upstream Odoo did not answer", slog.String("path", r.URL.Path), slog.Any("err", err))
	if isRPC(r.URL.Path) && r.Method == http.MethodPost {
		var body []byte
		if c, ok := ctx.Value(callKey{}).(*call); ok {
			body = c.body
		}
		rpc.WriteFault(ctx, w, r.URL.Path, body, &models.Error{Kind: models.KindException, PyName: "ConnectionError",
			Message: "The upstream Odoo server could not be reached.", Err: err}, h.log)
		return
	}
	http.Error(w, "502 Bad Gateway: the upstream Odoo server could not be reached.", http.StatusBadGateway)
}

// writeMethods are the reference writes that fire OnReferenceWrite: those
// whose answer holds the new ids (create, copy, name_create, and the POS
// partner editor's create_from_ui), the others change the records of
// their first argument.
var writeMethods = map[string]bool{"create": true, "copy": true, "name_create": true, "create_from_ui": true,
	"write": true, "unlink": true, "action_archive": true, "action_unarchive": true, "toggle_active": true}

// afterForward fires OnReferenceWrite after a successful reference write;
// it reads the answer (it is small) and puts it back.
func (h *Handler) afterForward(resp *http.Response) error {
	c, ok := resp.Request.Context().Value(callKey{}).(*call)
	if !ok || h.cfg.OnReferenceWrite == nil || !writeMethods[c.method] || !h.cfg.ReferenceModels[c.model] ||
		resp.StatusCode != http.StatusOK {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return err
	}
	ids, ok := writtenIDs(c, data)
	if ok && len(ids) > 0 {
		h.cfg.OnReferenceWrite(context.WithoutCancel(resp.Request.Context()), c.model, ids)
	}
	return nil
}

// writtenIDs reads the ids a successful write touched: create's answer,
// write's and unlink's first argument; false when the call failed.
func writtenIDs(c *call, answer []byte) ([]int64, bool) {
	var result any
	var args []any
	switch c.proto {
	case "xml":
		if bytes.Contains(answer, []byte("<fault>")) {
			return nil, false
		}
		var v any
		if err := kolo.Response(answer).Unmarshal(&v); err != nil {
			return nil, false
		}
		result = v
		m, params, _ := xmlrpc.DecodeCall(bytes.NewReader(c.body), xmlrpc.Limits{})
		args = objectArgs(m, params)
	default:
		var env struct {
			Result any `json:"result"`
			Error  any `json:"error"`
		}
		dec := json.NewDecoder(bytes.NewReader(answer))
		dec.UseNumber()
		if dec.Decode(&env) != nil || env.Error != nil {
			return nil, false
		}
		result = rpc.NormalizeJSON(env.Result)
		args = callArgs(c)
	}
	switch c.method {
	case "create", "copy", "create_from_ui":
		return ints(result), true
	case "name_create": // [id, display_name]
		if pair, ok := result.([]any); ok && len(pair) > 0 {
			return ints(pair[0]), true
		}
		return nil, false
	}
	if result == false || len(args) == 0 {
		return nil, false
	}
	return ints(args[0]), true
}

// callArgs are the positional arguments of a JSON call.
func callArgs(c *call) []any {
	params := jsonParams(c.body)
	if c.path == "/jsonrpc" {
		a, _ := params["args"].([]any)
		m, _ := params["method"].(string)
		return objectArgs(m, a)
	}
	args, _ := params["args"].([]any)
	return args
}

// objectArgs are the ORM arguments of object.execute_kw(db, uid, password,
// model, method, args, kwargs) or object.execute(db, uid, password, model,
// method, *args).
func objectArgs(method string, params []any) []any {
	if len(params) < 6 {
		return nil
	}
	if method == "execute" {
		return params[5:]
	}
	args, _ := params[5].([]any)
	return args
}

// ints reads an id or a list of ids.
func ints(v any) []int64 {
	switch x := v.(type) {
	case int64:
		return []int64{x}
	case []any:
		out := make([]int64, 0, len(x))
		for _, e := range x {
			if id, ok := e.(int64); ok {
				out = append(out, id)
			}
		}
		return out
	}
	return nil
}

// xmlCall reads model and method of an object.execute_kw/execute call.
func xmlCall(body []byte, lim xmlrpc.Limits) (model, method string) {
	m, params, err := xmlrpc.DecodeCall(bytes.NewReader(body), lim)
	if err != nil || (m != "execute_kw" && m != "execute") || len(params) < 5 {
		return "", ""
	}
	model, _ = params[3].(string)
	method, _ = params[4].(string)
	return model, method
}

// jsonrpcCall reads model and method of /jsonrpc's object calls.
func jsonrpcCall(body []byte) (model, method string) {
	p := jsonParams(body)
	if p["service"] != "object" {
		return "", ""
	}
	if m, _ := p["method"].(string); m != "execute_kw" && m != "execute" {
		return "", ""
	}
	args, _ := p["args"].([]any)
	if len(args) < 5 {
		return "", ""
	}
	model, _ = args[3].(string)
	method, _ = args[4].(string)
	return model, method
}

// webCall reads model and method of a /web/dataset call.
func webCall(body []byte) (model, method string) {
	p := jsonParams(body)
	model, _ = p["model"].(string)
	method, _ = p["method"].(string)
	return model, method
}

func jsonParams(body []byte) map[string]any {
	var env struct {
		Params map[string]any `json:"params"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&env) != nil {
		return nil
	}
	p, _ := rpc.NormalizeJSON(env.Params).(map[string]any)
	return p
}
