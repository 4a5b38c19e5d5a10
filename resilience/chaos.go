package resilience

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/internal/scope"
)

// ChaosHeader is the response header set, to the kinds of fault injected
// (e.g. "latency,status"), on every response [Chaos] or [ChaosTransport]
// tampered with.
const ChaosHeader = "X-Vigil-Chaos"

// ErrInjectedAbort is the error [ChaosTransport] returns for an injected
// connection abort.
var ErrInjectedAbort = errors.New("resilience: chaos: injected connection abort")

// Fault is what [Chaos] does to a request it picked. The zero value does
// nothing.
type Fault struct {
	// Latency delays the request before it proceeds (or fails).
	Latency time.Duration
	// Status, if non-zero, answers with this status instead of serving
	// the request.
	Status int
	// Abort drops the connection: the server handler panics with
	// http.ErrAbortHandler, the client transport returns
	// [ErrInjectedAbort]. It takes precedence over Status.
	Abort bool
}

// ChaosRule picks requests and the fault to inject into them. A rule
// matches a request when every non-empty selector matches; the zero rule
// matches every request but, with Probability 0, injects nothing.
type ChaosRule struct {
	// Name labels the rule in telemetry; "" becomes "rule<index>".
	Name string
	// Path is a URL path prefix; "" matches every path.
	Path string
	// Method matches the request method exactly; "" matches any.
	Method string
	// Header names a request header that must be present; "" matches
	// every request.
	Header string
	// HeaderValue, with Header, is the value the header must have; ""
	// accepts any value.
	HeaderValue string
	// Baggage names a W3C baggage member the request must carry, read
	// from the request context (where vigil's tracing middleware puts
	// it) or else from the Baggage header; "" matches every request. A
	// load generator can so mark the requests of a fault phase, and the
	// mark travels to downstream services.
	Baggage string
	// BaggageValue, with Baggage, is the value the member must have; ""
	// accepts any value.
	BaggageValue string
	// Probability in [0, 1] that a matching request gets the fault.
	Probability float64

	Fault
}

// ChaosConfig configures fault injection. The zero value is disabled:
// nothing is injected unless Enabled is true. The first rule matching a
// request decides; a request matching no rule passes untouched.
type ChaosConfig struct {
	// Enabled switches injection on; false (the default) injects nothing.
	Enabled bool
	// Rules are tried in order; the first whose selectors match decides.
	Rules []ChaosRule
}

// ChaosConfigFromEnv builds a one-rule ChaosConfig from environment
// variables read with getenv (os.Getenv when nil):
//
//	VIGIL_CHAOS_ENABLED      "true" or "1" enables injection (default off)
//	VIGIL_CHAOS_PROBABILITY  0..1, default 1
//	VIGIL_CHAOS_LATENCY      Go duration, e.g. 250ms
//	VIGIL_CHAOS_STATUS       status code, 100..599
//	VIGIL_CHAOS_ABORT        "true" or "1" aborts connections
//	VIGIL_CHAOS_PATH         path prefix
//	VIGIL_CHAOS_METHOD       request method
//	VIGIL_CHAOS_HEADER       header name, or name=value
//	VIGIL_CHAOS_BAGGAGE      baggage member key, or key=value
//
// The rule is named "env". A malformed value is an error naming the
// variable.
func ChaosConfigFromEnv(getenv func(string) string) (ChaosConfig, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	env := func(k string) string {
		return strings.TrimSpace(getenv("VIGIL_CHAOS_" + k))
	}
	var cfg ChaosConfig
	r := ChaosRule{Name: "env", Probability: 1,
		Path: env("PATH"), Method: env("METHOD")}
	var errs []error
	parse := func(k string, f func(string) error) {
		if v := env(k); v != "" {
			if err := f(v); err != nil {
				errs = append(errs, errors.New(
					"resilience: VIGIL_CHAOS_"+k+": "+err.Error()))
			}
		}
	}
	parse("ENABLED", boolInto(&cfg.Enabled))
	parse("ABORT", boolInto(&r.Abort))
	parse("PROBABILITY", func(v string) (err error) {
		r.Probability, err = strconv.ParseFloat(v, 64)
		if err == nil && !(r.Probability >= 0 && r.Probability <= 1) {
			err = errors.New("not in [0, 1]")
		}
		return err
	})
	parse("LATENCY", func(v string) (err error) {
		r.Latency, err = time.ParseDuration(v)
		if err == nil && r.Latency < 0 {
			err = errors.New("negative")
		}
		return err
	})
	parse("STATUS", func(v string) (err error) {
		r.Status, err = strconv.Atoi(v)
		if err == nil && (r.Status < 100 || r.Status > 599) {
			err = errors.New("not a status code")
		}
		return err
	})
	r.Header, r.HeaderValue, _ = strings.Cut(env("HEADER"), "=")
	r.Baggage, r.BaggageValue, _ = strings.Cut(env("BAGGAGE"), "=")
	if err := errors.Join(errs...); err != nil {
		return ChaosConfig{}, err
	}
	cfg.Rules = []ChaosRule{r}
	return cfg, nil
}

