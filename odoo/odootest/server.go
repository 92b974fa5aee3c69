// Package odootest is a fake Odoo 17 for tests: an httptest.Server that
// speaks /xmlrpc/2/common (version, login, authenticate) and
// /xmlrpc/2/object execute_kw over an in-memory store per model (create,
// write, read, search, search_read, search_count, unlink; ir.model lists
// the installed models, ir.model.data keeps (module, name) unique), with
// Odoo 17's reply and fault shapes, checked byte for byte against captures
// of a real Odoo 17 (odoo/testdata/captures). The XML goes through our own
// codec, rpc/xmlrpc.
//
// Fault injection: Down (connections reset), Slow, Block (held until
// Release, with a channel telling when a call is in), HTTP500/HTTPStatus,
// Fault (a model's method answers an Odoo fault); Calls and Executed count
// calls per model and method for exactly-once assertions.
//
//	srv := odootest.New(t, odootest.Options{})
//	c, _ := odoo.New(odoo.Config{URL: srv.URL, DB: srv.DB(), Login: "admin", APIKey: "admin"}, nil)
//	srv.HTTP500(2)                     // the next two calls fail with 500
//	ids, err := c.CreateBatch(ctx, "res.partner", rows)
//	srv.Executed("res.partner", "create") // 1
package odootest

import (
	"bytes"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/rpc/xmlrpc"
)

// DefaultModels are installed unless Options.Models says otherwise.
var DefaultModels = []string{
	"ir.model", "ir.model.data", "res.users", "res.partner", "product.product", "product.template",
	"product.category", "product.tag", "loyalty.program", "loyalty.rule", "loyalty.reward", "loyalty.card",
}

// Options configure a Server. Zero fields take Odoo 17 demo defaults:
// database "peer", login "admin", password "admin", uid 2.
type Options struct {
	DB, Login, Password string
	UID                 int64
	// Models are the installed models (DefaultModels when nil); ir.model
	// lists them and execute_kw on any other faults "Object X doesn't
	// exist". ir.model and ir.model.data are always installed.
	Models []string
	// Relations declares many2one fields, model → field → comodel, which
	// read and search_read render as [id, name].
	Relations map[string]map[string]string
	// Clock gives the time of each call, Odoo's transaction start, which
	// create and write store, to the second, as write_date (time.Now).
	Clock func() time.Time
	// Version is server_version ("17.0-20240709").
	Version string
	// SubSecond stores create_date and write_date with the clock's
	// microseconds, as Odoo's PostgreSQL columns do, while read and
	// search_read show them to the second, as Odoo does; domains compare
	// the stored value ("write_date = '10:00:00'" does not match
	// 10:00:00.5). Off: whole seconds throughout.
	SubSecond bool
}

// Server is a running fake Odoo. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, as Config.URL of an odoo.Client.
	URL string

	srv *httptest.Server
	opt Options

	mu       sync.Mutex
	tables   map[string]*table
	calls    map[string]int
	executed map[string]int
	down     bool
	slow     time.Duration
	gate     chan struct{}
	entered  chan string
	statuses []injectedStatus
	faults   map[string]*fault

	fieldTypes map[string]map[string]string // declared by Fields (fields.go)
	web        webState                     // users, sessions, request log (web.go)
}

type injectedStatus struct {
	code   int
	header http.Header
}

