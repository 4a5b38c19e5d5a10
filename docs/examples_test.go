package docs_test

// Every Go sample in the guides of docs/ and in the README's quick start
// is a contiguous run of lines in this file or in
// examples/quickstart/main.go; docs_test.go checks that. Examples with an
// "Output:" comment run; the others only compile, because they start
// servers or read the environment.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	_ "modernc.org/sqlite"

	"github.com/vigil-go/vigil"
	"github.com/vigil-go/vigil/health"
	"github.com/vigil-go/vigil/logging"
	"github.com/vigil-go/vigil/metrics"
	"github.com/vigil-go/vigil/middleware"
	"github.com/vigil-go/vigil/middleware/dbsql"
	"github.com/vigil-go/vigil/resilience"
	"github.com/vigil-go/vigil/tracing"
	"github.com/vigil-go/vigil/vigiltest"
)

// getUser stands for an existing handler of the service being wrapped.
func getUser(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "user %s\n", r.PathValue("id"))
}

// quiet is a logger for the runnable examples, whose output must not
// depend on access-log timings.
func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// recorded returns a tracer provider that keeps ended spans in memory.
func recorded() (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	return sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)), rec
}

// Example_withoutStart is getting-started.md's "without vigil.Start": the
// service keeps its own tracer provider, meter provider and slog handler
// and hands them to vigil's packages.
func Example_withoutStart() {
	ctx := context.Background()

	// Your tracer provider, here exporting over OTLP gRPC.
	exp, err := otlptracegrpc.New(ctx) // reads OTEL_EXPORTER_OTLP_*
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))

	// Your meter provider, here exported to Prometheus on your registry.
	registry := promclient.NewRegistry()
	promExp, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		log.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(promExp))

	// Your slog handler, wrapped so records get trace_id, span_id and
	// request_id and secret-looking values are redacted.
	logger := slog.New(logging.WrapHandler(slog.NewTextHandler(os.Stderr, nil)))

	db, err := dbsql.Open("sqlite", "file::memory:",
		dbsql.WithTracerProvider(tp), dbsql.WithMeterProvider(mp),
		dbsql.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)
	handler := middleware.Handler(mux,
		middleware.WithTracerProvider(tp),
		middleware.WithMeterProvider(mp),
		middleware.WithLogger(logger))

	admin := http.NewServeMux()
	admin.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	go func() { _ = http.ListenAndServe("127.0.0.1:9464", admin) }()
	_ = http.ListenAndServe("127.0.0.1:8080", handler)

	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = errors.Join(tp.Shutdown(sctx), mp.Shutdown(sctx))
}

// Example_adminListener is the admin listener of getting-started.md and
// production.md: metrics, probes and opt-in pprof on an internal address.
func Example_adminListener() {
	ctx := context.Background()
	tel, err := vigil.Start(ctx, vigil.WithServiceName("shop"))
	if err != nil {
		log.Fatal(err)
	}
	reg := health.New(health.WithLogger(tel.Logger),
		health.WithMeterProvider(tel.MeterProvider))
	defer reg.Close()

	pprofOn := os.Getenv("SHOP_PPROF") == "true"
	admin := http.NewServeMux()
	admin.Handle("/", tel.AdminHandler(vigil.WithPprof(pprofOn))) // /metrics, /debug/pprof/
	for _, p := range health.Paths() {
		admin.Handle(p, reg.Handler()) // /livez, /readyz, /startupz, /healthz
	}
	adminSrv := &http.Server{Addr: "127.0.0.1:9464", Handler: admin,
		ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = adminSrv.ListenAndServe() }()
}

// Example_publicProbe shows a readiness probe on the public listener with
// the details hidden, for production.md.
func Example_publicProbe() {
	reg := health.New()
	defer reg.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	public := http.NewServeMux()
	public.Handle("/", mux)
	public.Handle("GET /readyz", reg.ProbeHandler(health.Readiness,
		health.WithDetails(false))) // "ok" or "failed", no check names
	handler := middleware.Handler(public,
		middleware.WithSkip(health.IsProbeRequest))
	_ = http.ListenAndServe(":8080", handler)
}

