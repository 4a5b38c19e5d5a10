package middleware

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// routes is a ServeMux with a few patterns, one host-specific.
func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", ok)
	mux.Handle("POST /users", ok)
	mux.Handle("GET example.com/items/{id}", ok)
	mux.Handle("/fail", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	mux.Handle("/missing", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	}))
	return mux
}

func TestTraceSpanNameAndRoute(t *testing.T) {
	cases := []struct {
		method, target, name, route string
		status                      string
	}{
		{"GET", "/users/7", "GET /users/{id}", "/users/{id}", "200"},
		{"POST", "/users", "POST /users", "/users", "200"},
		{"GET", "http://example.com/items/3", "GET /items/{id}", "/items/{id}", "200"},
		{"GET", "/nowhere", "GET", "", "404"},
		{"BREW", "/fail", "_OTHER /fail", "/fail", "503"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			serve(h.handler(routes()), httptest.NewRequest(c.method, c.target, nil))
			s := h.onlySpan()
			a := spanAttrs(s)
			if s.Name() != c.name || a["http.route"] != c.route ||
				a["http.response.status_code"] != c.status {
				t.Fatalf("name %q attrs %v", s.Name(), a)
			}
			if _, has := a["http.route"]; c.route == "" && has {
				t.Fatal("unmatched request has http.route")
			}
			if s.SpanKind() != trace.SpanKindServer {
				t.Fatalf("kind %v", s.SpanKind())
			}
		})
	}
}

func TestTraceSemconvAttributes(t *testing.T) {
	h := newHarness(t)
	r := httptest.NewRequest("BREW", "http://shop.test:8080/users?x=1", nil)
	r.Header.Set("User-Agent", "probe/1")
	serve(h.handler(routes()), r)
	a := spanAttrs(h.onlySpan())
	want := map[string]string{
		"http.request.method":          "_OTHER",
		"http.request.method_original": "BREW",
		"url.scheme":                   "http",
		"url.path":                     "/users",
		"network.protocol.version":     "1.1",
		"server.address":               "shop.test",
		"server.port":                  "8080",
		"user_agent.original":          "probe/1",
		"client.address":               "192.0.2.1",
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("%s = %q, want %q", k, a[k], v)
		}
	}
}

func TestTraceStatusByClass(t *testing.T) {
	cases := []struct {
		target    string
		code      codes.Code
		errorType string
	}{
		{"/users/1", codes.Unset, ""},
		{"/missing", codes.Unset, ""},
		{"/fail", codes.Error, "503"},
	}
	for _, c := range cases {
		t.Run(c.target, func(t *testing.T) {
			h := newHarness(t)
			serve(h.handler(routes()), httptest.NewRequest("GET", c.target, nil))
			s := h.onlySpan()
			if s.Status().Code != c.code || spanAttrs(s)["error.type"] != c.errorType {
				t.Fatalf("status %v error.type %q", s.Status(), spanAttrs(s)["error.type"])
			}
		})
	}
}

func TestTraceContinuesInboundTraceAndBaggage(t *testing.T) {
	h := newHarness(t)
	var member string
	hd := h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		member = baggage.FromContext(r.Context()).Member("tenant").Value()
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	r.Header.Set("baggage", "tenant=acme")
	serve(hd, r)
	s := h.onlySpan()
	if s.SpanContext().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" ||
		s.Parent().SpanID().String() != "00f067aa0ba902b7" || !s.Parent().IsRemote() {
		t.Fatalf("trace %s parent %s", s.SpanContext().TraceID(), s.Parent().SpanID())
	}
	if member != "acme" {
		t.Fatalf("baggage member %q", member)
	}
}

func TestTraceSpanNamesBoundedByRoutesTimesMethods(t *testing.T) {
	h := newHarness(t)
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", ok)
	mux.Handle("/random/", ok)
	hd := h.handler(mux)
	for i := 1; i <= 1000; i++ {
		serve(hd, httptest.NewRequest("GET", fmt.Sprintf("/users/%d", i), nil))
	}
	for i := range 200 {
		m := []string{"GET", "POST", "PURGE", "X-" + fmt.Sprint(i)}[i%4]
		serve(hd, httptest.NewRequest(m, "/random/"+newRequestID(new([32]byte)), nil))
	}
	names := map[string]bool{}
	for _, s := range h.ended() {
		names[s.Name()] = true
	}
	// Routes: /users/{id}, /random/ and unmatched; methods GET, POST, _OTHER.
	if len(names) > 3*3 {
		t.Fatalf("%d distinct span names: %v", len(names), names)
	}
	if !names["GET /users/{id}"] || !names["_OTHER /random/"] {
		t.Fatalf("names %v", names)
	}
}

func TestTraceRouteFunc(t *testing.T) {
	h := newHarness(t)
	hd := h.handler(ok, WithRouteFunc(func(r *http.Request) string {
		return "/custom/{x}"
	}))
	serve(hd, httptest.NewRequest("PUT", "/custom/1", nil))
	if s := h.onlySpan(); s.Name() != "PUT /custom/{x}" {
		t.Fatalf("name %q", s.Name())
	}
}

func TestTraceNotSampledSetsNoAttributes(t *testing.T) {
	h := newHarness(t)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()),
		sdktrace.WithSpanProcessor(h.spans))
	defer func() { _ = tp.Shutdown(t.Context()) }()
	var valid bool
	hd := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		valid = trace.SpanContextFromContext(r.Context()).IsValid()
	}), WithTracerProvider(tp), WithMeterProvider(h.mp), WithLogger(h.logger))
	serve(hd, httptest.NewRequest("GET", "/", nil))
	if len(h.ended()) != 0 || !valid {
		t.Fatalf("%d spans recorded, context valid %v", len(h.ended()), valid)
	}
	if l := h.logLines(); len(l) != 1 || l[0]["trace_id"] == nil {
		t.Fatalf("log %v: want trace_id even when not sampled", l)
	}
}

func TestPatternRoute(t *testing.T) {
	cases := map[string]string{
		"":                           "",
		"/users/{id}":                "/users/{id}",
		"GET /users/{id}":            "/users/{id}",
		"GET example.com/users/{id}": "/users/{id}",
		"example.com/":               "/",
		"POST  /x":                   "/x",
	}
	for in, want := range cases {
		if got := PatternRoute(in); got != want {
			t.Errorf("PatternRoute(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeMethod(t *testing.T) {
	for in, want := range map[string]string{
		"GET": "GET", "PATCH": "PATCH", "QUERY": "QUERY", "get": "_OTHER",
		"PURGE": "_OTHER", "": "_OTHER",
	} {
		if got := NormalizeMethod(in); got != want {
			t.Errorf("NormalizeMethod(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTraceFollowsGlobalPropagatorSetLater(t *testing.T) {
	h := newHarness(t)
	prev := otel.GetTextMapPropagator()
	defer otel.SetTextMapPropagator(prev)
	hd := h.handler(ok, WithPropagator(otel.GetTextMapPropagator()))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	serve(hd, r)
	if got := h.onlySpan().SpanContext().TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("trace %s: inbound context ignored", got)
	}
}
