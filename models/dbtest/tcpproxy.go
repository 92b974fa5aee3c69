package dbtest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// TCPProxy forwards TCP connections to a server (Redis, PostgreSQL) until
// stopped: Stop is that server going away for the clients that use the
// proxy's address, without touching the server the other tests share.
type TCPProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

// NewTCPProxy listens on a loopback port and forwards to target; it stops
// when tb ends.
func NewTCPProxy(tb testing.TB, target string) *TCPProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("dbtest: proxy: %v", err)
	}
	p := &TCPProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
			go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
		}
	}()
	tb.Cleanup(p.Stop)
	return p
}

// Addr is the address clients dial.
func (p *TCPProxy) Addr() string { return p.ln.Addr().String() }

// Stop closes the listener and every forwarded connection.
func (p *TCPProxy) Stop() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}