// New starts a Server, closed when tb ends.
func New(tb testing.TB, opt Options) *Server {
	tb.Helper()
	opt.DB = cmpOr(opt.DB, "peer")
	opt.Login = cmpOr(opt.Login, "admin")
	opt.Password = cmpOr(opt.Password, "admin")
	opt.Version = cmpOr(opt.Version, "17.0-20240709")
	if opt.UID == 0 {
		opt.UID = 2
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Models == nil {
		opt.Models = DefaultModels
	}
	s := &Server{
		opt:      opt,
		tables:   map[string]*table{},
		calls:    map[string]int{},
		executed: map[string]int{},
		faults:   map[string]*fault{},
	}
	s.Install(append([]string{"ir.model", "ir.model.data"}, opt.Models...)...)
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Close stops the server; calls still blocked are released.
func (s *Server) Close() {
	s.Release()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// DB, Login and Password are the credentials the server accepts.
func (s *Server) DB() string       { return s.opt.DB }
func (s *Server) Login() string    { return s.opt.Login }
func (s *Server) Password() string { return s.opt.Password }

// UID is the uid of Login.
func (s *Server) UID() int64 { return s.opt.UID }

// Install adds models (and their ir.model rows); installing twice is a no-op.
func (s *Server) Install(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, n := range names {
		if _, ok := s.tables[n]; ok {
			continue
		}
		s.tables[n] = &table{rows: map[int64]map[string]any{}}
		s.insert(s.tables["ir.model"], map[string]any{"model": n, "name": n, "state": "base"}, now)
	}
}

// SetClock replaces the clock; write_date of later calls follows it.
func (s *Server) SetClock(clock func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.Clock = clock
}

// now is the current call's write_date; s.mu is held.
func (s *Server) now() string {
	t := s.opt.Clock().UTC()
	if s.opt.SubSecond {
		return t.Truncate(time.Microsecond).Format("2006-01-02 15:04:05.999999")
	}
	return t.Truncate(time.Second).Format("2006-01-02 15:04:05")
}

// Insert adds a record directly, bypassing counters and injected faults,
// with write_date from the clock; it returns the id.
func (s *Server) Insert(model string, vals map[string]any) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[model]
	if t == nil {
		panic("odootest: model not installed: " + model)
	}
	vals, _ = normalize(vals).(map[string]any)
	return s.insert(t, vals, s.now())
}

// Records returns copies of model's records, by id.
func (s *Server) Records(model string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[model]
	if t == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(t.rows))
	for _, id := range slices.Sorted(maps.Keys(t.rows)) {
		out = append(out, maps.Clone(t.rows[id]))
	}
	return out
}

// Down makes the server drop every connection (reset, no answer) until Up.
func (s *Server) Down() { s.mu.Lock(); s.down = true; s.mu.Unlock() }

// Up ends Down.
func (s *Server) Up() { s.mu.Lock(); s.down = false; s.mu.Unlock() }

// Slow delays every call by d (0 ends it); the delay ends early when the
// client goes away.
func (s *Server) Slow(d time.Duration) { s.mu.Lock(); s.slow = d; s.mu.Unlock() }

// Block holds every following call at the server until Release (or until
// its client goes away). entered receives "model.method" ("common.method")
// of each call as it is held, so a test can act once a call is in flight
// without sleeping.
func (s *Server) Block() (entered <-chan string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gate == nil {
		s.gate = make(chan struct{})
		s.entered = make(chan string, 1024)
	}
	return s.entered
}

// Release lets blocked calls go and ends Block.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gate != nil {
		close(s.gate)
		s.gate = nil
	}
}

// HTTP500 answers the next n calls with HTTP 500 and an HTML body, like a
// crashed worker behind a proxy.
func (s *Server) HTTP500(n int) { s.HTTPStatus(http.StatusInternalServerError, n, nil) }

// HTTPStatus answers the next n calls with status code and header (for
// example 429 or 503 with Retry-After).
func (s *Server) HTTPStatus(code, n int, header http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.statuses = append(s.statuses, injectedStatus{code: code, header: header})
	}
}

// Fault makes every call of model.method answer with an Odoo fault until
// ClearFaults, shaped as Odoo 17's /xmlrpc/2 does: code 1 carries a
// traceback ending "exceptionName: message"; codes 2 (UserError,
// ValidationError, MissingError), 3 (AccessDenied) and 4 (AccessError) carry
// the message alone, as the captures show. method "*" matches any method.
func (s *Server) Fault(model, method string, code int, exceptionName, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[model+"."+method] = &fault{code: code, name: exceptionName, msg: message}
}

// ClearFaults removes the faults set by Fault.
func (s *Server) ClearFaults() { s.mu.Lock(); clear(s.faults); s.mu.Unlock() }

// Calls counts the calls of model.method that reached the server and were
// decoded, whatever their answer (an injected 500 or fault included). For
// the common service model is "common".
func (s *Server) Calls(model, method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[model+"."+method]
}

// Executed counts the calls of model.method that were run on the store
// (not answered by an injected status or fault, not cut by their client).
func (s *Server) Executed(model, method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.executed[model+"."+method]
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		reset(w)
		return
	}
	r = s.record(r)
	if s.serveWeb(w, r) {
		return
	}
	service, ok := strings.CutPrefix(r.URL.Path, "/xmlrpc/2/")
	if !ok {
		service, ok = strings.CutPrefix(r.URL.Path, "/xmlrpc/")
	}
	if r.Method != http.MethodPost || !ok || (service != "common" && service != "object") {
		http.NotFound(w, r)
		return
	}
	method, params, err := xmlrpc.DecodeCall(r.Body, xmlrpc.Limits{})
	if err != nil {
		var buf bytes.Buffer
		faultBody(&buf, &fault{code: 1, name: "xml.parsers.expat.ExpatError", msg: err.Error()})
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
		return
	}
	key := "common." + method
	if service == "object" && len(params) >= 5 {
		m, _ := params[3].(string)
		f, _ := params[4].(string)
		key = m + "." + f
	}

	if !s.hold(r, key) {
		return
	}

	status, header, body := s.answer(service, method, key, params)
	maps.Copy(w.Header(), header)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// answer computes the reply of one decoded call under s.mu.
