package middleware

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/logging"
)

// TestTransportOneTraceAcrossServices: service A calls service B through
// Transport, both wrapped by Handler with default options apart from the
// providers: one trace, A server → A client → B server, and B sees A's
// request ID.
func TestTransportOneTraceAcrossServices(t *testing.T) {
	h := newHarness(t)
	var idAtB string
	b := httptest.NewServer(h.handler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			idAtB = logging.RequestIDFromContext(r.Context())
			_, _ = w.Write([]byte("price"))
		})))
	defer b.Close()
	client := &http.Client{Transport: Transport(nil, h.opts()...)}
	defer client.CloseIdleConnections()
	var idAtA string
	a := httptest.NewServer(h.handler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			idAtA = logging.RequestIDFromContext(r.Context())
			req, _ := http.NewRequestWithContext(r.Context(), "GET", b.URL+"/price", nil)
			resp, err := client.Do(req)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			_, _ = io.Copy(w, resp.Body)
			_ = resp.Body.Close()
		})))
	defer a.Close()

	if resp := get(t, a, "/order"); resp.status != 200 || resp.body != "price" {
		t.Fatalf("reply %+v", resp)
	}
	a.Close()
	b.Close()

	byKind := map[trace.SpanKind][]trace.SpanContext{}
	parents := map[trace.SpanKind][]trace.SpanContext{}
	for _, s := range h.ended() {
		byKind[s.SpanKind()] = append(byKind[s.SpanKind()], s.SpanContext())
		parents[s.SpanKind()] = append(parents[s.SpanKind()], s.Parent())
	}
	if len(byKind[trace.SpanKindServer]) != 2 || len(byKind[trace.SpanKindClient]) != 1 {
		t.Fatalf("spans by kind %v", byKind)
	}
	tid := byKind[trace.SpanKindClient][0].TraceID()
	for _, s := range h.ended() {
		if s.SpanContext().TraceID() != tid {
			t.Fatalf("span %s in trace %s, want %s", s.Name(), s.SpanContext().TraceID(), tid)
		}
	}
	clientSpan := byKind[trace.SpanKindClient][0].SpanID()
	var bHasClientParent bool
	for _, p := range parents[trace.SpanKindServer] {
		bHasClientParent = bHasClientParent || p.SpanID() == clientSpan
	}
	if !bHasClientParent {
		t.Fatal("B's server span is not a child of A's client span")
	}
	if idAtA == "" || idAtB != idAtA {
		t.Fatalf("request ID at A %q, at B %q", idAtA, idAtB)
	}
}

func TestTransportSpanAndMetric(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	client := &http.Client{Transport: Transport(srv.Client().Transport, h.opts()...)}
	resp, err := client.Get(srv.URL + "/brew?secret=x")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()

	s := h.onlySpan()
	a := spanAttrs(s)
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	if s.Name() != "GET" || s.SpanKind() != trace.SpanKindClient ||
		a["http.response.status_code"] != "418" || a["server.address"] != host ||
		a["server.port"] != port || a["error.type"] != "418" ||
		a["url.full"] != srv.URL+"/brew?secret=redacted" || s.Status().Code != codes.Error {
		t.Fatalf("span %s attrs %v status %v", s.Name(), a, s.Status())
	}
	m := attrMap(h.histPoints("http.client.request.duration")[0].Attributes)
	want := map[string]string{"http.request.method": "GET", "server.address": host,
		"server.port": port, "http.response.status_code": "418", "error.type": "418"}
	if len(m) != len(want) {
		t.Fatalf("metric attrs %v", m)
	}
	for k, v := range want {
		if m[k] != v {
			t.Fatalf("metric attrs %v", m)
		}
	}
}

func TestTransportErrorTypes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	_ = ln.Close()
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"connection refused", t.Context(), "_OTHER"},
		{"canceled", canceled, "canceled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			rt := Transport(&http.Transport{}, h.opts()...)
			req, _ := http.NewRequestWithContext(c.ctx, "GET", closed, nil)
			resp, err := rt.RoundTrip(req)
			if err == nil {
				_ = resp.Body.Close()
				t.Fatal("no error")
			}
			a := attrMap(h.histPoints("http.client.request.duration")[0].Attributes)
			if a["error.type"] != c.want || h.onlySpan().Status().Code != codes.Error {
				t.Fatalf("attrs %v", a)
			}
		})
	}
}

// headerCheck is a base transport that records the headers it was sent.
type headerCheck struct{ got http.Header }

func (c *headerCheck) RoundTrip(r *http.Request) (*http.Response, error) {
	c.got = r.Header
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
}

func TestTransportInjectsWithoutChangingRequest(t *testing.T) {
	h := newHarness(t)
	base := &headerCheck{}
	rt := Transport(base, h.opts()...)
	ctx, span := h.tp.Tracer("t").Start(logging.ContextWithRequestID(t.Context(), "req-1"), "parent")
	defer span.End()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://svc.test/x", nil)
	req.Header.Set("Accept", "text/plain")
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if base.got.Get("traceparent") == "" || base.got.Get("X-Request-ID") != "req-1" ||
		base.got.Get("Accept") != "text/plain" {
		t.Fatalf("sent headers %v", base.got)
	}
	if len(req.Header) != 1 {
		t.Fatalf("caller's request changed: %v", req.Header)
	}
}

