package middleware

import (
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"testing"
)

func TestPprofLabelsCarryRoute(t *testing.T) {
	cases := []struct {
		name  string
		opts  []Option
		route string
	}{
		{"ServeMux", nil, "/users/{id}"},
		{"route func", []Option{WithRouteFunc(func(*http.Request) string {
			return "/from/func"
		})}, "/from/func"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			var label, method string
			mux := http.NewServeMux()
			mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
				label, _ = pprof.Label(r.Context(), "http.route")
				method, _ = pprof.Label(r.Context(), "http.method")
			})
			opts := append([]Option{WithPprofLabels(true)}, c.opts...)
			serve(h.handler(mux, opts...), httptest.NewRequest("GET", "/users/9", nil))
			if label != c.route || method != "GET" {
				t.Fatalf("labels route=%q method=%q", label, method)
			}
			if s := h.onlySpan(); s.Name() != "GET "+c.route {
				t.Fatalf("span %q: route lost under pprof.Do", s.Name())
			}
		})
	}
}

func TestPprofLabelsOffByDefault(t *testing.T) {
	h := newHarness(t)
	var found bool
	serve(h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, found = pprof.Label(r.Context(), "http.route")
	})), httptest.NewRequest("GET", "/", nil))
	if found {
		t.Fatal("label set without WithPprofLabels")
	}
}
