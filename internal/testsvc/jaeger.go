package testsvc

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

//go:embed jaeger.yaml
var jaegerConfig []byte

// Jaeger is a running Jaeger all-in-one (v2) with in-memory storage.
type Jaeger struct {
	// OTLPGRPC is the host:port of the OTLP gRPC receiver.
	OTLPGRPC string
	// QueryURL is the base URL of the query HTTP API (no trailing slash).
	QueryURL string
}

// StartJaeger starts Jaeger from VIGIL_JAEGER_BIN (or `jaeger` on PATH) on
// free loopback ports and stops it when t ends.
func StartJaeger(t testing.TB) *Jaeger {
	t.Helper()
	bin := FindBinary("VIGIL_JAEGER_BIN", "jaeger")
	if bin == "" {
		Missing(t, "Jaeger", "set VIGIL_JAEGER_BIN or build tools/jaeger")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "jaeger.yaml")
	if err := os.WriteFile(cfg, jaegerConfig, 0o600); err != nil {
		t.Fatal(err)
	}
	ports := map[string]int{}
	for _, k := range []string{"JAEGER_HEALTH_PORT", "JAEGER_QUERY_HTTP_PORT",
		"JAEGER_QUERY_GRPC_PORT", "JAEGER_OTLP_GRPC_PORT",
		"JAEGER_OTLP_HTTP_PORT"} {
		ports[k] = FreePort(t)
	}
	cmd := exec.Command(bin, "--config=file:"+cfg)
	cmd.Env = os.Environ()
	for k, p := range ports {
		cmd.Env = append(cmd.Env, k+"="+strconv.Itoa(p))
	}
	logf, err := os.Create(filepath.Join(dir, "jaeger.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("testsvc: start jaeger: %v", err)
	}
	t.Cleanup(func() { stopProcess(t, cmd, logf) })

	health := fmt.Sprintf("http://127.0.0.1:%d/status", ports["JAEGER_HEALTH_PORT"])
	if err := waitHTTP(health, 60*time.Second); err != nil {
		log, _ := os.ReadFile(logf.Name())
		t.Fatalf("testsvc: jaeger not ready: %v\n%s", err, log)
	}
	return &Jaeger{
		OTLPGRPC: fmt.Sprintf("127.0.0.1:%d", ports["JAEGER_OTLP_GRPC_PORT"]),
		QueryURL: fmt.Sprintf("http://127.0.0.1:%d", ports["JAEGER_QUERY_HTTP_PORT"]),
	}
}

// JaegerSpan is the part of a span in Jaeger's query API that tests read.
type JaegerSpan struct {
	TraceID       string `json:"traceID"`
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	ProcessID     string `json:"processID"`
	References    []struct {
		RefType string `json:"refType"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	Tags []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"tags"`
}

// JaegerTrace is one trace as returned by Jaeger's query API.
type JaegerTrace struct {
	TraceID   string       `json:"traceID"`
	Spans     []JaegerSpan `json:"spans"`
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
	} `json:"processes"`
}

// Trace fetches one trace by its hex ID, or returns an error when Jaeger
// does not hold it (yet).
func (j *Jaeger) Trace(ctx context.Context, traceID string) (*JaegerTrace, error) {
	var out struct {
		Data []JaegerTrace `json:"data"`
	}
	if err := getJSON(ctx, j.QueryURL+"/api/traces/"+url.PathEscape(traceID), &out); err != nil {
		return nil, err
	}
	if len(out.Data) == 0 {
		return nil, fmt.Errorf("testsvc: trace %s not found", traceID)
	}
	return &out.Data[0], nil
}

// Service returns the service name of span s in trace tr.
func (tr *JaegerTrace) Service(s JaegerSpan) string {
	return tr.Processes[s.ProcessID].ServiceName
}

// Tag returns the value of tag key on s, and whether it is present.
func (s JaegerSpan) Tag(key string) (any, bool) {
	for _, kv := range s.Tags {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// Parent returns the span ID of s's CHILD_OF parent, or "".
func (s JaegerSpan) Parent() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}

func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("testsvc: GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// waitHTTP polls u until it answers 200 or the timeout passes.
func waitHTTP(u string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s: %w", u, last)
}

// stopProcess sends SIGTERM, waits up to 10 s, then kills.
func stopProcess(t testing.TB, cmd *exec.Cmd, logf *os.File) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Logf("testsvc: %s exited: %v", cmd.Path, err)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Logf("testsvc: %s did not stop on SIGTERM, killed: %v", cmd.Path, <-done)
	}
	_ = logf.Close()
}
