package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-go/vigil/internal/testsvc"
)

// app is the reference app running as a child process.
type app struct {
	cmd   *exec.Cmd
	base  string // shop URL
	admin string // shop admin URL

	mu    sync.Mutex
	lines []map[string]any // JSON log lines from stdout
	raw   []string
	done  chan struct{}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bin, err := buildApp(); err == nil && appBuilt.Load() {
		os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

// appBuilt reports whether buildApp ran, so TestMain does not build the
// app just to remove it.
var appBuilt atomic.Bool

// buildApp compiles the reference app once per test binary.
var buildApp = sync.OnceValues(func() (string, error) {
	appBuilt.Store(true)
	dir, err := os.MkdirTemp("", "vigil-shop-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "shop")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// startApp runs the reference app with env on free loopback ports and stops
// it with SIGTERM when the test ends.
func startApp(t *testing.T, env ...string) *app {
	t.Helper()
	bin, err := buildApp()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", testsvc.FreePort(t))
	admin := fmt.Sprintf("127.0.0.1:%d", testsvc.FreePort(t))
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"SHOP_ADDR="+addr,
		"SHOP_ADMIN_ADDR="+admin,
		fmt.Sprintf("PRICING_ADDR=127.0.0.1:%d", testsvc.FreePort(t)),
		fmt.Sprintf("PRICING_ADMIN_ADDR=127.0.0.1:%d", testsvc.FreePort(t)),
	)
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	a := &app{cmd: cmd, base: "http://" + addr, admin: "http://" + admin,
		done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go a.readLogs(stdout)
	t.Cleanup(func() { a.stop(t) })
	a.waitReady(t)
	return a
}

func (a *app) readLogs(r io.Reader) {
	defer close(a.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		line := sc.Text()
		a.mu.Lock()
		a.raw = append(a.raw, line)
		if json.Unmarshal([]byte(line), &m) == nil {
			a.lines = append(a.lines, m)
		}
		a.mu.Unlock()
	}
}

// logLine returns the first log line for which match is true, waiting a
// little for the app to write it.
func (a *app) logLine(t *testing.T, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		a.mu.Lock()
		for _, m := range a.lines {
			if match(m) {
				a.mu.Unlock()
				return m
			}
		}
		a.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t.Fatalf("no matching log line; stdout was:\n%s", strings.Join(a.raw, "\n"))
	return nil
}

func (a *app) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(a.base + "/products")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-a.done:
			t.Fatal("reference app exited before it was ready")
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("reference app not ready within 30s")
}

func (a *app) stop(t *testing.T) {
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { <-a.done; exited <- a.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("reference app exited with %v after SIGTERM", err)
		}
	case <-time.After(15 * time.Second):
		_ = a.cmd.Process.Kill()
		t.Errorf("reference app did not stop within 15s of SIGTERM (killed: %v)", <-exited)
	}
}

// get sends a GET and returns the status, response header and body.
func get(t *testing.T, url string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// TestEndToEndTraceSpansShopAndPricingInJaeger runs the reference app against
// a real Jaeger and checks that one request is one trace across both
// services, that the access log names that trace, and that /metrics holds
// the golden signals by route.
func TestEndToEndTraceSpansShopAndPricingInJaeger(t *testing.T) {
	j, a := startWithJaeger(t)

	const reqID = "e2e-request-1"
	status, header, body := get(t, a.base+"/products/2", map[string]string{"X-Request-ID": reqID})
	if status != http.StatusOK {
		t.Fatalf("GET /products/2: %d %s", status, body)
	}
	if got := header.Get("X-Request-ID"); got != reqID {
		t.Fatalf("response X-Request-ID = %q, want %q", got, reqID)
	}

	access := a.logLine(t, func(m map[string]any) bool {
		return m["request_id"] == reqID && m["route"] == "/products/{id}"
	})
	traceID, _ := access["trace_id"].(string)
	if len(traceID) != 32 {
		t.Fatalf("access log trace_id = %q, want 32 hex digits; line %v", traceID, access)
	}

	tr := waitTrace(t, j, traceID, 3)
	server := findSpan(t, tr, "shop", "GET /products/{id}")
	client := findChild(t, tr, server.SpanID, "shop", "GET")
	pricing := findChild(t, tr, client.SpanID, "pricing", "GET /prices/{id}")
	// The product read misses the cold cache and goes to the database.
	cacheGet := findChild(t, tr, server.SpanID, "shop", "cache get")
	findChild(t, tr, cacheGet.SpanID, "shop", "SELECT products")
	// The transport carries X-Request-ID, so the pricing service adopts it.
	for _, s := range []testsvc.JaegerSpan{server, pricing} {
		if v, _ := s.Tag("vigil.request_id"); v != reqID {
			t.Errorf("span %q vigil.request_id = %v, want %s", s.OperationName, v, reqID)
		}
	}

	_, _, metrics := get(t, a.admin+"/metrics", nil)
	for _, want := range []string{
		`http_server_request_duration_seconds_bucket{`,
		`http_route="/products/{id}"`,
		`http_server_active_requests{`,
		`http_client_request_duration_seconds_bucket{`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// startWithJaeger starts Jaeger and the reference app exporting to it.
func startWithJaeger(t *testing.T) (*testsvc.Jaeger, *app) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test builds the app and starts Jaeger")
	}
	j := testsvc.StartJaeger(t)
	return j, startApp(t,
		"OTEL_EXPORTER_OTLP_ENDPOINT=http://"+j.OTLPGRPC,
		"OTEL_BSP_SCHEDULE_DELAY=100",
	)
}

func waitTrace(t *testing.T, j *testsvc.Jaeger, traceID string, spans int) *testsvc.JaegerTrace {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		tr, err := j.Trace(ctx, traceID)
		cancel()
		if err == nil && len(tr.Spans) >= spans {
			return tr
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("Jaeger has no trace %s with %d spans: %v", traceID, spans, last)
	return nil
}

func findSpan(t *testing.T, tr *testsvc.JaegerTrace, service, name string) testsvc.JaegerSpan {
	t.Helper()
	for _, s := range tr.Spans {
		if s.OperationName == name && tr.Service(s) == service {
			return s
		}
	}
	t.Fatalf("trace has no %s span %q; spans: %s", service, name, describe(tr))
	return testsvc.JaegerSpan{}
}

func findChild(t *testing.T, tr *testsvc.JaegerTrace, parent, service, name string) testsvc.JaegerSpan {
	t.Helper()
	for _, s := range tr.Spans {
		if s.Parent() == parent && tr.Service(s) == service && s.OperationName == name {
			return s
		}
	}
	t.Fatalf("trace has no %s span %q under span %s; spans: %s", service, name, parent, describe(tr))
	return testsvc.JaegerSpan{}
}

func describe(tr *testsvc.JaegerTrace) string {
	var b strings.Builder
	for _, s := range tr.Spans {
		fmt.Fprintf(&b, "\n  %s %s %q parent=%s", tr.Service(s), s.SpanID,
			s.OperationName, s.Parent())
	}
	return b.String()
}

// TestEndToEndSQLSpansAndNPlusOneWarning checks that the /orders endpoint's
// queries are spans under the request span in Jaeger, that its N+1 variant
// logs one warning naming the request's trace, and that the JOIN variant
// needs fewer queries for the same data.
func TestEndToEndSQLSpansAndNPlusOneWarning(t *testing.T) {
	j, a := startWithJaeger(t)

	sqlSpans := map[string]int{}
	for _, mode := range []string{"nplus1", "join"} {
		reqID := "e2e-orders-" + mode
		status, _, body := get(t, a.base+"/orders?mode="+mode,
			map[string]string{"X-Request-ID": reqID})
		if status != http.StatusOK {
			t.Fatalf("GET /orders?mode=%s: %d %s", mode, status, body)
		}
		access := a.logLine(t, func(m map[string]any) bool {
			return m["request_id"] == reqID && m["msg"] == "http request"
		})
		traceID, _ := access["trace_id"].(string)
		tr := waitTrace(t, j, traceID, 2)
		server := findSpan(t, tr, "shop", "GET /orders")
		for _, s := range tr.Spans {
			if _, ok := s.Tag("db.system.name"); !ok {
				continue
			}
			if s.Parent() != server.SpanID {
				t.Errorf("SQL span %q has parent %s, want the request span %s",
					s.OperationName, s.Parent(), server.SpanID)
			}
			sqlSpans[mode]++
		}
		if mode == "nplus1" {
			a.logLine(t, func(m map[string]any) bool {
				return m["level"] == "WARN" && m["trace_id"] == traceID &&
					strings.Contains(fmt.Sprint(m["msg"]), "N+1")
			})
		}
	}
	if sqlSpans["join"] == 0 || sqlSpans["join"] >= sqlSpans["nplus1"] {
		t.Errorf("SQL spans: join %d, nplus1 %d; want 0 < join < nplus1",
			sqlSpans["join"], sqlSpans["nplus1"])
	}
}

// TestEndToEndBreakerTripsAndRecoversWithReadiness turns on fault injection
// in the pricing service for requests carrying a baggage member, and checks
// that the shop's pricing breaker opens (shown on /healthz and /metrics),
// rejects calls fast, and closes again once pricing answers.
func TestEndToEndBreakerTripsAndRecoversWithReadiness(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test builds the app")
	}
	a := startApp(t,
		"VIGIL_CHAOS_ENABLED=true",
		"VIGIL_CHAOS_STATUS=503",
		"VIGIL_CHAOS_BAGGAGE=chaos=on",
	)
	faulty := map[string]string{"Baggage": "chaos=on"}

	for i := 0; i < 5; i++ {
		if status, _, body := get(t, a.base+"/products/1", faulty); status != http.StatusBadGateway {
			t.Fatalf("faulty call %d: %d %s, want 502", i, status, body)
		}
	}
	if got := pricingCheck(t, a); got != "warn" {
		t.Fatalf("pricing check after faults = %q, want warn (breaker open)", got)
	}
	_, _, metrics := get(t, a.admin+"/metrics", nil)
	if !strings.Contains(metrics, "vigil_breaker_state") {
		t.Error("/metrics lacks vigil_breaker_state")
	}
	a.logLine(t, func(m map[string]any) bool {
		return m["level"] == "WARN" && strings.Contains(fmt.Sprint(m["msg"]), "breaker") &&
			fmt.Sprint(m["to"]) == "open"
	})

	// Open timeout is 5s; then one good call through half-open closes it.
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, _, _ := get(t, a.base+"/products/1", nil)
		if status == http.StatusOK && pricingCheck(t, a) == "pass" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("breaker did not close within 15s; last status %d", status)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// pricingCheck returns the status of the "pricing" check on /healthz.
func pricingCheck(t *testing.T, a *app) string {
	t.Helper()
	_, _, body := get(t, a.admin+"/healthz", nil)
	var doc struct {
		Checks map[string][]struct {
			Status string `json:"status"`
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("/healthz: %v: %s", err, body)
	}
	if len(doc.Checks["pricing"]) == 0 {
		t.Fatalf("/healthz has no pricing check: %s", body)
	}
	return doc.Checks["pricing"][0].Status
}
