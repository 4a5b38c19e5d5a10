package testsvc

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// DefaultPGBinDir is where Debian installs the PostgreSQL 15 binaries.
const DefaultPGBinDir = "/usr/lib/postgresql/15/bin"

// ErrPostgresMissing reports that initdb or pg_ctl cannot be found.
var ErrPostgresMissing = errors.New("testsvc: PostgreSQL binaries not found")

// PostgresServer is a throwaway PostgreSQL cluster listening on 127.0.0.1.
// Stop it with [PostgresServer.Stop].
type PostgresServer struct {
	// DSN connects as the superuser "postgres" (trust authentication) to
	// the "postgres" database, as a URL with sslmode=disable.
	DSN string
	// Port is the TCP port on 127.0.0.1.
	Port int

	bindir, dir string
}

// Postgres starts a cluster for t and returns its DSN; the cluster stops and
// its directory is removed when t ends. A missing installation is reported
// with [Missing]. Test binaries that need a cluster in many tests should
// rather start one in TestMain with [StartPostgres].
func Postgres(t testing.TB) string {
	t.Helper()
	s, err := StartPostgres()
	if errors.Is(err, ErrPostgresMissing) {
		Missing(t, "PostgreSQL 15", err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return s.DSN
}

// StartPostgres initializes a cluster in a new temporary directory and
// starts it on a free loopback port, with fsync off. The binaries come from
// VIGIL_PG_BINDIR, default [DefaultPGBinDir]. When running as root the
// cluster runs as the "postgres" system user (created if missing), because
// initdb refuses root.
func StartPostgres() (*PostgresServer, error) {
	bindir := os.Getenv("VIGIL_PG_BINDIR")
	if bindir == "" {
		bindir = DefaultPGBinDir
	}
	for _, b := range []string{"initdb", "pg_ctl"} {
		if _, err := os.Stat(filepath.Join(bindir, b)); err != nil {
			return nil, fmt.Errorf("%w in %s (set VIGIL_PG_BINDIR)", ErrPostgresMissing, bindir)
		}
	}
	dir, err := os.MkdirTemp("", "vigil-pg-")
	if err != nil {
		return nil, fmt.Errorf("testsvc: postgres dir: %w", err)
	}
	s := &PostgresServer{bindir: bindir, dir: dir}
	if err := s.prepareDir(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.run("initdb", "-D", s.data(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// start tries a few free ports: another process may take the one picked.
func (s *PostgresServer) start() error {
	var err error
	for range 3 {
		s.Port, err = freePort()
		if err != nil {
			return err
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d "+
			"-c unix_socket_directories=%s -c fsync=off -c full_page_writes=off "+
			"-c synchronous_commit=off", s.Port, s.dir)
		err = s.run("pg_ctl", "-D", s.data(), "-l", filepath.Join(s.dir, "server.log"),
			"-w", "-t", "60", "-o", opts, "start")
		if err == nil {
			s.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
			return nil
		}
	}
	log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	return fmt.Errorf("%w\nserver log:\n%s", err, log)
}

// Stop shuts the cluster down (fast mode) and removes its directory. It is
// safe to call once.
func (s *PostgresServer) Stop() error {
	err := s.run("pg_ctl", "-D", s.data(), "-m", "fast", "-w", "stop")
	if rerr := os.RemoveAll(s.dir); err == nil {
		err = rerr
	}
	return err
}

func (s *PostgresServer) data() string { return filepath.Join(s.dir, "data") }

// prepareDir hands the directory to the postgres user when running as root.
func (s *PostgresServer) prepareDir() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		out, uerr := exec.Command("useradd", "--system", "--no-create-home",
			"--shell", "/usr/sbin/nologin", "postgres").CombinedOutput()
		if uerr != nil {
			return fmt.Errorf("testsvc: create postgres user: %v: %s", uerr, out)
		}
		if u, err = user.Lookup("postgres"); err != nil {
			return fmt.Errorf("testsvc: postgres user: %w", err)
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(s.dir, uid, gid); err != nil {
		return fmt.Errorf("testsvc: postgres dir owner: %w", err)
	}
	return os.Chmod(s.dir, 0o700)
}

// run runs a PostgreSQL binary, as the postgres user when running as root.
// Output goes through a file, not a pipe: pg_ctl start leaves the server
// holding its stdout, and Wait would block on an open pipe.
func (s *PostgresServer) run(name string, args ...string) error {
	bin := filepath.Join(s.bindir, name)
	cmd := exec.Command(bin, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	f, err := os.CreateTemp("", "vigil-pg-out-")
	if err != nil {
		return fmt.Errorf("testsvc: %s: %w", name, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(f.Name())
		return fmt.Errorf("testsvc: %s: %v: %s", name, err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("testsvc: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