func boolInto(dst *bool) func(string) error {
	return func(v string) (err error) {
		*dst, err = strconv.ParseBool(v)
		return err
	}
}

// injector is the part of fault injection shared by server and client.
type injector struct {
	rules  []ChaosRule
	side   string
	random func() float64
	logger *slog.Logger
	faults metric.Int64Counter
	attrs  [][3]metric.AddOption // [rule][latency, status, abort]
}

var faultKinds = [3]string{"latency", "status", "abort"}

func newInjector(cfg ChaosConfig, side string, opts []Option) *injector {
	c := newConfig(opts)
	in := &injector{
		rules: append([]ChaosRule(nil), cfg.Rules...), side: side,
		random: c.random, logger: c.logger,
	}
	var err error
	in.faults, err = c.meterProvider.Meter(scopeName).Int64Counter(
		"vigil.chaos.faults", metric.WithUnit("{fault}"),
		metric.WithDescription("Faults injected by vigil's chaos middleware."))
	if err != nil {
		logError(c.logger, "resilience: creating chaos counter", err)
	}
	in.attrs = make([][3]metric.AddOption, len(in.rules))
	for i := range in.rules {
		if in.rules[i].Name == "" {
			in.rules[i].Name = "rule" + strconv.Itoa(i)
		}
		for k, kind := range faultKinds {
			in.attrs[i][k] = metric.WithAttributeSet(attribute.NewSet(
				attribute.String("vigil.chaos.rule", in.rules[i].Name),
				attribute.String("vigil.chaos.fault", kind),
				attribute.String("vigil.chaos.side", side)))
		}
	}
	return in
}

// pick returns the index of the rule whose fault r gets, or -1.
func (in *injector) pick(r *http.Request) int {
	for i := range in.rules {
		if !in.rules[i].matches(r) {
			continue
		}
		if p := in.rules[i].Probability; p > 0 && in.random() < p {
			return i
		}
		return -1
	}
	return -1
}

func (rule *ChaosRule) matches(r *http.Request) bool {
	if rule.Method != "" && rule.Method != r.Method {
		return false
	}
	if !strings.HasPrefix(r.URL.Path, rule.Path) {
		return false
	}
	if rule.Baggage != "" && !rule.baggageMatches(r) {
		return false
	}
	if rule.Header == "" {
		return true
	}
	v, ok := r.Header[http.CanonicalHeaderKey(rule.Header)]
	return ok && (rule.HeaderValue == "" || slices.Contains(v, rule.HeaderValue))
}

func (rule *ChaosRule) baggageMatches(r *http.Request) bool {
	m := baggage.FromContext(r.Context()).Member(rule.Baggage)
	if m.Key() == "" {
		if h := r.Header.Get("Baggage"); h != "" {
			b, _ := baggage.Parse(h) // keeps the valid members
			m = b.Member(rule.Baggage)
		}
	}
	return m.Key() != "" &&
		(rule.BaggageValue == "" || m.Value() == rule.BaggageValue)
}

// kinds lists the fault kinds rule i injects, as for [ChaosHeader].
func (in *injector) kinds(i int) []int {
	f := in.rules[i].Fault
	var out []int
	if f.Latency > 0 {
		out = append(out, 0)
	}
	switch {
	case f.Abort:
		out = append(out, 2)
	case f.Status != 0:
		out = append(out, 1)
	}
	return out
}

