package rpc

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	gorilla "github.com/gorilla/rpc/v2"

	"github.com/odoo-loyalty/loyaltyd/models"
	"github.com/odoo-loyalty/loyaltyd/rpc/xmlrpc"
)

// Args are a call's arguments as the codecs decoded them: positional
// params (XML-RPC, /jsonrpc) or named params (/web/* routes).
type Args struct {
	Params []any
	Named  map[string]any
}

// Reply is a call's result. None marks a method that returned Python's
// None: JSON-RPC leaves "result" out, XML-RPC cannot marshal it.
type Reply struct {
	Value any
	None  bool
}

// xmlCodec decodes XML-RPC calls; the service comes from the URL.
type xmlCodec struct{ s *Server }

func (c *xmlCodec) NewRequest(r *http.Request) gorilla.CodecRequest {
	rt := routeFrom(r.Context())
	req := &xmlRequest{s: c.s, rt: rt, ctx: r.Context()}
	req.method, req.params, req.err = xmlrpc.DecodeCall(bytes.NewReader(rt.body), c.s.cfg.XMLLimits)
	if req.err != nil {
		var de *xmlrpc.DecodeError
		if errors.As(req.err, &de) {
			req.err = &models.Error{Kind: models.KindValue, Message: de.Msg, PyName: pyClass(de.TracebackLine())}
		}
	}
	return req
}

type xmlRequest struct {
	ctx    context.Context
	s      *Server
	rt     *route
	method string
	params []any
	err    error
}

func (x *xmlRequest) Method() (string, error) {
	if x.err != nil {
		return "", x.err
	}
	return x.s.goMethod(x.rt.service, x.method)
}

func (x *xmlRequest) ReadRequest(args any) error {
	a, ok := args.(*Args)
	if !ok {
		return models.Internal(errors.New("xml codec: unexpected args type"))
	}
	a.Params = x.params
	return nil
}

func (x *xmlRequest) WriteResponse(w http.ResponseWriter, reply any) {
	rep, _ := reply.(*Reply)
	if rep == nil || rep.None {
		x.WriteError(w, 0, models.TypeErrorf("cannot marshal None unless allow_none is enabled"))
		return
	}
	var buf bytes.Buffer
	if err := xmlrpc.EncodeResponse(&buf, rep.Value); err != nil {
		var me *xmlrpc.MarshalError
		if errors.As(err, &me) {
			err = &models.Error{Kind: models.KindType, Message: me.Msg, PyName: me.PyType}
		}
		x.WriteError(w, 0, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func (x *xmlRequest) WriteError(w http.ResponseWriter, _ int, err error) {
	where := x.rt.service + "." + x.method
	x.s.writeFault(w, x.rt, nil, faultFor(x.ctx, x.s.log, where, err))
}

// pyClass is the class part of a traceback's last line ("Type: message").
func pyClass(line string) string {
	if i := strings.Index(line, ": "); i > 0 {
		return line[:i]
	}
	return line
}
