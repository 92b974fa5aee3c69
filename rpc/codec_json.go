package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	gorilla "github.com/gorilla/rpc/v2"

	"github.com/odoo-loyalty/loyaltyd/models"
)

// jsonCodec decodes Odoo's JSON-RPC envelopes: /jsonrpc's
// {service, method, args} and the /web/* routes' named params.
type jsonCodec struct{ s *Server }

// errBadEnvelope is an unparseable body: HTTP 400 with plain text, as
// Odoo's JsonRPCDispatcher answers.
type errBadEnvelope struct{ text string }

func (e *errBadEnvelope) Error() string { return e.text }

func (c *jsonCodec) NewRequest(r *http.Request) gorilla.CodecRequest {
	rt := routeFrom(r.Context())
	req := &jsonRequest{ctx: r.Context(), s: c.s, rt: rt, id: []byte("null")}
	dec := json.NewDecoder(bytes.NewReader(rt.body))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		req.err = &errBadEnvelope{"Invalid JSON data"}
		return req
	}
	obj, ok := top.(map[string]any)
	if !ok {
		req.err = &errBadEnvelope{"Invalid JSON-RPC data"}
		return req
	}
	if id, err := appendJSON(nil, NormalizeJSON(obj["id"])); err == nil {
		req.id = id
	}
	params, _ := NormalizeJSON(obj["params"]).(map[string]any)
	if params == nil {
		params = map[string]any{}
	}
	if rt.web != "" {
		req.method = rt.web
		req.where = "web." + rt.web
		req.args = Args{Named: params}
		return req
	}
	service, _ := params["service"].(string)
	method, _ := params["method"].(string)
	req.where = service + "." + method
	args, _ := params["args"].([]any)
	req.args = Args{Params: args}
	if _, ok := params["service"]; !ok {
		req.err = models.TypeErrorf("jsonrpc() missing 1 required positional argument: 'service'")
		return req
	}
	req.method, req.err = c.s.goMethod(service, method)
	return req
}

type jsonRequest struct {
	ctx    context.Context
	s      *Server
	rt     *route
	id     []byte
	method string // "service.GoName"
	where  string
	args   Args
	err    error
}

func (j *jsonRequest) Method() (string, error) {
	if j.err != nil {
		return "", j.err
	}
	if j.rt.web != "" {
		return "web." + j.method, nil
	}
	return j.method, nil
}

func (j *jsonRequest) ReadRequest(args any) error {
	a, ok := args.(*Args)
	if !ok {
		return models.Internal(errors.New("json codec: unexpected args type"))
	}
	*a = j.args
	return nil
}

func (j *jsonRequest) WriteResponse(w http.ResponseWriter, reply any) {
	rep, _ := reply.(*Reply)
	if rep == nil || rep.None {
		writeJSONEnvelope(w, j.id, "", nil, j.rt.cookie)
		return
	}
	if _, err := appendJSON(nil, rep.Value); err != nil {
		j.WriteError(w, 0, err)
		return
	}
	writeJSONEnvelope(w, j.id, "result", rep.Value, j.rt.cookie)
}

func (j *jsonRequest) WriteError(w http.ResponseWriter, _ int, err error) {
	var bad *errBadEnvelope
	if errors.As(err, &bad) {
		http.Error(w, bad.text, http.StatusBadRequest)
		return
	}
	j.s.writeFault(w, j.rt, j.id, faultFor(j.ctx, j.s.log, j.where, err))
}

// writeJSONEnvelope writes {"jsonrpc": "2.0", "id": id, key: v}; an empty
// key leaves the member out (a None result).
func writeJSONEnvelope(w http.ResponseWriter, id []byte, key string, v any, cookie *http.Cookie) {
	if len(id) == 0 {
		id = []byte("null")
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"jsonrpc": "2.0", "id": `...)
	b = append(b, id...)
	if key != "" {
		b = append(b, `, "`...)
		b = append(b, key...)
		b = append(b, `": `...)
		var err error
		out, err := appendJSON(b, v)
		if err != nil {
			out = append(b, "null"...)
		}
		b = out
	}
	b = append(b, '}')
	if cookie != nil {
		http.SetCookie(w, cookie)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// NormalizeJSON turns json.Number into int64 (integral literals) or float64, as
// Python's json module does.
func NormalizeJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case []any:
		for i := range x {
			x[i] = NormalizeJSON(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = NormalizeJSON(x[k])
		}
		return x
	}
	return v
}
