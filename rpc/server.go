package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	gorilla "github.com/gorilla/rpc/v2"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/rpc/xmlrpc"
)

// Executor runs ORM calls (models.Registry implements it).
type Executor interface {
	// Execute runs model.method(*args, **kwargs) for env. It returns
	// *models.Error values for everything a client caused.
	Execute(ctx context.Context, env *models.Env, model, method string, args []any, kwargs map[string]any) (any, error)
	// Model returns the model's descriptor, or nil when it is not served.
	Model(name string) *models.Model
	// IsRecordMethod reports whether model.method takes record ids first.
	IsRecordMethod(model, method string) bool
}

// Principal is an authenticated user as the protocol layer needs it.
type Principal struct {
	UID       int64
	Login     string
	Name      string
	Lang      string
	TZ        string
	PartnerID int64
	CompanyID int64
	Groups    map[string]bool
}

// Authenticator checks credentials (models/auth implements it through an
// adapter in cmd).
type Authenticator interface {
	// Authenticate returns the uid for login and password (or API key when
	// not interactive); models.ErrAccessDenied when they are wrong,
	// models.ErrTooManyFailures while the login is throttled.
	Authenticate(ctx context.Context, login, password string, interactive bool, remoteAddr string) (int64, error)
	// Check verifies uid's password or API key for an object call;
	// models.ErrAccessDenied when wrong.
	Check(ctx context.Context, uid int64, password string) (*Principal, error)
	// Principal loads an active user; models.ErrAccessDenied when unknown.
	Principal(ctx context.Context, uid int64) (*Principal, error)
	// APIKey returns the user of an API key (bearer authentication);
	// models.ErrAccessDenied when the key is not valid.
	APIKey(ctx context.Context, key string) (*Principal, error)
}

// Config configures the protocol layer.
type Config struct {
	DBName       string        // the one database name clients send
	Version      string        // server_version, "17.0" by default
	MaxBodyBytes int64         // request bodies above are refused (default 16 MiB)
	XMLLimits    xmlrpc.Limits // nesting and element bounds of XML-RPC requests
	CallTimeout  time.Duration // deadline of one call (default 60 s)
	NoDBList     bool          // refuse db.list (Odoo's --no-database-list)
	BaseURL      string        // web.base.url in session_info
	Modules      []string      // installed modules reported to web clients
}

// Server is the http.Handler serving Odoo's external API.
type Server struct {
	cfg      Config
	version  versionInfo
	exec     Executor
	auth     Authenticator
	sessions SessionStore
	log      *slog.Logger
	rpc      *gorilla.Server
	mux      *http.ServeMux
	// Health, when set, is called by /web/health; an error makes it 503.
	Health func(ctx context.Context) error
	// HealthInfo, when set, adds its keys to /web/health's JSON body
	// (e.g. "sync": the outbox's figures); an error only leaves them out.
	HealthInfo func(ctx context.Context) (map[string]any, error)
}

// NewServer builds the handler. sessions may be nil (in-memory sessions).
func NewServer(cfg Config, exec Executor, auth Authenticator, sessions SessionStore, log *slog.Logger) (*Server, error) {
	if cfg.DBName == "" {
		return nil, errors.New("rpc: a database name is required")
	}
	if cfg.Version == "" {
		cfg.Version = "17.0"
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 16 << 20
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 60 * time.Second
	}
	if len(cfg.Modules) == 0 {
		cfg.Modules = []string{"base", "web", "loyalty", "point_of_sale", "pos_loyalty"}
	}
	if log == nil {
		log = slog.Default()
	}
	if sessions == nil {
		sessions = NewMemorySessions(7 * 24 * time.Hour)
	}
	v, err := parseVersion(cfg.Version)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, version: v, exec: exec, auth: auth, sessions: sessions, log: log}
	s.rpc = gorilla.NewServer()
	s.rpc.RegisterCodec(&xmlCodec{s: s}, xmlContentType)
	jc := &jsonCodec{s: s}
	s.rpc.RegisterCodec(jc, "application/json")
	s.rpc.RegisterCodec(jc, "application/json-rpc")
	for name, svc := range map[string]any{
		"common": &commonService{s}, "db": &dbService{s}, "object": &objectService{s}, "web": &webService{s},
	} {
		if err := s.rpc.RegisterService(svc, name); err != nil {
			return nil, fmt.Errorf("rpc: register %s: %w", name, err)
		}
	}
	s.routes()
	return s, nil
}

const xmlContentType = "text/xml"

// proto says how a route speaks and reports faults.
type proto int

const (
	protoXML2   proto = iota // /xmlrpc/2/<service>: integer fault codes
	protoXMLOld              // /xmlrpc/<service>: string fault codes
	protoJSON                // /jsonrpc and /web/* JSON routes
)

// route is what the codecs learn from the URL.
type route struct {
	proto   proto
	service string // XML-RPC service from the path
	web     string // Go method of the web service for /web/* routes
	body    []byte
	cookie  *http.Cookie // set by web methods, written by the codec
	remote  string
}

