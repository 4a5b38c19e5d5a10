package testsvc

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// StartRedis starts redis-server from VIGIL_REDIS_BIN (or redis-server on
// PATH) on a free 127.0.0.1 port, without persistence, and stops it when
// t ends. It returns the server's host:port.
func StartRedis(t testing.TB) string {
	t.Helper()
	bin := FindBinary("VIGIL_REDIS_BIN", "redis-server")
	if bin == "" {
		Missing(t, "Redis", "set VIGIL_REDIS_BIN or apt-get install redis-server")
	}
	dir := t.TempDir()
	port := FreePort(t)
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port),
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--protected-mode", "yes")
	logf, err := os.Create(filepath.Join(dir, "redis.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("testsvc: start redis: %v", err)
	}
	t.Cleanup(func() { stopProcess(t, cmd, logf) })

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitRedis(addr, 20*time.Second); err != nil {
		log, _ := os.ReadFile(logf.Name())
		t.Fatalf("testsvc: redis not ready: %v\n%s", err, log)
	}
	return addr
}

// waitRedis sends PING until the server answers PONG.
func waitRedis(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		last = pingRedis(addr)
		if last == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s: %w", addr, last)
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
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}
