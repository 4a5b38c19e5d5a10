package health

import (
	"context"
	"errors"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/metric/noop"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// newTestRegistry returns a registry with a no-op meter provider that is
// closed when the test ends.
func newTestRegistry(t testing.TB, opts ...Option) *Registry {
	t.Helper()
	opts = append([]Option{WithMeterProvider(noop.NewMeterProvider())}, opts...)
	r := New(opts...)
	t.Cleanup(r.Close)
	return r
}

func mustRegister(t testing.TB, r *Registry, c Check) {
	t.Helper()
	if err := r.Register(c); err != nil {
		t.Fatalf("Register(%q): %v", c.Name, err)
	}
}

// counter is a check function that counts its starts and returns err after
// sleeping for delay (ignoring its context when ignoreCtx is set).
type counter struct {
	starts    atomic.Int64
	delay     time.Duration
	ignoreCtx bool
	err       error
}

func (c *counter) check(ctx context.Context) error {
	c.starts.Add(1)
	if c.delay > 0 {
		if c.ignoreCtx {
			time.Sleep(c.delay)
		} else {
			select {
			case <-time.After(c.delay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return c.err
}

var errBoom = errors.New("boom")

func passing(context.Context) error { return nil }
func failing(context.Context) error { return errBoom }

// findResult returns the result named name in rep.
func findResult(t *testing.T, rep Report, name string) Result {
	t.Helper()
	for _, r := range rep.Checks {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no result for %q in %+v", name, rep.Checks)
	return Result{}
}

func mustURL(t *testing.T, path string) *url.URL {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
