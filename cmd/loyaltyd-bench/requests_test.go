package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// pythonSearchRead is what Python 3.11's xmlrpc.client sent for
// execute_kw("loyalty", 2, "pw<&>", "loyalty.card", "search_read",
// [[["partner_id", "=", 7]]], {"fields": ["code", "points"], "limit": 10}).
const pythonSearchRead = "<?xml version='1.0'?>\n<methodCall>\n<methodName>execute_kw</methodName>\n<params>\n" +
	"<param>\n<value><string>loyalty</string></value>\n</param>\n" +
	"<param>\n<value><int>2</int></value>\n</param>\n" +
	"<param>\n<value><string>pw&lt;&amp;&gt;</string></value>\n</param>\n" +
	"<param>\n<value><string>loyalty.card</string></value>\n</param>\n" +
	"<param>\n<value><string>search_read</string></value>\n</param>\n" +
	"<param>\n<value><array><data>\n<value><array><data>\n<value><array><data>\n" +
	"<value><string>partner_id</string></value>\n<value><string>=</string></value>\n<value><int>7</int></value>\n" +
	"</data></array></value>\n</data></array></value>\n</data></array></value>\n</param>\n" +
	"<param>\n<value><struct>\n<member>\n<name>fields</name>\n<value><array><data>\n" +
	"<value><string>code</string></value>\n<value><string>points</string></value>\n</data></array></value>\n" +
	"</member>\n<member>\n<name>limit</name>\n<value><int>10</int></value>\n</member>\n</struct></value>\n" +
	"</param>\n</params>\n</methodCall>\n"

func TestPyCallMatchesPython(t *testing.T) {
	got, err := pyCall("execute_kw", "loyalty", int64(2), "pw<&>", "loyalty.card", "search_read",
		[]any{[]any{[]any{"partner_id", "=", int64(7)}}},
		pyDict{{"fields", []string{"code", "points"}}, {"limit", 10}})
	require.NoError(t, err)
	require.Equal(t, pythonSearchRead, string(got))
}

func TestPyMarshalRefuses(t *testing.T) {
	_, err := pyCall("m", int64(1)<<31)
	require.ErrorContains(t, err, "exceeds XML-RPC limits")
	_, err = pyCall("m", 1.5)
	require.Error(t, err)
	got, err := pyCall("m", true, false)
	require.NoError(t, err)
	require.Contains(t, string(got), "<value><boolean>1</boolean></value>\n</param>\n<param>\n<value><boolean>0</boolean></value>\n")
}

func TestSearchByPartnerJSON(t *testing.T) {
	got, err := searchByPartnerJSON(credentials{DB: "bench", UID: 2, Password: "pw"}, 42, 7)
	require.NoError(t, err)
	require.Equal(t, `{"jsonrpc":"2.0","method":"call","params":{"service":"object","method":"execute_kw",`+
		`"args":["bench",2,"pw","loyalty.card","search_read",[[["partner_id","=",42]]],`+
		`{"fields":["code","points","partner_id","program_id","expiration_date"],"limit":10}]},"id":7}`, string(got))
	require.True(t, json.Valid(got))
}

func TestRequireLoopback(t *testing.T) {
	require.NoError(t, requireLoopback("http://127.0.0.1:8069"))
	require.NoError(t, requireLoopback("http://[::1]:8069"))
	require.Error(t, requireLoopback("http://10.0.0.1:8069"))
	require.Error(t, requireLoopback("http://localhost:8069"), "names are not resolved")
}