// mark records that rule i's fault is being injected into the request
// with ctx: metric, span and log. It returns the ChaosHeader value.
func (in *injector) mark(ctx context.Context, r *http.Request, i int) string {
	kinds := in.kinds(i)
	names := make([]string, len(kinds))
	for j, k := range kinds {
		names[j] = faultKinds[k]
		if in.faults != nil {
			in.faults.Add(ctx, 1, in.attrs[i][k])
		}
	}
	joined := strings.Join(names, ",")
	rule := &in.rules[i]
	// vigil's access log, when it wraps this handler, adds chaos=<faults>.
	scope.Annotate(ctx, "chaos", joined)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := []attribute.KeyValue{
			attribute.String("vigil.chaos.rule", rule.Name),
			attribute.String("vigil.chaos.fault", joined),
			attribute.String("vigil.chaos.side", in.side),
		}
		span.SetAttributes(attrs...)
		span.AddEvent("vigil.chaos.fault", trace.WithAttributes(append(attrs,
			attribute.Int64("vigil.chaos.latency_ms",
				rule.Latency.Milliseconds()),
			attribute.Int("vigil.chaos.status", rule.Status))...))
	}
	if in.logger != nil {
		in.logger.LogAttrs(ctx, slog.LevelWarn, "resilience: chaos fault injected",
			slog.String("rule", rule.Name), slog.String("fault", joined),
			slog.String("side", in.side), slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Duration("latency", rule.Latency),
			slog.Int("status", rule.Status))
	}
	return joined
}

type chaosHandler struct {
	next http.Handler
	in   *injector
}

// Chaos returns next wrapped in fault injection as cfg describes, or next
// itself when cfg is not enabled. A picked request is delayed, answered
// with an error status or aborted (panic(http.ErrAbortHandler), which
// net/http turns into a dropped connection); each fault is counted in
// vigil.chaos.faults, set on the current span (attributes and event
// vigil.chaos.*), logged at warn level and, unless aborted, announced in
// the [ChaosHeader] response header. Options: [WithRandom],
// [WithMeterProvider], [WithLogger].
//
// Place it inside vigil's middleware.Handler so faults land on the server
// span. A recover middleware around it must re-panic http.ErrAbortHandler.
// The returned handler is safe for concurrent use.
func Chaos(next http.Handler, cfg ChaosConfig, opts ...Option) http.Handler {
	if !cfg.Enabled || len(cfg.Rules) == 0 {
		return next
	}
	return &chaosHandler{next: next, in: newInjector(cfg, "server", opts)}
}

func (h *chaosHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := h.in.pick(r)
	if i < 0 {
		h.next.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	kinds := h.in.mark(ctx, r, i)
	f := h.in.rules[i].Fault
	if !sleep(ctx, f.Latency) {
		return // the client is gone
	}
	if f.Abort {
		panic(http.ErrAbortHandler)
	}
	w.Header().Set(ChaosHeader, kinds)
	if f.Status == 0 {
		h.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, "vigil chaos: injected fault\n")
}

type chaosTransport struct {
	base http.RoundTripper
	in   *injector
}

// ChaosTransport returns base wrapped in client-side fault injection as
// cfg describes, or base itself when cfg is not enabled (base nil means
// http.DefaultTransport). A picked request is delayed, answered with a
// synthetic response carrying the fault's status and [ChaosHeader], or
// failed with [ErrInjectedAbort] without being sent. Telemetry is as for
// [Chaos], with vigil.chaos.side "client". Place it inside the tracing
// and retrying transports, where a real network fault would occur. The
// returned RoundTripper is safe for concurrent use.
func ChaosTransport(
	base http.RoundTripper, cfg ChaosConfig, opts ...Option,
) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if !cfg.Enabled || len(cfg.Rules) == 0 {
		return base
	}
	return &chaosTransport{base: base, in: newInjector(cfg, "client", opts)}
}

func (t *chaosTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	i := t.in.pick(req)
	if i < 0 {
		return t.base.RoundTrip(req)
	}
	ctx := req.Context()
	kinds := t.in.mark(ctx, req, i)
	f := t.in.rules[i].Fault
	if !sleep(ctx, f.Latency) {
		closeBody(req)
		return nil, ctx.Err()
	}
	switch {
	case f.Abort:
		closeBody(req)
		return nil, ErrInjectedAbort
	case f.Status != 0:
		closeBody(req)
		return syntheticResponse(req, f.Status, kinds), nil
	}
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		resp.Header.Set(ChaosHeader, kinds)
	}
	return resp, err
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

func syntheticResponse(req *http.Request, code int, kinds string) *http.Response {
	body := "vigil chaos: injected fault\n"
	return &http.Response{
		Status:     strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode: code,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{
			ChaosHeader:    {kinds},
			"Content-Type": {"text/plain; charset=utf-8"},
		},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}
