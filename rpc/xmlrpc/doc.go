// Package xmlrpc is the server side XML-RPC value codec of loyaltyd. It reads
// requests the way Odoo 17 does (Python's xmlrpc.client.loads) and writes
// responses byte for byte as Odoo 17 does (Python's xmlrpc.client.dumps with
// Odoo's marshaller), so that unmodified Odoo clients cannot tell the
// difference.
//
// DecodeCall turns a <methodCall> into a method name and params made of
// string, int64, float64, bool, decimal.Decimal, nil, []any, map[string]any,
// []byte and time.Time. It works on the token stream of encoding/xml,
// refuses DOCTYPEs and anything out of place, bounds nesting and the number
// of values (Limits), and reports every problem as a *DecodeError whose text
// reads like the Python exception Odoo would have raised.
//
// EncodeResponse and EncodeFault write a whole methodResponse. Strings lose
// their control characters, times and bytes go out as strings, doubles use
// Python's repr, *models.Dict keeps its key order and Go maps are sorted. A
// value Python could not marshal (None, an int outside 32 bits, a map with
// non-string keys) gives a *MarshalError before anything is written, which
// the caller turns into the fault Odoo would send.
//
// A handler for /xmlrpc/2/object looks like:
//
//	method, params, err := xmlrpc.DecodeCall(r.Body, xmlrpc.Limits{})
//	if err != nil {
//		var de *xmlrpc.DecodeError
//		// errors.As(err, &de): fault 1 with a traceback ending de.TracebackLine()
//	}
//	result, err := dispatch(ctx, method, params)
//	var buf bytes.Buffer
//	if err == nil {
//		err = xmlrpc.EncodeResponse(&buf, result) // may be a *MarshalError
//	}
//	if err != nil {
//		buf.Reset()
//		_ = xmlrpc.EncodeFault(&buf, faultCode(err), faultString(err))
//	}
//	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
//	_, _ = w.Write(buf.Bytes())
package xmlrpc