// Example_serveMux is the ServeMux section of routers.md.
func Example_serveMux() {
	tp, rec := recorded()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)
	mux.HandleFunc("POST /users", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	handler := middleware.Handler(mux,
		middleware.WithTracerProvider(tp), middleware.WithLogger(quiet()))

	for _, target := range []string{"/users/42", "/nowhere"} {
		handler.ServeHTTP(httptest.NewRecorder(),
			httptest.NewRequest(http.MethodGet, target, nil))
	}
	for _, s := range rec.Ended() {
		fmt.Println(s.Name())
	}
	fmt.Println(middleware.PatternRoute("GET example.com/users/{id}"))
	// Output:
	// GET /users/{id}
	// GET
	// /users/{id}
}

// routeSlotKey is the context key of the route slot in Example_routeSlot.
type routeSlotKey struct{}

// fakeRouter stands in for gorilla/mux, which cannot be a dependency of
// this module: it matches path prefixes and, like gorilla/mux, keeps the
// matched template only on the request it passes down, where middleware
// registered with use can read it through currentTemplate.
type fakeRouter struct {
	routes []fakeRoute
	mw     []func(http.Handler) http.Handler
}

type fakeRoute struct {
	prefix, template string
	handler          http.Handler
}

type templateKey struct{}

func (fr *fakeRouter) handle(template string, h http.HandlerFunc) {
	prefix, _, _ := strings.Cut(template, "{")
	fr.routes = append(fr.routes, fakeRoute{prefix, template, h})
}

func (fr *fakeRouter) use(mw func(http.Handler) http.Handler) {
	fr.mw = append(fr.mw, mw)
}

func (fr *fakeRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, rt := range fr.routes {
		if strings.HasPrefix(r.URL.Path, rt.prefix) {
			h := rt.handler
			for i := len(fr.mw) - 1; i >= 0; i-- {
				h = fr.mw[i](h)
			}
			ctx := context.WithValue(r.Context(), templateKey{}, rt.template)
			h.ServeHTTP(w, r.WithContext(ctx))
			return
		}
	}
	http.NotFound(w, r)
}

// currentTemplate plays mux.CurrentRoute(req).GetPathTemplate().
func currentTemplate(r *http.Request) string {
	t, _ := r.Context().Value(templateKey{}).(string)
	return t
}

// Example_routeSlot is the compiled twin of routers.md's gorilla/mux
// sample, with fakeRouter in place of *mux.Router.
func Example_routeSlot() {
	tp, rec := recorded()

	r := &fakeRouter{}
	r.handle("/users/{id}", getUser)
	r.use(func(next http.Handler) http.Handler { // runs after matching
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if slot, ok := req.Context().Value(routeSlotKey{}).(*string); ok {
				*slot = currentTemplate(req)
			}
			next.ServeHTTP(w, req)
		})
	})
	instrumented := middleware.Handler(r,
		middleware.WithRouteFunc(func(req *http.Request) string {
			if slot, ok := req.Context().Value(routeSlotKey{}).(*string); ok {
				return *slot
			}
			return ""
		}),
		middleware.WithTracerProvider(tp), middleware.WithLogger(quiet()))
	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := context.WithValue(req.Context(), routeSlotKey{}, new(string))
		instrumented.ServeHTTP(w, req.WithContext(ctx))
	})

	for _, target := range []string{"/users/7", "/nowhere"} {
		handler.ServeHTTP(httptest.NewRecorder(),
			httptest.NewRequest(http.MethodGet, target, nil))
	}
	for _, s := range rec.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// GET /users/{id}
	// GET
}

// Example_parts composes vigil's single parts the way chi users compose
// middleware, for routers.md and migrating.md.
func Example_parts() {
	tp, rec := recorded()
	logger := quiet()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)
	chain := []func(http.Handler) http.Handler{ // outermost first
		middleware.RequestID(),
		middleware.Trace(middleware.WithTracerProvider(tp)),
		middleware.Recover(middleware.WithLogger(logger)),
		middleware.Metrics(),
		middleware.AccessLog(middleware.WithLogger(logger)),
	}
	var handler http.Handler = mux
	for i := len(chain) - 1; i >= 0; i-- {
		handler = chain[i](handler)
	}

	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/users/1", nil))
	fmt.Println(rec.Ended()[0].Name(), w.Code, w.Header().Get("X-Request-ID") != "")
	// Output:
	// GET /users/{id} 200 true
}

