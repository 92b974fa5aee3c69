package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
)

// UseUpstream makes the server the local half of a pass-through to an
// upstream Odoo (odoo/proxy): credentials and web sessions are the
// upstream's (auth and sessions check them there), and clients send the
// upstream's database name, dbName, which replaces the configured one when
// not empty. Call it before serving.
func (s *Server) UseUpstream(auth Authenticator, sessions SessionStore, dbName string) {
	s.auth = auth
	s.sessions = sessions
	if dbName != "" {
		s.cfg.DBName = dbName
	}
}

// DBName is the database name clients must send.
func (s *Server) DBName() string { return s.cfg.DBName }

// WriteFault answers a request on path with err as Odoo would put it there:
// an /xmlrpc/2 fault (integer code), a legacy /xmlrpc fault (string code),
// or a JSON-RPC error object whose id is the one of the JSON body. It is
// for the parts in front of the server (the pass-through) that must fail a
// call in the protocol of its route.
func WriteFault(ctx context.Context, w http.ResponseWriter, path string, body []byte, err error, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	rt := &route{proto: protoJSON}
	switch {
	case strings.HasPrefix(path, "/xmlrpc/2/"):
		rt.proto = protoXML2
	case strings.HasPrefix(path, "/xmlrpc/"):
		rt.proto = protoXMLOld
	}
	id := []byte("null")
	if rt.proto == protoJSON && len(body) > 0 {
		var env struct {
			ID json.RawMessage `json:"id"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		if dec.Decode(&env) == nil && len(env.ID) > 0 {
			var v any
			d := json.NewDecoder(bytes.NewReader(env.ID))
			d.UseNumber()
			if d.Decode(&v) == nil {
				if b, err := appendJSON(nil, NormalizeJSON(v)); err == nil {
					id = b
				}
			}
		}
	}
	s := &Server{log: log}
	s.writeFault(w, rt, id, faultFor(ctx, log, path, err))
}
