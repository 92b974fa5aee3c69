package rpc

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// fuzzServe posts body to path on a server with fake back ends and checks
// that every answer is a complete HTTP response: no panic escapes, no
// dropped connection.
func fuzzServe(f *testing.F, path, ctype string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	b := setupServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		b.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if rec.Code == http.StatusOK && rec.Body.Len() == 0 {
			t.Fatalf("empty answer for %q", body)
		}
	})
}

func FuzzJSONRPC(f *testing.F) {
	fuzzServe(f, "/jsonrpc", "application/json",
		`{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]},"id":1}`,
		`{"params":{"service":"object","method":"execute_kw","args":["peer",2,"admin","loyalty.card","search_count",[[]],{"context":{"lang":"en_US"}}]},"id":"a"}`,
		`{"params":{"service":"object","method":"execute","args":["peer","2","admin","loyalty.card","boom"]}}`,
		`{"params":{"service":"db","method":"list","args":[]},"id":[1,{"x":null}]}`,
		`{"params":[]}`, `[]`, `1e999`, `{"params":{"service":1,"method":null,"args":{}}}`)
}

func FuzzWebCallKw(f *testing.F) {
	fuzzServe(f, "/web/dataset/call_kw/x", "application/json",
		`{"id":1,"params":{"model":"loyalty.card","method":"read","args":[[1]],"kwargs":{}}}`,
		`{"id":1,"params":{"model":null,"method":[],"args":7,"kwargs":"x"}}`)
}

func FuzzXMLRPCObject(f *testing.F) {
	fuzzServe(f, "/xmlrpc/2/object", "text/xml",
		xmlCall("execute_kw", "<string>peer</string>", "<int>2</int>", "<string>admin</string>",
			"<string>loyalty.card</string>", "<string>search_count</string>", "<array><data></data></array>"),
		xmlCall("execute", "<string>peer</string>", "<int>2</int>", "<string>admin</string>",
			"<string>loyalty.card</string>", "<string>none</string>"),
		"<methodCall><methodName>execute_kw</methodName><params><param><value><nil/></value></param></params></methodCall>",
		"<?xml version='1.0'?><methodCall>")
}