// Example_fromOtelhttp is the "before" of migrating.md: otelhttp on the
// server and the client.
func Example_fromOtelhttp() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	handler := otelhttp.NewHandler(mux, "users")
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)}

	_, _ = handler, client
}

// Example_toVigil is the "after" of migrating.md.
func Example_toVigil() {
	ctx := context.Background()
	tel, err := vigil.Start(ctx, vigil.WithServiceName("users"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	handler := middleware.Handler(mux, middleware.WithLogger(tel.Logger))
	client := &http.Client{Transport: middleware.Transport(http.DefaultTransport)}

	_, _ = handler, client
}

// Example_chiEquivalents maps chi's RequestID, Logger and Recoverer to
// vigil's parts for migrating.md.
func Example_chiEquivalents() {
	logger := quiet()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	// r.Use(chimw.RequestID, chimw.Logger, chimw.Recoverer) becomes:
	handler := middleware.Handler(mux,
		middleware.WithParts(middleware.PartRequestID|
			middleware.PartRecover|middleware.PartAccessLog),
		middleware.WithLogger(logger))

	// Reading the ID in a handler: chimw.GetReqID(ctx) becomes
	id := logging.RequestIDFromContext(context.Background())

	_, _ = handler, id
}

// Example_startOptions is configuration.md's vigil.Start with every kind
// of option.
func Example_startOptions() {
	ctx := context.Background()
	tel, err := vigil.Start(ctx,
		vigil.WithServiceName("shop"),
		vigil.WithEndpoint("http://127.0.0.1:4317"), // else OTEL_EXPORTER_OTLP_ENDPOINT
		vigil.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))),
		vigil.WithLogLevel(slog.LevelDebug),
		vigil.WithTracingOptions(tracing.WithExportTimeout(3*time.Second)),
		vigil.WithMetricsOptions(metrics.WithCardinalityLimit(500)),
		vigil.WithLoggingOptions(logging.WithRedactedKeyWords(
			append(logging.DefaultRedactedKeyWords(), "cardnumber")...)),
	)
	if err != nil {
		log.Fatal(err) // e.g. an unknown OTEL_TRACES_SAMPLER
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()
}

// Example_cardinality gathers production.md's cardinality controls.
func Example_cardinality() {
	ctx := context.Background()
	tel, err := vigil.Start(ctx,
		vigil.WithMetricsOptions(metrics.WithCardinalityLimit(1000)))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser) // a template, not a raw path

	handler := middleware.Handler(mux,
		middleware.WithExcludePaths("/favicon.ico"),
		middleware.WithLogger(tel.Logger))

	// One breaker per tenant host would be unbounded: group them.
	client := &http.Client{Transport: middleware.Transport(
		resilience.NewTransport(nil,
			resilience.WithBreakerKey(func(r *http.Request) string {
				if strings.HasSuffix(r.URL.Hostname(), ".tenants.example.com") {
					return "tenants"
				}
				return r.URL.Host
			})))}
	_, _ = handler, client
}

// shutdown is production.md's shutdown order: drain, stop the servers,
// close what they used, flush telemetry last, each step bounded.
func shutdown(srv *http.Server, reg *health.Registry, db *sql.DB,
	tel *vigil.Telemetry, drainDelay time.Duration) error {
	// 1. Readiness fails; load balancers stop sending new requests.
	reg.Drain()
	time.Sleep(drainDelay) // a few probe periods

	// 2. Stop accepting and let in-flight requests finish, bounded.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errSrv := srv.Shutdown(ctx)

	// 3. Close what the handlers used.
	reg.Close()
	errDB := db.Close()

	// 4. Flush spans last, with its own deadline: a dead collector
	// must not hold up exit.
	tctx, tcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer tcancel()
	return errors.Join(errSrv, errDB, tel.Shutdown(tctx))
}

// Example_shutdown wires shutdown to SIGTERM.
func Example_shutdown() {
	var (
		srv *http.Server
		reg *health.Registry
		db  *sql.DB
		tel *vigil.Telemetry
	)
	ctx, stop := signalContext()
	defer stop()
	go func() { _ = srv.ListenAndServe() }()
	<-ctx.Done()
	if err := shutdown(srv, reg, db, tel, 5*time.Second); err != nil {
		log.Print(err)
	}
}

