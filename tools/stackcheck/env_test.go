package stackcheck

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// repoRoot returns the repository: VIGIL_REPO_ROOT, or two directories up
// from this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root := os.Getenv("VIGIL_REPO_ROOT")
	if root == "" {
		root = filepath.Join("..", "..")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(abs, "examples", "shop", "deploy")); err != nil {
		t.Fatalf("no reference stack under %s: %v", abs, err)
	}
	return abs
}

// deployDir returns examples/shop/deploy of the repository.
func deployDir(t testing.TB) string {
	return filepath.Join(repoRoot(t), "examples", "shop", "deploy")
}

// inCI reports whether CI=true (or 1): then a missing component fails
// the test instead of skipping it.
func inCI() bool {
	v, _ := strconv.ParseBool(os.Getenv("CI"))
	return v
}

// binary returns the path in the environment variable env, or name found
// on PATH; when neither exists the test fails under CI and is skipped
// elsewhere.
func binary(t testing.TB, env, name string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not available: set %s (scripts/test.sh builds it)", name, env)
	if inCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// freeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
