package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// pyDict is a Python dict: its members keep their insertion order, as
// xmlrpc.client writes them.
type pyDict []pyItem

// pyItem is one member of a pyDict.
type pyItem struct {
	Key   string
	Value any
}

// pyCall returns the body Python's xmlrpc.client sends for
// ServerProxy(...).<method>(*params): the same bytes, byte for byte.
func pyCall(method string, params ...any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>")
	pyEscape(&b, method)
	b.WriteString("</methodName>\n<params>\n")
	for _, p := range params {
		b.WriteString("<param>\n")
		if err := pyMarshal(&b, p); err != nil {
			return nil, err
		}
		b.WriteString("</param>\n")
	}
	b.WriteString("</params>\n</methodCall>\n")
	return b.Bytes(), nil
}

// pyMarshal writes v as xmlrpc.client.Marshaller does: strings, ints
// (32-bit, as Python refuses wider ones), booleans, lists and dicts.
func pyMarshal(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case string:
		b.WriteString("<value><string>")
		pyEscape(b, v)
		b.WriteString("</string></value>\n")
	case int:
		return pyMarshal(b, int64(v))
	case int64:
		if v > math.MaxInt32 || v < math.MinInt32 {
			return fmt.Errorf("marshal %d: int exceeds XML-RPC limits", v)
		}
		b.WriteString("<value><int>")
		b.WriteString(strconv.FormatInt(v, 10))
		b.WriteString("</int></value>\n")
	case bool:
		if v {
			b.WriteString("<value><boolean>1</boolean></value>\n")
		} else {
			b.WriteString("<value><boolean>0</boolean></value>\n")
		}
	case []any:
		b.WriteString("<value><array><data>\n")
		for _, e := range v {
			if err := pyMarshal(b, e); err != nil {
				return err
			}
		}
		b.WriteString("</data></array></value>\n")
	case []string:
		items := make([]any, len(v))
		for i, s := range v {
			items[i] = s
		}
		return pyMarshal(b, items)
	case pyDict:
		b.WriteString("<value><struct>\n")
		for _, it := range v {
			b.WriteString("<member>\n<name>")
			pyEscape(b, it.Key)
			b.WriteString("</name>\n")
			if err := pyMarshal(b, it.Value); err != nil {
				return err
			}
			b.WriteString("</member>\n")
		}
		b.WriteString("</struct></value>\n")
	default:
		return fmt.Errorf("marshal %T: not a type the bench sends", v)
	}
	return nil
}

// pyEscaper is xmlrpc.client.escape: only &, < and > are replaced.
var pyEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func pyEscape(b *bytes.Buffer, s string) { _, _ = pyEscaper.WriteString(b, s) }

// cardFields are the fields the benchmarked search_read asks for.
var cardFields = []string{"code", "points", "partner_id", "program_id", "expiration_date"}

// credentials are what every execute_kw call carries.
type credentials struct {
	DB       string
	UID      int64
	Password string
}

// searchByPartnerXML is loyalty.card search_read for partner over
// XML-RPC, as xmlrpc.client encodes it.
func searchByPartnerXML(cr credentials, partner int64) ([]byte, error) {
	domain := []any{[]any{"partner_id", "=", partner}}
	kwargs := pyDict{{"fields", cardFields}, {"limit", searchLimit}}
	return pyCall("execute_kw", cr.DB, cr.UID, cr.Password, "loyalty.card", "search_read", []any{domain}, kwargs)
}

// jsonCall is a JSON-RPC request envelope; its fields encode in the order
// Odoo's documentation writes them.
type jsonCall struct {
	JSONRPC string     `json:"jsonrpc"`
	Method  string     `json:"method"`
	Params  jsonParams `json:"params"`
	ID      int64      `json:"id"`
}

// jsonParams are the params of a call to a service method.
type jsonParams struct {
	Service string `json:"service"`
	Method  string `json:"method"`
	Args    []any  `json:"args"`
}

// searchReadKwargs are the keyword arguments of the benchmarked call.
type searchReadKwargs struct {
	Fields []string `json:"fields"`
	Limit  int      `json:"limit"`
}

// searchByPartnerJSON is the same call over JSON-RPC, compact JSON, with
// request id id.
func searchByPartnerJSON(cr credentials, partner, id int64) ([]byte, error) {
	domain := []any{[]any{"partner_id", "=", partner}}
	args := []any{cr.DB, cr.UID, cr.Password, "loyalty.card", "search_read", []any{domain},
		searchReadKwargs{Fields: cardFields, Limit: searchLimit}}
	b, err := json.Marshal(jsonCall{JSONRPC: "2.0", Method: "call", ID: id,
		Params: jsonParams{Service: "object", Method: "execute_kw", Args: args}})
	if err != nil {
		return nil, fmt.Errorf("encode json call: %w", err)
	}
	return b, nil
}

// protocol is one way of calling the server: its path, request headers
// and request encoder.
type protocol struct {
	Name   string
	Path   string
	Header http.Header
	encode func(cr credentials, partner, id int64) ([]byte, error)
}

// protocols are the benchmarked protocols. The XML-RPC headers are those
// xmlrpc.client sends (Host and Content-Length come from net/http).
var protocols = []protocol{
	{
		Name: "xml-rpc", Path: "/xmlrpc/2/object",
		Header: http.Header{
			"Accept-Encoding": {"gzip"},
			"Content-Type":    {"text/xml"},
			"User-Agent":      {"Python-xmlrpc/3.11"},
		},
		encode: func(cr credentials, partner, _ int64) ([]byte, error) { return searchByPartnerXML(cr, partner) },
	},
	{
		Name: "json-rpc", Path: "/jsonrpc",
		Header: http.Header{
			"Content-Type": {"application/json"},
			"User-Agent":   {"loyaltyd-bench"},
		},
		encode: searchByPartnerJSON,
	},
}