// signalContext stands for signal.NotifyContext(ctx, syscall.SIGTERM,
// os.Interrupt), kept out of the example so that it compiles everywhere.
func signalContext() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// The samples below are those of the package guides (telemetry,
// middleware, dbsql, health, resilience) and of the README's quick start.
// The names a sample uses without declaring them are declared around it.

// Example_readmeQuickStart is the quick start of the repository's
// README.md; examples/quickstart is the complete program.
func Example_readmeQuickStart() {
	ctx := context.Background()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	tel, err := vigil.Start(ctx, vigil.WithServiceName("hello")) // reads OTEL_* variables
	if err != nil {
		log.Fatal(err)
	}
	defer func() { // flush spans, bounded: a dead collector must not hold up exit
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(ctx)
	}()

	db, err := dbsql.Open("sqlite", "file::memory:", dbsql.WithLogger(tel.Logger)) // was sql.Open
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	go func() { _ = http.ListenAndServe("127.0.0.1:9464", tel.AdminHandler()) }() // /metrics, opt-in pprof
	log.Print(http.ListenAndServe(":8080", middleware.Handler(mux, middleware.WithLogger(tel.Logger))))
}

// Example_telemetryQuickStart is the opening sample of telemetry.md.
func Example_telemetryQuickStart() {
	ctx := context.Background()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	tel, err := vigil.Start(ctx, vigil.WithServiceName("shop"))
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(ctx)
	}()
	go func() { _ = http.ListenAndServe("127.0.0.1:9464", tel.AdminHandler()) }() // /metrics

	h := middleware.Handler(mux,
		middleware.WithTracerProvider(tel.TracerProvider),
		middleware.WithMeterProvider(tel.MeterProvider),
		middleware.WithPropagator(tel.Propagator),
		middleware.WithLogger(tel.Logger))
	_ = http.ListenAndServe("127.0.0.1:8080", h)
}

// TestVigiltestSample runs the vigiltest sample of telemetry.md, then
// checks that what it shows holds: one span per request, found by name,
// and an access log line carrying the span's trace ID.
func TestVigiltestSample(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	tel := vigiltest.New(t) // shut down by t.Cleanup
	h := middleware.Handler(mux,
		middleware.WithTracerProvider(tel.TracerProvider),
		middleware.WithMeterProvider(tel.MeterProvider),
		middleware.WithLogger(tel.Logger))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/users/42", nil))
	tel.SpanNames()                            // []string, end order
	tel.Spans()                                // []sdktrace.ReadOnlySpan
	tel.Metric("http.server.request.duration") // metricdata.Metrics, found
	tel.CollectMetrics()                       // metricdata.ResourceMetrics
	tel.LogRecords()                           // []map[string]any, one per JSON line
	tel.Reset()                                // forget spans and logs

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/users/7", nil))
	spans := tel.Spans()
	if names := tel.SpanNames(); len(spans) != 1 || len(names) != 1 || names[0] != "GET /users/{id}" {
		t.Fatalf("after Reset and one request: spans %v", names)
	}
	if _, ok := tel.Metric("http.server.request.duration"); !ok {
		t.Error("no http.server.request.duration")
	}
	logs := tel.LogRecords()
	if len(logs) != 1 || logs[0]["trace_id"] != spans[0].SpanContext().TraceID().String() {
		t.Errorf("log records %v, want one with the span's trace_id", logs)
	}
}

// Example_middlewareQuickStart is the opening sample of middleware.md.
func Example_middlewareQuickStart() {
	tel, err := vigil.Start(context.Background())
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	handler := middleware.Handler(mux,
		middleware.WithTracerProvider(tel.TracerProvider), // default: otel globals
		middleware.WithMeterProvider(tel.MeterProvider),   // default: otel globals
		middleware.WithLogger(tel.Logger),                 // default: slog.Default()
		middleware.WithExcludePaths("/healthz", "/metrics"),
	)
	client := &http.Client{Transport: middleware.Transport(nil,
		middleware.WithTracerProvider(tel.TracerProvider),
		middleware.WithMeterProvider(tel.MeterProvider))}
	_, _ = handler, client
}

