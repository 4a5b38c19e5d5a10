// Package middleware instruments net/http servers and clients: request
// IDs, server and client spans, the HTTP golden-signal metrics of the
// OpenTelemetry semantic conventions, panic recovery and one access log
// record per request, all tied together by the request ID and the trace
// ID.
//
// # Quick start
//
// Wrap the root handler and the client transport:
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /users/{id}", getUser)
//	srv := &http.Server{Handler: middleware.Handler(mux,
//		middleware.WithExcludePaths("/healthz", "/metrics"))}
//	client := &http.Client{Transport: middleware.Transport(nil)}
//
// Without provider options the OpenTelemetry globals are used (set them
// with vigil.Start), the access log goes to slog.Default(), and trace
// context is read and written as W3C Trace Context and Baggage.
//
// # Order of the parts
//
// [Handler] runs, outermost first: request ID, trace, recover, metrics
// and access log, then the wrapped handler. The request ID exists before
// the span so the span carries it; recover sits inside the span so a
// panic marks it; metrics and the access log see the final status,
// including the 500 written by recover. Each part exists alone ([RequestID],
// [Trace], [Recover], [Metrics], [AccessLog]) as a
// func(http.Handler) http.Handler for routers that compose middleware
// that way; keep the same order. Switch parts off with [WithParts].
//
// All vigil layers on one request share one per-request state, found
// through the response writer (also behind other wrappers that implement
// Unwrap). A layer runs only the parts no outer layer already ran, so
// stacking [Handler] twice, or a part inside [Handler], does each part
// once: one request ID, one span, one sample, one log record. The request
// ID is also reused from the context (logging.RequestIDFromContext).
//
// # Request ID
//
// A valid inbound X-Request-ID (1 to 128 bytes of letters, digits and
// - _ . : + = / @, see [ValidRequestID]) is kept; anything else (8 KB
// values, CR/LF, quotes, spaces, non-ASCII bytes) is dropped, never
// echoed, and replaced by 32 hex digits of a fast non-cryptographic
// random source. [WithTrustRequestID](false) always generates one. The ID
// is stored with logging.ContextWithRequestID, set on the response
// header, on the span (vigil.request_id) and in the access log, and
// [Transport] sends it on outgoing requests. When the response header
// holds the ID several times (a reverse proxy added the backend's copy
// of it), one is sent.
//
// # Routes and span names
//
// The server span is named "METHOD route", for example "GET /users/{id}".
// The route is read after the wrapped handler returns, from the pattern
// that net/http.ServeMux (Go 1.22+) stored in Request.Pattern, with its
// method and host removed ([PatternRoute]). A request that matched no
// route gets the name "METHOD" and no http.route attribute. Methods
// outside RFC 9110, PATCH and QUERY become "_OTHER" ([NormalizeMethod]).
// The mux must receive the same *http.Request vigil passed on: a
// middleware between them that copies the request (WithContext) hides
// the pattern; put vigil innermost of such middleware or use
// [WithRouteFunc].
//
// Other routers provide the template through [WithRouteFunc]; the
// function runs after the handler, when the router has matched:
//
//	// chi: install vigil with r.Use, where the request already carries
//	// chi's route context, which routing fills in.
//	route := middleware.WithRouteFunc(func(r *http.Request) string {
//		if rc := chi.RouteContext(r.Context()); rc != nil {
//			return rc.RoutePattern()
//		}
//		return ""
//	})
//	r.Use(func(next http.Handler) http.Handler { // r is the chi.Router
//		return middleware.Handler(next, route)
//	})
//
// gorilla/mux stores the route only on the request it passes down, so
// record it from a mux middleware into a slot that vigil reads:
//
//	type slotKey struct{}
//	r.Use(func(next http.Handler) http.Handler { // r is the *mux.Router
//		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
//			if slot, ok := req.Context().Value(slotKey{}).(*string); ok {
//				if rt := mux.CurrentRoute(req); rt != nil {
//					*slot, _ = rt.GetPathTemplate()
//				}
//			}
//			next.ServeHTTP(w, req)
//		})
//	})
//
// with an outer middleware that puts a new(string) under slotKey{} in the
// context before vigil, and a route function that returns it. The
// [ExampleWithRouteFunc] example shows this slot pattern.
//
// # Metrics and cardinality
//
// The server records http.server.request.duration (s),
// http.server.active_requests, http.server.request.body.size and
// http.server.response.body.size (By); the client records
// http.client.request.duration (s). Server attributes come only from a
// bounded set: http.request.method (normalized), http.route (template),
// http.response.status_code, url.scheme, network.protocol.version and
// error.type. User agent, client address, host and raw paths never reach
// a metric (they do reach the span). Client attributes are the method,
// server.address, server.port, status and error.type.
//
// Each attribute set is built once and cached (up to 2048 per server);
// past the cache, sets are built per request and the meter provider's
// cardinality limit bounds the series. Duration buckets default to 5 ms
// to 60 s, or to [WithDurationBuckets]; both are advice that a view on
// the meter provider overrides. The provider of package metrics (used by
// vigil.Start) has such a view, so there the buckets are its own, 0.005
// to 30 s, set with metrics.WithDurationBuckets.
//
// # Failures
//
// error.type is the status code for 5xx responses (4xx too on the
// client), "panic" for a recovered panic, "aborted" for
// http.ErrAbortHandler and "canceled" when the client went away. A panic
// becomes an exception event with the stack on the span (status Error),
// one duration sample with error.type=panic and one error access log
// record carrying panic and stack; the server goes on. When nothing was
// written yet the client gets a 500. When the headers were already
// written a 500 is impossible and ending the response normally would pass
// a cut-off body as complete, so after recording the panic (with the
// status as written) vigil raises http.ErrAbortHandler: net/http breaks
// the HTTP/1.1 connection or resets the HTTP/2 stream, and logs nothing
// itself. http.ErrAbortHandler from the handler is recorded and raised
// again. A WriteHeader code outside 100..999 panics, as in net/http,
// before it is recorded, so it ends as a 500 with error.type=panic.
//
// Values copied from the request or a panic are capped, with the mark
// "…(truncated)": the method (access log, http.request.method_original)
// at 32 bytes, the path at 2 KiB, the user agent at 512 bytes, the panic
// value (access log and exception.message) at 4 KiB. The stack is kept
// whole.
//
// A request whose client disconnected before the handler returned (the
// request context is canceled) is recorded with status 499
// ([StatusClientClosedRequest], as nginx does) and error.type=canceled
// on the span, the metrics and the log (level warn), and the span status
// stays unset, whatever the handler wrote afterwards: it is not a server
// error and 5xx alerts do not count it.
//
// # Access log
//
// One record per request, message "http request", through the given
// *slog.Logger, at level error for 5xx and panics, warn for 4xx and
// canceled requests, info otherwise. Fields: method, route, path, status,
// duration_ms, bytes_in (Content-Length, or the bytes read), bytes_out,
// remote_addr, user_agent, request_id, trace_id, span_id, and when
// present query, error_type, panic and stack. bytes_out is what was
// sent: 0 for HEAD, whose body net/http discards. The query string is left
// out unless [WithQuery] asks for it, redacted by default. Values are
// slog strings, so the JSON handler escapes line breaks, ANSI escapes and
// quotes: a forged "level=... msg=..." tail stays inside one value of one
// line.
//
// # Excluding requests
//
// [WithExcludePaths] and [WithSkip] drop requests (health checks, scrapes)
// from the request ID, traces, metrics and access log together, or from
// the parts given. Recover always stays on.
//
// # Response writer
//
// The handler gets a writer that records the status once and the bytes
// written. It implements http.Flusher, io.ReaderFrom and http.Pusher
// directly (each has a safe fallback: flush through
// http.ResponseController, io.Copy, http.ErrNotSupported), and
// http.Hijacker only when the writer below can hijack (HTTP/1.1), because
// a Hijacker that always fails misleads code that checks for it. It
// implements Unwrap, so http.ResponseController reaches deadlines, full
// duplex, flush and hijack of the server's writer, also through other
// wrappers that implement Unwrap. Only the first final WriteHeader is
// forwarded (1xx informational codes other than 101 pass through), and
// a Flush or Write counts as an implicit 200, so the server never logs a
// superfluous WriteHeader. A hijacked request with no status is recorded
// as 101.
//
// # Client transport
//
// [Transport] starts a client span named after the method, injects trace
// context, baggage and the request ID into a copy of the request (the
// context's ID replaces an X-Request-ID already on the request, such as
// the inbound client's one that httputil.ReverseProxy copies), and
// records http.client.request.duration up to the response headers.
// It composes with retrying or circuit-breaking round trippers in either
// order.
//
// # Profiling labels
//
// [WithPprofLabels] runs the handler under pprof.Do with http.route and
// http.method labels so CPU profiles split by route. The route is looked
// up before the handler: a second ServeMux match, or the route function.
// It costs about a microsecond and a few allocations per request; off by
// default.
//
// # Performance
//
// With the SDK providers the full stack costs 0.7 to 0.8 times
// otelhttp's CPU time and allocates 16 objects per request against
// otelhttp's 37, while also doing the request ID, access log and recover
// (docs/middleware.md has the figures). Span attributes are set once at the end and only
// when the span records; measurement options are cached; trace headers
// are looked up without allocation and extraction is skipped when there
// are none. With no-op providers (detected at construction) and the
// access log off, the stack adds 5 allocations to the handler: the
// per-request state, the request copy, and the request ID and scope
// context values.
//
// Server spans start without HTTP attributes (they are set when the span
// ends), so samplers cannot select on them.
package middleware
