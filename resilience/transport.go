package resilience

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// StatusError is the error a [Transport]'s breaker sees for a response
// whose status counts as a failure (see [WithFailureStatus]); a custom
// [Classifier] can test for it with errors.As. The caller never receives
// it: RoundTrip returns the response itself.
type StatusError struct {
	// Code is the response's status code.
	Code int
}

// Error returns "resilience: status " and the code.
func (e *StatusError) Error() string {
	return "resilience: status " + strconv.Itoa(e.Code)
}

// Transport is an http.RoundTripper that sends each request through a
// circuit breaker per key (the URL host by default) and retries failed
// attempts with exponential backoff and full jitter. Create one with
// [NewTransport]; the zero value is not usable. It is safe for concurrent
// use.
//
// Only requests that are safe to send twice are retried: the method is
// idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE, or any method with
// an Idempotency-Key or X-Idempotency-Key header, as in net/http) and the
// body is absent or replayable through Request.GetBody.
type Transport struct {
	base    http.RoundTripper
	cfg     config
	retries metric.Int64Counter
	byError metric.AddOption
	byCode  metric.AddOption

	mu       sync.Mutex
	breakers map[string]*Breaker
}

// NewTransport returns a Transport sending through base, or through
// http.DefaultTransport when base is nil. Options: [WithBreakerKey],
// [WithBreaker], [WithoutBreaker], [WithBreakerCreated], the breaker
// options (applied to every breaker it creates), [WithFailureStatus],
// [WithRetryStatus], [WithMaxAttempts], [WithBackoff],
// [WithRetryAfterCap], [WithAttemptTimeout], [WithRandom],
// [WithMeterProvider] and [WithLogger].
//
// Place it inside the tracing transport, so that one client span covers
// all attempts and carries http.request.resend_count:
//
//	client := &http.Client{Transport: middleware.Transport(
//		resilience.NewTransport(http.DefaultTransport))}
func NewTransport(base http.RoundTripper, opts ...Option) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &Transport{
		base:     base,
		cfg:      newConfig(opts),
		breakers: make(map[string]*Breaker),
	}
	m := t.cfg.meterProvider.Meter(scopeName)
	var err error
	t.retries, err = m.Int64Counter("vigil.http.client.retries",
		metric.WithUnit("{retry}"),
		metric.WithDescription("HTTP requests sent again by the retrying "+
			"transport, by reason."))
	if err != nil {
		logError(t.cfg.logger, "resilience: creating retry counter", err)
	}
	t.byError = metric.WithAttributeSet(attribute.NewSet(
		attribute.String("vigil.retry.reason", "error")))
	t.byCode = metric.WithAttributeSet(attribute.NewSet(
		attribute.String("vigil.retry.reason", "status")))
	return t
}

// Breakers returns the breakers the transport uses so far, sorted by name.
// It is safe for concurrent use.
func (t *Transport) Breakers() []*Breaker {
	if t.cfg.breaker != nil {
		return []*Breaker{t.cfg.breaker}
	}
	t.mu.Lock()
	out := make([]*Breaker, 0, len(t.breakers))
	for _, b := range t.breakers {
		out = append(out, b)
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b *Breaker) int {
		return compareStrings(a.name, b.name)
	})
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// breakerFor returns the breaker for req, creating it on first use, or
// nil when req bypasses breakers.
func (t *Transport) breakerFor(req *http.Request) *Breaker {
	if t.cfg.noBreaker {
		return nil
	}
	if t.cfg.breaker != nil {
		return t.cfg.breaker
	}
	key := t.cfg.breakerKey(req)
	if key == "" {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.breakers[key]
	if b == nil {
		c := t.cfg
		c.name = key
		b = newBreaker(&c)
		t.breakers[key] = b
		if t.cfg.onBreakerCreate != nil {
			t.cfg.onBreakerCreate(b)
		}
	}
	return b
}

// RoundTrip sends req, through its breaker and with retries. It returns
// the last attempt's response or error; a breaker rejection is a
// *[RejectedError] matching [ErrOpen] and is not retried. It honours the
// caller's context: no attempt or backoff outlives its deadline.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	br := t.breakerFor(req)
	maxAttempts := 1
	if t.retryable(req) {
		maxAttempts = t.cfg.maxAttempts
	}
	for attempt := 0; ; attempt++ {
		areq, err := t.attemptRequest(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.send(ctx, br, areq)
		if attempt+1 >= maxAttempts {
			return resp, err
		}
		wait, reason, retry := t.retryWait(ctx, resp, err, attempt)
		if !retry || !fitsDeadline(ctx, wait) {
			return resp, err
		}
		t.noteRetry(ctx, attempt+1, reason, resp, err, wait)
		discard(resp)
		if !sleep(ctx, wait) {
			return nil, ctx.Err()
		}
	}
}

// attemptRequest returns the request to send for attempt n: req itself
// for the first attempt, otherwise a copy with a fresh body and the
// resend count in its context.
func (t *Transport) attemptRequest(
	req *http.Request, n int,
) (*http.Request, error) {
	if n == 0 {
		return req, nil
	}
	ctx := context.WithValue(req.Context(), resendKey{}, n)
	r := req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, errors.Join(
				errors.New("resilience: replaying request body"), err)
		}
		r.Body = body
	}
	if span := trace.SpanFromContext(ctx); isClientSpan(span) {
		span.SetAttributes(attribute.Int("http.request.resend_count", n))
	}
	return r, nil
}