// Example_dbsqlQuickStart is the quick start of dbsql.md.
func Example_dbsqlQuickStart() {
	tel, err := vigil.Start(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	logger := tel.Logger

	db, err := dbsql.Open("pgx", os.Getenv("DATABASE_URL"), // was: sql.Open
		dbsql.WithTracerProvider(tel.TracerProvider), // default: otel globals
		dbsql.WithMeterProvider(tel.MeterProvider),   // default: otel globals
		dbsql.WithLogger(logger),                     // default: none (silent)
	)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close() // also unregisters the pool metrics
}

// migrated stands for a startup check of the service: the schema is at
// the version the binary expects.
func migrated(ctx context.Context) error { return ctx.Err() }

// Example_healthQuickStart runs the quick start of health.md: after Drain,
// readiness fails and liveness still passes.
func Example_healthQuickStart() {
	logger := quiet()
	mp := sdkmetric.NewMeterProvider()
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	pricingBreaker := resilience.NewBreaker(resilience.WithName("pricing"))
	adminMux, publicMux := http.NewServeMux(), http.NewServeMux()

	reg := health.New(health.WithLogger(logger), health.WithMeterProvider(mp))
	defer reg.Close()

	_ = reg.Register(health.Check{Name: "db", Func: health.SQL(db)}) // readiness
	_ = reg.Register(health.Check{Name: "pricing", Func: health.Breaker(pricingBreaker)})
	_ = reg.Register(health.Check{Name: "migrated", Func: migrated, Probes: health.Startup})
	_ = reg.Register(health.Check{Name: "goroutines", Func: health.Goroutines(10_000),
		Probes: health.Liveness, Optional: true})

	h := reg.Handler()                 // admin listener: details
	for _, p := range health.Paths() { // /livez /readyz /startupz /healthz
		adminMux.Handle(p, h)
	}
	publicMux.Handle("/readyz", reg.ProbeHandler(health.Readiness, health.WithDetails(false)))

	// On SIGTERM: readiness fails, liveness passes; wait a few probe periods,
	// then shut the server down.
	reg.Drain()

	for _, probe := range []struct {
		mux  *http.ServeMux
		path string
	}{{publicMux, "/readyz"}, {adminMux, "/livez"}} {
		w := httptest.NewRecorder()
		probe.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, probe.path, nil))
		fmt.Println(probe.path, w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// /readyz 503 failed
	// /livez 200 ok
}

// Price is what the pricing service answers in the resilience samples.
type Price struct {
	SKU   string
	Cents int64
}

// pricingClient stands for the shop's client of the pricing service.
type pricingClient struct{}

func (pricingClient) Get(ctx context.Context, sku string) (Price, error) {
	return Price{SKU: sku, Cents: 1250}, ctx.Err()
}

// pricingHandler stands for the pricing service's routes.
func pricingHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /prices/{sku}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "{\"sku\":%q,\"cents\":1250}\n", r.PathValue("sku"))
	})
	return mux
}

// Example_breaker runs the breaker sample of resilience.md.
func Example_breaker() {
	ctx := context.Background()
	mp := sdkmetric.NewMeterProvider()
	logger := quiet()
	var pricing pricingClient
	sku := "sku-42"

	b := resilience.NewBreaker(
		resilience.WithName("pricing"),
		resilience.WithConsecutiveFailures(5),      // default policy
		resilience.WithOpenTimeout(30*time.Second), // default
		resilience.WithHalfOpenQuota(1),            // default
		resilience.WithMeterProvider(mp),
		resilience.WithLogger(logger))

	price, err := resilience.Do(ctx, b, func(ctx context.Context) (Price, error) {
		return pricing.Get(ctx, sku)
	})
	if errors.Is(err, resilience.ErrOpen) {
		// rejected without calling pricing: degrade, serve from cache, ...
	}
	fmt.Println(price.SKU, price.Cents, err, b.StateName())
	// Output:
	// sku-42 1250 <nil> closed
}