type routeKey struct{}

func routeFrom(ctx context.Context) *route {
	r, _ := ctx.Value(routeKey{}).(*route)
	return r
}

func (s *Server) routes() {
	m := http.NewServeMux()
	for _, svc := range []string{"common", "object", "db"} {
		m.Handle("/xmlrpc/2/"+svc, s.handle(route{proto: protoXML2, service: svc}))
		m.Handle("/xmlrpc/"+svc, s.handle(route{proto: protoXMLOld, service: svc}))
	}
	m.Handle("/jsonrpc", s.handle(route{proto: protoJSON}))
	web := map[string]string{
		"/web/webclient/version_info":   "VersionInfo",
		"/web/session/authenticate":     "SessionAuthenticate",
		"/web/session/get_session_info": "GetSessionInfo",
		"/web/session/destroy":          "SessionDestroy",
		"/web/session/check":            "SessionCheck",
		"/web/session/modules":          "SessionModules",
		"/web/dataset/call_kw":          "CallKw",
		"/web/dataset/call_kw/":         "CallKw",
		"/web/dataset/call_button":      "CallButton",
		"/web/dataset/call_button/":     "CallButton",
		"/web/database/list":            "DatabaseList",
	}
	for path, method := range web {
		m.Handle(path, s.handle(route{proto: protoJSON, web: method}))
	}
	m.HandleFunc("/web/health", s.health)
	m.HandleFunc("POST /json/2/{model}/{method}", s.json2)
	m.HandleFunc("/json/2/", s.json2NotFound)
	m.HandleFunc("/json/2", s.json2NotFound)
	s.mux = m
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "loyaltyd")
	s.mux.ServeHTTP(w, r)
}

// handle wraps one route: body limit, content type, deadline, panic
// recovery, then gorilla's dispatch through our codecs.
func (s *Server) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		body, status := readBody(w, r, s.cfg.MaxBodyBytes)
		if status != 0 {
			http.Error(w, strconv.Itoa(status)+" "+http.StatusText(status), status)
			return
		}
		req := rt
		req.body = body
		req.remote = remoteIP(r)
		if rt.proto == protoJSON {
			ct := strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]))
			if ct != "application/json" && ct != "application/json-rpc" {
				http.Error(w, fmt.Sprintf("400 Bad Request: Request inferred type is compatible with ['http'] but %s is type='json'.", r.URL.Path), http.StatusBadRequest)
				return
			}
		} else {
			// Odoo parses any POST on the XML-RPC paths as XML, whatever
			// the client says its content type is.
			r.Header.Set("Content-Type", xmlContentType)
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.CallTimeout)
		defer cancel()
		r = r.WithContext(context.WithValue(ctx, routeKey{}, &req))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(ctx, "panic serving request", slog.String("path", r.URL.Path), slog.Any("panic", p))
				f := faultFor(ctx, s.log, r.URL.Path, models.Internal(fmt.Errorf("panic: %v", p)))
				s.writeFault(w, &req, nil, f)
			}
		}()
		s.rpc.ServeHTTP(w, r)
	})
}

// readBody reads a request body of at most limit bytes; a non-zero status
// (413 for a larger body, 400 for a broken one) means it could not.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, int) {
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge
		}
		return nil, http.StatusBadRequest
	}
	return body, 0
}

// writeFault writes f in the protocol of rt; id is the JSON request id.
func (s *Server) writeFault(w http.ResponseWriter, rt *route, id []byte, f Fault) {
	switch rt.proto {
	case protoXML2:
		writeXMLFault(w, f.XMLCode(), f.XMLString())
	case protoXMLOld:
		writeXMLFault(w, f.LegacyCode(), f.LegacyString())
	default:
		code, msg := f.JSONCode()
		writeJSONEnvelope(w, id, "error", models.D("code", code, "message", msg, "data", f.JSONData()), nil)
	}
}

func writeXMLFault(w http.ResponseWriter, code any, msg string) {
	var buf bytes.Buffer
	if err := xmlrpc.EncodeFault(&buf, code, msg); err != nil {
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	status, code := "pass", http.StatusOK
	if s.Health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := s.Health(ctx); err != nil {
			s.log.WarnContext(ctx, "health check failed", slog.Any("err", err))
			status, code = "fail", http.StatusServiceUnavailable
		}
	}
	body := []byte(`{"status": "` + status + `"}`)
	if s.HealthInfo != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		info, err := s.HealthInfo(ctx)
		if err != nil {
			s.log.WarnContext(ctx, "health info failed", slog.Any("err", err))
		}
		for _, k := range slices.Sorted(maps.Keys(info)) {
			if k == "status" {
				continue
			}
			if v, err := json.Marshal(info[k]); err == nil {
				kj, _ := json.Marshal(k)
				body = append(append(append(append(body[:len(body)-1], ", "...), kj...), ": "...), append(v, '}')...)
			}
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// remoteIP is the client address without its port.
func remoteIP(r *http.Request) string {
	addr := r.RemoteAddr
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}