// isClientSpan reports whether span is (or may be) the HTTP client span
// of the tracing transport around this one: the attribute belongs there,
// not on a server span when the tracing transport sits inside. Spans
// that do not expose their kind (the SDK's do) are assumed to be.
func isClientSpan(span trace.Span) bool {
	k, ok := span.(interface{ SpanKind() trace.SpanKind })
	return !ok || k.SpanKind() == trace.SpanKindClient
}

// send makes one attempt through br (if any) within the attempt timeout.
func (t *Transport) send(
	ctx context.Context, br *Breaker, req *http.Request,
) (*http.Response, error) {
	if br == nil {
		return t.attempt(req)
	}
	var resp *http.Response
	err := br.Execute(ctx, func(context.Context) error {
		var err error
		resp, err = t.attempt(req) //nolint:bodyclose // returned to the caller
		if err == nil && t.cfg.failureStatus(resp.StatusCode) {
			return &StatusError{Code: resp.StatusCode}
		}
		return err
	})
	if _, ok := err.(*StatusError); ok { // returned as is by Execute
		err = nil
	}
	return resp, err
}

func (t *Transport) attempt(req *http.Request) (*http.Response, error) {
	if t.cfg.attemptTimeout <= 0 {
		return t.base.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.cfg.attemptTimeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends an attempt's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// retryable reports whether req may be sent more than once.
func (t *Transport) retryable(req *http.Request) bool {
	if t.cfg.maxAttempts < 2 {
		return false
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions,
		http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

// retryWait decides whether the outcome of attempt n (0-based) is retried
// and how long to wait first.
func (t *Transport) retryWait(
	ctx context.Context, resp *http.Response, err error, n int,
) (time.Duration, string, bool) {
	switch {
	case ctx.Err() != nil, errors.Is(err, ErrOpen):
		return 0, "", false
	case err != nil:
		return t.backoff(n), "error", true
	case !t.cfg.retryStatus(resp.StatusCode):
		return 0, "", false
	}
	if t.cfg.retryAfterMax > 0 {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"),
			time.Now()); ok {
			return min(d, t.cfg.retryAfterMax), "status", true
		}
	}
	return t.backoff(n), "status", true
}

// backoff returns the full-jitter wait before retry n+1.
func (t *Transport) backoff(n int) time.Duration {
	ceiling := t.cfg.backoffMax
	if n < 32 {
		ceiling = min(ceiling, t.cfg.backoffBase<<n)
	}
	if ceiling <= 0 { // shift overflow
		ceiling = t.cfg.backoffMax
	}
	return time.Duration(t.cfg.random() * float64(ceiling))
}

// fitsDeadline reports whether waiting d still leaves time before ctx's
// deadline.
func fitsDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d
}

func (t *Transport) noteRetry(ctx context.Context, n int, reason string,
	resp *http.Response, err error, wait time.Duration,
) {
	if t.retries != nil {
		opt := t.byCode
		if err != nil {
			opt = t.byError
		}
		t.retries.Add(ctx, 1, opt)
	}
	attrs := []attribute.KeyValue{
		attribute.Int("http.request.resend_count", n),
		attribute.String("vigil.retry.reason", reason),
		attribute.Int64("vigil.retry.wait_ms", wait.Milliseconds()),
	}
	if resp != nil {
		attrs = append(attrs,
			attribute.Int("http.response.status_code", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, attribute.String("error.message", err.Error()))
	}
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("vigil.retry", trace.WithAttributes(attrs...))
	}
	if t.cfg.logger != nil {
		t.cfg.logger.LogAttrs(ctx, slog.LevelDebug,
			"resilience: retrying request",
			slog.Int("resend_count", n), slog.String("reason", reason),
			slog.Duration("wait", wait))
	}
}

// discard drains a little of a response body so its connection can be
// reused, then closes it.
func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}

type resendKey struct{}

// ResendCount returns how many times the request being sent with ctx was
// sent before: 0 for a first attempt, n for the n-th retry by a
// [Transport]. A tracing transport placed inside the retrying one can
// read it to set http.request.resend_count on each attempt's span.
func ResendCount(ctx context.Context) int {
	n, _ := ctx.Value(resendKey{}).(int)
	return n
}

// CloseIdleConnections closes the idle connections of the base transport
// when it has such a method, so http.Client.CloseIdleConnections reaches
// through the Transport.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