// Example_resilientClient is the client transport sample of resilience.md.
func Example_resilientClient() {
	tp, _ := recorded()
	mp := sdkmetric.NewMeterProvider()
	logger := quiet()

	client := &http.Client{Transport: middleware.Transport( // tracing: outside
		resilience.NewTransport(http.DefaultTransport, // breaker + retries: inside
			resilience.WithMeterProvider(mp),
			resilience.WithLogger(logger),
			resilience.WithAttemptTimeout(2*time.Second)),
		middleware.WithTracerProvider(tp), middleware.WithMeterProvider(mp))}
	_ = client
}

// Example_loadShedding is the load shedding sample of resilience.md.
func Example_loadShedding() {
	tp, _ := recorded()
	mp := sdkmetric.NewMeterProvider()
	logger := quiet()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	h := middleware.Handler(resilience.Limit(mux,
		resilience.WithMaxInFlight(200),                // default 100
		resilience.WithQueue(50, 100*time.Millisecond), // default: no queue
		resilience.WithRetryAfter(time.Second),         // default 1s
		resilience.WithMeterProvider(mp), resilience.WithLogger(logger)),
		middleware.WithTracerProvider(tp), middleware.WithLogger(logger))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/users/1", nil))
	fmt.Println(w.Code)
	// Output:
	// 200
}

// Example_faultInjection is the fault injection sample of resilience.md.
// It reads the environment, so it only compiles.
func Example_faultInjection() {
	tp, _ := recorded()
	mp := sdkmetric.NewMeterProvider()
	logger := quiet()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", getUser)

	cfg, err := resilience.ChaosConfigFromEnv(nil) // VIGIL_CHAOS_*
	if err != nil {
		log.Fatal(err) // a malformed value, named in the message
	}
	h := middleware.Handler(resilience.Chaos(mux, cfg, resilience.WithMeterProvider(mp),
		resilience.WithLogger(logger)),
		middleware.WithTracerProvider(tp), middleware.WithLogger(logger))
	_ = http.ListenAndServe("127.0.0.1:8081", h)
}

// Example_shopPricingClient is the shop side of resilience.md's wiring of
// the reference app.
func Example_shopPricingClient() {
	tel, err := vigil.Start(context.Background(), vigil.WithServiceName("shop"))
	if err != nil {
		log.Fatal(err)
	}

	pricingBreaker := resilience.NewBreaker(resilience.WithName("pricing"),
		resilience.WithConsecutiveFailures(5), resilience.WithOpenTimeout(10*time.Second),
		resilience.WithMeterProvider(tel.MeterProvider), resilience.WithLogger(tel.Logger))
	client := &http.Client{Timeout: 5 * time.Second, Transport: middleware.Transport(
		resilience.NewTransport(nil, resilience.WithBreaker(pricingBreaker),
			resilience.WithAttemptTimeout(time.Second),
			resilience.WithMeterProvider(tel.MeterProvider), resilience.WithLogger(tel.Logger)),
		middleware.WithTracerProvider(tel.TracerProvider),
		middleware.WithMeterProvider(tel.MeterProvider),
		middleware.WithPropagator(tel.Propagator))}
	// readiness: health.Breaker(pricingBreaker) (open fails, half-open degraded)
	// callers: errors.Is(err, resilience.ErrOpen) -> degrade (e.g. 503 or cached price)
	_ = client
}

// Example_pricingChaos is the pricing side of resilience.md's wiring of
// the reference app.
func Example_pricingChaos() {
	tel, err := vigil.Start(context.Background(), vigil.WithServiceName("pricing"))
	if err != nil {
		log.Fatal(err)
	}

	chaos, err := resilience.ChaosConfigFromEnv(nil) // off unless VIGIL_CHAOS_ENABLED
	if err != nil {
		log.Fatal(err)
	}
	h := middleware.Handler(resilience.Chaos(pricingHandler(), chaos,
		resilience.WithMeterProvider(tel.MeterProvider), resilience.WithLogger(tel.Logger)),
		middleware.WithTracerProvider(tel.TracerProvider),
		middleware.WithMeterProvider(tel.MeterProvider),
		middleware.WithPropagator(tel.Propagator),
		middleware.WithLogger(tel.Logger))
	_ = http.ListenAndServe("127.0.0.1:8081", h)
}
