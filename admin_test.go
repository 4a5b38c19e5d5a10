package vigil_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-go/vigil"
)

func TestAdminHandlerRoutes(t *testing.T) {
	tests := []struct {
		name string
		opts []vigil.AdminOption
		path string
		code int
		body string // substring of the body, "" for any
	}{
		{"metrics", nil, "/metrics", 200, "target_info"},
		{"pprof off by default", nil, "/debug/pprof/", 404, ""},
		{"pprof index", on(), "/debug/pprof/", 200, "goroutine"},
		{"goroutine text", on(), "/debug/pprof/goroutine?debug=1", 200,
			"goroutine profile"},
		{"heap binary", on(), "/debug/pprof/heap?gc=1", 200, ""},
		{"cpu profile", on(), "/debug/pprof/profile?seconds=1", 200, ""},
		{"trace", on(), "/debug/pprof/trace?seconds=1", 200, ""},
		{"cmdline", on(), "/debug/pprof/cmdline", 200, ""},
		{"bad seconds", on(), "/debug/pprof/profile?seconds=-1", 400, ""},
		{"unknown profile", on(), "/debug/pprof/nope", 404, ""},
		{"other path", on(), "/", 404, ""},
	}
	clearEnv(t)
	tel, _ := start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tel.AdminHandler(tt.opts...).ServeHTTP(rec,
				httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.code {
				t.Fatalf("GET %s = %d, want %d", tt.path, rec.Code, tt.code)
			}
			if tt.code == 200 && rec.Body.Len() == 0 {
				t.Errorf("GET %s: empty body", tt.path)
			}
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("GET %s: body lacks %q", tt.path, tt.body)
			}
		})
	}
}

func on() []vigil.AdminOption {
	return []vigil.AdminOption{vigil.WithPprof(true)}
}

func TestAdminHandlerDoesNotTouchDefaultServeMux(t *testing.T) {
	clearEnv(t)
	tel, _ := start(t)
	tel.AdminHandler(vigil.WithPprof(true))
	_, pattern := http.DefaultServeMux.Handler(
		httptest.NewRequest(http.MethodGet, "/debug/pprof/", nil))
	if pattern != "" {
		t.Errorf("DefaultServeMux serves pprof at %q", pattern)
	}
}