// TestTransportRequestIDFromContextReplacesHeader: the context's request
// ID replaces whatever X-Request-ID values the request carries; without
// one in the context the request's header is sent as is.
func TestTransportRequestIDFromContextReplacesHeader(t *testing.T) {
	for _, c := range []struct {
		name  string
		ctxID string
		sent  []string
		want  []string
	}{
		{"context only", "ctx-id", nil, []string{"ctx-id"}},
		{"context replaces header", "ctx-id", []string{"client-chosen"}, []string{"ctx-id"}},
		{"context replaces several", "ctx-id", []string{"a", "bad id"}, []string{"ctx-id"}},
		{"header kept without context", "", []string{"explicit"}, []string{"explicit"}},
		{"neither", "", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := &headerCheck{}
			rt := Transport(base, WithTracerProvider(newHarness(t).tp))
			ctx := t.Context()
			if c.ctxID != "" {
				ctx = logging.ContextWithRequestID(ctx, c.ctxID)
			}
			req, _ := http.NewRequestWithContext(ctx, "GET", "http://svc.test/", nil)
			for _, v := range c.sent {
				req.Header.Add("X-Request-ID", v)
			}
			resp, _ := rt.RoundTrip(req)
			_ = resp.Body.Close()
			if got := base.got.Values("X-Request-ID"); !slices.Equal(got, c.want) {
				t.Fatalf("sent %q, want %q", got, c.want)
			}
			if got := req.Header.Values("X-Request-ID"); !slices.Equal(got, c.sent) {
				t.Fatalf("caller's header changed to %q", got)
			}
		})
	}
}

// TestReverseProxyOneRequestID: a gateway built on httputil.ReverseProxy
// copies the client's headers onto the outbound request. The backend must
// log the gateway's ID (not the client's, which the gateway rejected or
// distrusted), and the client must see that ID once, not once from each
// hop.
func TestReverseProxyOneRequestID(t *testing.T) {
	h := newHarness(t)
	backend := httptest.NewServer(h.handler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {})))
	defer backend.Close()
	u, _ := url.Parse(backend.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = Transport(nil, h.opts()...)
	for _, trust := range []bool{false, true} {
		gw := httptest.NewServer(h.handler(rp, WithTrustRequestID(trust)))
		for _, in := range []string{"client-chosen-id", "bad id with spaces"} {
			h.logs.Reset()
			req, _ := http.NewRequest("GET", gw.URL+"/x", nil)
			req.Header.Set("X-Request-ID", in)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			var ids []any
			for _, l := range h.logLines() {
				ids = append(ids, l["request_id"])
			}
			seen := resp.Header.Values("X-Request-ID")
			if len(ids) != 2 || ids[0] != ids[1] || len(seen) != 1 || seen[0] != ids[1] {
				t.Errorf("trust=%v inbound %q: logged IDs (backend, gateway) %v, client saw %q",
					trust, in, ids, seen)
			}
			if keep := trust && in == "client-chosen-id"; keep != (ids[0] == in) {
				t.Errorf("trust=%v inbound %q: backend logged %v", trust, in, ids[0])
			}
		}
		gw.Close()
	}
}

// retry is a minimal retrying round tripper, standing in for the
// resilience package: it retries once on a 503.
type retry struct{ next http.RoundTripper }

func (r retry) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil && resp.StatusCode == 503 {
		_ = resp.Body.Close()
		return r.next.RoundTrip(req)
	}
	return resp, err
}

func TestTransportComposesWithRetriesInEitherOrder(t *testing.T) {
	for _, outside := range []bool{true, false} {
		h := newHarness(t)
		var calls atomic.Int32
		var parents []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			parents = append(parents, r.Header.Get("traceparent"))
			if calls.Add(1) == 1 {
				w.WriteHeader(503)
			}
		}))
		var rt http.RoundTripper
		if outside {
			rt = Transport(retry{srv.Client().Transport}, h.opts()...)
		} else {
			rt = retry{Transport(srv.Client().Transport, h.opts()...)}
		}
		req, _ := http.NewRequest("GET", srv.URL, nil)
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("outside=%v: %v %v", outside, resp, err)
		}
		_ = resp.Body.Close()
		srv.Close()
		wantSpans := map[bool]int{true: 1, false: 2}[outside]
		if len(h.ended()) != wantSpans || len(parents) != 2 || parents[0] == "" {
			t.Fatalf("outside=%v: %d spans, traceparents %q", outside, len(h.ended()), parents)
		}
		if !outside && parents[0] == parents[1] {
			t.Fatal("each attempt should carry its own span")
		}
	}
}
