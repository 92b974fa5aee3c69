package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// capture is one recorded HTTP exchange with a real Odoo 17
// (testdata/captures/*.txt).
type capture struct {
	name       string
	title      string
	method     string
	path       string
	reqHeader  http.Header
	reqBody    []byte
	status     int
	respHeader http.Header
	respBody   []byte
}

// loadCapture parses a capture file: comment lines, "===== REQUEST =====",
// the raw request, "===== RESPONSE =====", the raw response. Bodies are cut
// at their Content-Length.
func loadCapture(t testing.TB, path string) *capture {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &capture{name: strings.TrimSuffix(filepath.Base(path), ".txt")}
	if i := bytes.IndexByte(raw, '\n'); i > 0 && raw[0] == '#' {
		c.title = string(raw[2:i])
	}
	const reqMark, respMark = "===== REQUEST =====\n", "===== RESPONSE =====\n"
	ri := bytes.Index(raw, []byte(reqMark))
	pi := bytes.Index(raw, []byte(respMark))
	if ri < 0 || pi < ri {
		t.Fatalf("%s: no request/response markers", path)
	}
	reqPart, respPart := raw[ri+len(reqMark):pi], raw[pi+len(respMark):]
	var first string
	first, c.reqHeader, c.reqBody = parseHTTP(t, reqPart)
	f := strings.Fields(first)
	c.method, c.path = f[0], f[1]
	first, c.respHeader, c.respBody = parseHTTP(t, respPart)
	c.status, _ = strconv.Atoi(strings.Fields(first)[1])
	return c
}

func parseHTTP(t testing.TB, b []byte) (string, http.Header, []byte) {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(b))
	first, _ := r.ReadString('\n')
	h := http.Header{}
	for {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" || err != nil {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	var rest bytes.Buffer
	_, _ = rest.ReadFrom(r)
	body := rest.Bytes()
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n <= len(body) {
		body = body[:n]
	}
	return strings.TrimSpace(first), h, body
}

func (c *capture) String() string { return fmt.Sprintf("%s (%s %s)", c.name, c.method, c.path) }
