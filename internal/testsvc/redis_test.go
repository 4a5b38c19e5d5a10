package testsvc

import (
	"net"
	"strings"
	"testing"
)

func TestStartRedisAnswersOnLoopback(t *testing.T) {
	addr := StartRedis(t)
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("address %q: host %q, %v; want 127.0.0.1", addr, host, err)
	}
	if err := pingRedis(addr); err != nil {
		t.Fatalf("PING: %v", err)
	}
}

func TestPingRedisRejectsAClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if err := pingRedis(addr); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("PING of a closed port: %v, want connection refused", err)
	}
}
