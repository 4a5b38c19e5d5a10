package stackcheck

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// goBuild builds pkg of the repository's root module into dir.
func goBuild(t *testing.T, root, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// cleanEnv is the caller's environment without the variables that
// configure the shop, vigil or OpenTelemetry, so that a developer's shell
// cannot change what the test runs.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "OTEL_"), strings.HasPrefix(k, "SHOP_"),
			strings.HasPrefix(k, "PRICING_"), strings.HasPrefix(k, "VIGIL_"),
			k == "DATABASE_URL", k == "REDIS_URL":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// process is a child process whose output goes to a log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
}

// start runs bin with args and env in dir and stops it (SIGTERM, then
// SIGKILL after 10 s) when the test ends.
func start(t *testing.T, dir, name, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{name: name, log: filepath.Join(dir, name+".log")}
	logf, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		_ = logf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer logf.Close()
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Logf("%s exited: %v", name, err)
			}
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			t.Logf("%s did not stop on SIGTERM; killed: %v", name, <-done)
		}
	})
	return p
}

// tail returns the last lines of the process's log, for failure messages.
func (p *process) tail() string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return fmt.Sprintf("--- last lines of %s ---\n%s", p.name, strings.Join(lines, "\n"))
}

// waitOK polls url until it answers 200 or the timeout passes.
func waitOK(t *testing.T, client *http.Client, url string, timeout time.Duration, p *process) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not ready after %s: %s\n%s", url, timeout, last, p.tail())
}

// startRedis runs redis-server without persistence on a free loopback
// port and returns its address once it answers PING.
func startRedis(t *testing.T, dir string) string {
	t.Helper()
	bin := binary(t, "VIGIL_REDIS_BIN", "redis-server")
	addr := freeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	p := start(t, dir, "redis", bin, cleanEnv(), "--bind", "127.0.0.1",
		"--port", port, "--save", "", "--appendonly", "no", "--dir", dir)
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := pingRedis(addr)
		if err == nil {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis at %s: %v\n%s", addr, err, p.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pingRedis(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil && line != "+PONG\r\n" {
		err = fmt.Errorf("PING answered %q", line)
	}
	return err
}
