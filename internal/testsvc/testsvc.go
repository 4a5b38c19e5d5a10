// Package testsvc starts the real components that vigil's integration tests
// need (Jaeger, PostgreSQL, Prometheus, Redis) as child processes on
// 127.0.0.1 with throwaway state, and stops them when the test ends.
//
// Binaries are found through environment variables set by scripts/test.sh
// (VIGIL_JAEGER_BIN, VIGIL_PG_BINDIR, ...), falling back to PATH. When a
// component is missing the test is skipped on a developer machine and fails
// when CI=true, so a broken install step can never turn into a green run.
package testsvc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
)

// Missing reports that a component cannot be found: a failure under CI,
// a skip elsewhere.
func Missing(t testing.TB, component, hint string) {
	t.Helper()
	msg := fmt.Sprintf("%s not available: %s (scripts/test.sh installs it)",
		component, hint)
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// InCI reports whether the tests run under CI (CI=true or CI=1).
func InCI() bool {
	v, _ := strconv.ParseBool(os.Getenv("CI"))
	return v
}

// FindBinary returns the path named by the environment variable env, or the
// first name found on PATH, or "" when neither exists.
func FindBinary(env string, names ...string) string {
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testsvc: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// SilentListener returns the address of a TCP listener on 127.0.0.1 that
// accepts connections and never reads or writes: a collector that hangs.
// Listener and connections are closed when t ends.
func SilentListener(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testsvc: listen: %v", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}
