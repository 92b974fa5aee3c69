package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// child is a process the bench started (the server under test or the
// ceiling) that announced its URL on stdout.
type child struct {
	name string
	cmd  *exec.Cmd
	url  string     // base URL, always a loopback address
	done chan error // receives Wait's result once
	log  *slog.Logger
}

// urlPattern finds the base URL in a child's banner line.
var urlPattern = regexp.MustCompile(`http://[0-9A-Za-z.:\[\]]+`)

// startTimeout bounds how long a child may take to announce its URL
// (migrations on a fresh PostgreSQL schema included).
const startTimeout = 90 * time.Second

// startChild runs path with args and the environment env (the bench's own,
// minus every LOYALTYD_ variable, plus env), and waits until it prints a
// line containing marker followed by its URL. The child's stderr goes to
// the bench's stderr; its further stdout is discarded.
func startChild(ctx context.Context, log *slog.Logger, name, path string, args, env []string, marker string) (*child, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = append(childEnv(os.Environ()), env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan error, 1), log: log}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line := sc.Text(); strings.Contains(line, marker) {
				select {
				case found <- urlPattern.FindString(line):
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		c.done <- cmd.Wait()
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case u := <-found:
		if err := requireLoopback(u); err != nil {
			c.stop()
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		c.url = u
		log.Info("started", slog.String("child", name), slog.Int("pid", cmd.Process.Pid), slog.String("url", u))
		return c, nil
	case err := <-c.done:
		return nil, fmt.Errorf("start %s: exited before it was ready: %v", name, err)
	case <-timer.C:
		c.stop()
		return nil, fmt.Errorf("start %s: not ready after %s", name, startTimeout)
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	}
}

// stopTimeout is how long a child may take to shut down gracefully before
// it is killed.
const stopTimeout = 15 * time.Second

// stop interrupts the child (both loyaltyd and the ceiling shut down
// gracefully on SIGINT), kills it when it lingers, and waits for it.
func (c *child) stop() {
	if c == nil {
		return
	}
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = c.cmd.Process.Kill()
	}
	select {
	case err := <-c.done:
		if err != nil {
			c.log.Warn("child exited with an error", slog.String("child", c.name), slog.Any("err", err))
		}
	case <-time.After(stopTimeout):
		c.log.Warn("child did not stop: killing it", slog.String("child", c.name))
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// childEnv drops the LOYALTYD_ variables of env, so that only the flags
// the bench passes configure the server.
func childEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "LOYALTYD_") {
			out = append(out, kv)
		}
	}
	return out
}

// requireLoopback refuses a URL whose host is not a loopback IP address:
// the bench never sends load anywhere else.
func requireLoopback(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("parse url %q: %w", rawURL, err)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("url %q: not a loopback address", rawURL)
	}
	return nil
}

// loopbackDialer dials loopback addresses only.
func loopbackDialer() *net.Dialer {
	return &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("dial %s: not a loopback address", address)
			}
			return nil
		},
	}
}