func (s *Server) answer(service, method, key string, params []any) (int, http.Header, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.statuses) > 0 {
		st := s.statuses[0]
		s.statuses = s.statuses[1:]
		h := st.header.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		body := fmt.Sprintf("<html><body><h1>%d %s</h1></body></html>\n", st.code, http.StatusText(st.code))
		return st.code, h, []byte(body)
	}
	var result any
	var err error
	if service == "common" {
		result, err = s.common(method, params)
	} else {
		result, err = s.object(key, method, params)
	}
	var buf bytes.Buffer
	if err == nil {
		err = xmlrpc.EncodeResponse(&buf, result)
		if err != nil {
			err = &fault{code: 1, name: "TypeError", msg: err.Error()}
		}
	}
	if err != nil {
		buf.Reset()
		faultBody(&buf, err)
	}
	return http.StatusOK, http.Header{"Content-Type": {"text/xml; charset=utf-8"}}, buf.Bytes()
}

// common serves the common service; s.mu is held.
func (s *Server) common(method string, params []any) (any, error) {
	switch method {
	case "version":
		// server_version_info and server_serie follow Options.Version
		// ("18.0-20241010" → [18, 0, 0, "final", 0, ""], "18.0").
		serie, _, _ := strings.Cut(s.opt.Version, "-")
		var major, minor int64
		_, _ = fmt.Sscanf(serie, "%d.%d", &major, &minor)
		return models.D("server_version", s.opt.Version,
			"server_version_info", []any{major, minor, int64(0), "final", int64(0), ""},
			"server_serie", serie, "protocol_version", int64(1)), nil
	case "login", "authenticate":
		if method == "authenticate" && len(params) != 4 {
			return nil, &fault{code: 1, name: "TypeError", msg: "exp_authenticate() missing 1 required positional argument: 'user_agent_env'"}
		}
		if len(params) < 3 {
			return nil, &fault{code: 1, name: "TypeError", msg: "exp_login() missing required positional arguments"}
		}
		if uid := s.login(params[0], params[1], params[2]); uid != 0 {
			return uid, nil
		}
		return false, nil
	}
	return nil, &fault{code: 1, name: "Exception", msg: "Method not found: " + method}
}

// object serves execute_kw; s.mu is held.
func (s *Server) object(key, method string, params []any) (any, error) {
	if method != "execute_kw" {
		return nil, &fault{code: 1, name: "NameError", msg: "Method not available " + method}
	}
	if len(params) < 6 {
		return nil, &fault{code: 1, name: "TypeError", msg: "execute_kw() missing required positional arguments"}
	}
	uid, _ := params[1].(int64)
	if params[0] != s.opt.DB || !s.checkUser(uid, params[2]) {
		return nil, &fault{code: 3, msg: "Access Denied"}
	}
	model, _ := params[3].(string)
	method, _ = params[4].(string)
	args, _ := params[5].([]any)
	var kw map[string]any
	if len(params) > 6 {
		kw, _ = params[6].(map[string]any)
	}
	if f := s.faults[key]; f != nil {
		return nil, f
	}
	if f := s.faults[model+".*"]; f != nil {
		return nil, f
	}
	args, _ = normalize(args).([]any)
	kw, _ = normalize(kw).(map[string]any)
	res, err := s.executeAs(uid, model, method, args, kw)
	if err == nil {
		s.executed[key]++
	}
	return res, err
}

// normalize turns nil containers into empty ones and copies values, so the
// store never aliases a request.
func normalize(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case int:
		return int64(x)
	}
	return v
}

// faultBody writes err as Odoo 17's /xmlrpc/2 fault.
func faultBody(buf *bytes.Buffer, err error) {
	f, ok := err.(*fault)
	if !ok {
		f = &fault{code: 1, name: "Exception", msg: err.Error()}
	}
	text := f.msg
	if f.code == 1 {
		text = Traceback(f.name, f.msg)
	}
	_ = xmlrpc.EncodeFault(buf, f.code, text)
}

// Traceback renders a Python traceback as Odoo 17 puts it in a fault 1
// string, ending "name: msg".
func Traceback(name, msg string) string {
	return "Traceback (most recent call last):\n" +
		"  File \"odoo/odoo/addons/base/controllers/rpc.py\", line 147, in xmlrpc_2\n" +
		"    response = self._xmlrpc(service)\n" +
		"               ^^^^^^^^^^^^^^^^^^^^^\n" +
		"  File \"odoo/odoo/service/model.py\", line 133, in retrying\n" +
		"    result = func()\n" +
		"             ^^^^^^\n" +
		name + ": " + msg + "\n"
}

// reset drops the connection without an answer, with a TCP reset where
// possible.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
