package testsvc

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestPostgresStartsOnLoopbackAndAcceptsConnections(t *testing.T) {
	dsn := Postgres(t)
	if !strings.HasPrefix(dsn, "postgres://postgres@127.0.0.1:") {
		t.Fatalf("DSN %q is not on 127.0.0.1", dsn)
	}
	host := strings.TrimPrefix(dsn, "postgres://postgres@")
	host = host[:strings.IndexByte(host, '/')]
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatalf("dial %s: %v", host, err)
	}
	c.Close()
}

func TestStopRemovesTheClusterDirectory(t *testing.T) {
	s, err := StartPostgres()
	if errors.Is(err, ErrPostgresMissing) {
		Missing(t, "PostgreSQL 15", err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := s.dir
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.Port)); err == nil {
		t.Errorf("server still accepts connections after Stop")
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("cluster directory %s still exists", dir)
	}
}
