package middleware_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/vigil-go/vigil/logging"
	"github.com/vigil-go/vigil/middleware"
)

// stableLog writes JSON access log lines without the fields that change
// from run to run, so the example output is stable.
func stableLog() *slog.Logger {
	drop := map[string]bool{"time": true, "duration_ms": true,
		"request_id": true, "trace_id": true, "span_id": true, "remote_addr": true}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if drop[a.Key] {
				return slog.Attr{}
			}
			return a
		},
	}))
}

func ExampleHandler() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "user %s", r.PathValue("id"))
	})
	// Without provider options the OpenTelemetry globals are used.
	srv := httptest.NewServer(middleware.Handler(mux,
		middleware.WithLogger(stableLog()),
		middleware.WithExcludePaths("/healthz")))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/users/42?token=secret", nil)
	req.Header.Set("User-Agent", "example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	srv.Close() // wait for the access log line
	fmt.Printf("%s, request ID header set: %v\n", body, resp.Header.Get("X-Request-ID") != "")
	// Output:
	// {"level":"INFO","msg":"http request","method":"GET","route":"/users/{id}","path":"/users/42","status":200,"bytes_in":0,"bytes_out":7,"user_agent":"example"}
	// user 42, request ID header set: true
}

// Each part is also a middleware of its own, for routers that compose
// func(http.Handler) http.Handler. Keep the order of Handler.
func ExampleRequestID() {
	opts := []middleware.Option{middleware.WithLogger(slog.New(slog.DiscardHandler))}
	stack := func(h http.Handler) http.Handler {
		return middleware.RequestID(opts...)(middleware.Trace(opts...)(
			middleware.Recover(opts...)(middleware.Metrics(opts...)(
				middleware.AccessLog(opts...)(h)))))
	}
	hd := stack(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("handler sees:", logging.RequestIDFromContext(r.Context()))
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Request-ID", "edge-7")
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, req)
	fmt.Println("response header:", rec.Header().Get("X-Request-ID"))
	// Output:
	// handler sees: edge-7
	// response header: edge-7
}

func ExampleTransport() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("backend got request ID:", r.Header.Get("X-Request-ID"))
	}))
	defer backend.Close()

	client := &http.Client{Transport: middleware.Transport(nil)}
	ctx := logging.ContextWithRequestID(context.Background(), "req-1")
	req, _ := http.NewRequestWithContext(ctx, "GET", backend.URL, nil)
	resp, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	_ = resp.Body.Close()
	client.CloseIdleConnections()
	// Output:
	// backend got request ID: req-1
}

func ExampleWithRouteFunc() {
	// A router that keeps the matched template in the request context;
	// chi and gorilla/mux are wired the same way (see the package doc).
	type routeKey struct{}
	var route = func(r *http.Request) string {
		s, _ := r.Context().Value(routeKey{}).(*string)
		if s == nil {
			return ""
		}
		return *s
	}
	router := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(routeKey{}).(*string); ok {
			*p = "/orders/{id}"
		}
	})
	withSlot := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			slot := new(string)
			next.ServeHTTP(w, r.WithContext(
				context.WithValue(r.Context(), routeKey{}, slot)))
		})
	}
	hd := withSlot(middleware.Handler(router,
		middleware.WithRouteFunc(route), middleware.WithLogger(stableLog())))
	hd.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("DELETE", "/orders/5", nil))
	// Output:
	// {"level":"INFO","msg":"http request","method":"DELETE","route":"/orders/{id}","path":"/orders/5","status":200,"bytes_in":0,"bytes_out":0,"user_agent":""}
}
