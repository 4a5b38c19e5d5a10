package resilience

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
)

// Option configures a [Breaker], [NewTransport], [Limit] or [Chaos]. All
// constructors share one option type; an option that does not concern a
// constructor is ignored by it. A nil Option is ignored.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config holds every setting of the package; each constructor reads the
// fields it needs.
type config struct {
	meterProvider metric.MeterProvider
	logger        *slog.Logger
	random        func() float64

	// breaker
	name            string
	consecutive     uint32
	ratio           float64
	minRequests     uint32
	openTimeout     time.Duration
	halfOpenQuota   uint32
	countInterval   time.Duration
	classify        Classifier
	onBreakerCreate func(*Breaker)

	// transport
	breakerKey     func(*http.Request) string
	breaker        *Breaker
	noBreaker      bool
	failureStatus  func(int) bool
	retryStatus    func(int) bool
	maxAttempts    int
	backoffBase    time.Duration
	backoffMax     time.Duration
	retryAfterMax  time.Duration
	attemptTimeout time.Duration

	// limit
	maxInFlight int
	queueLen    int
	queueWait   time.Duration
	retryAfter  time.Duration
}

func newConfig(opts []Option) config {
	c := config{
		meterProvider: otel.GetMeterProvider(),
		random:        rand.Float64,
		consecutive:   5,
		openTimeout:   30 * time.Second,
		halfOpenQuota: 1,
		classify:      DefaultClassifier,
		breakerKey:    hostKey,
		failureStatus: func(code int) bool { return code >= 500 },
		retryStatus:   defaultRetryStatus,
		maxAttempts:   3,
		backoffBase:   100 * time.Millisecond,
		backoffMax:    2 * time.Second,
		retryAfterMax: 10 * time.Second,
		maxInFlight:   100,
		retryAfter:    time.Second,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

func hostKey(r *http.Request) string { return r.URL.Host }

func defaultRetryStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// WithMeterProvider sets the meter provider for the package's instruments.
// The default is the global provider at construction time (a no-op until
// the application installs one). A nil provider is ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithLogger sets the logger for state changes, shed requests and injected
// faults. The default, and a nil logger, is silent.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithRandom sets the source of uniform numbers in [0, 1) used for backoff
// jitter and fault probabilities; f must be safe for concurrent use. The
// default is math/rand/v2's Float64. Tests pass a deterministic source. A
// nil f is ignored.
func WithRandom(f func() float64) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.random = f
		}
	})
}

// WithName sets the breaker's name, used in telemetry and by health checks.
// The default is "default"; the transport names each breaker after its key.
func WithName(name string) Option {
	return optionFunc(func(c *config) { c.name = name })
}

// WithConsecutiveFailures trips the breaker after n failures in a row in
// the closed state. This is the default policy, with n = 5. Values below 1
// are ignored. It replaces a policy set by [WithFailureRatio].
func WithConsecutiveFailures(n uint32) Option {
	return optionFunc(func(c *config) {
		if n >= 1 {
			c.consecutive, c.ratio = n, 0
		}
	})
}

// WithFailureRatio trips the breaker when at least minRequests calls were
// counted in the current interval and the share of failures among them
// reaches ratio (0 < ratio <= 1). By default the breaker counts consecutive
// failures instead. Out-of-range values are ignored.
func WithFailureRatio(ratio float64, minRequests uint32) Option {
	return optionFunc(func(c *config) {
		if ratio > 0 && ratio <= 1 {
			c.ratio, c.minRequests, c.consecutive = ratio, minRequests, 0
		}
	})
}

// WithOpenTimeout sets how long an open breaker rejects calls before it
// lets probes through (half-open). The default is 30s; values <= 0 are
// ignored.
func WithOpenTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.openTimeout = d
		}
	})
}

// WithHalfOpenQuota sets how many probe calls a half-open breaker admits at
// once; that many must succeed in a row to close it. The default is 1;
// 0 is ignored.
func WithHalfOpenQuota(n uint32) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.halfOpenQuota = n
		}
	})
}

// WithCountInterval sets the period after which a closed breaker clears its
// counts. The default, 0, never clears them while closed (consecutive
// counts still reset on every success).
func WithCountInterval(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.countInterval = d
		}
	})
}

// WithClassifier sets how a finished call counts for the breaker. The
// default is [DefaultClassifier]. A nil classifier is ignored.
func WithClassifier(f Classifier) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.classify = f
		}
	})
}

// WithBreakerKey sets how [NewTransport] groups requests into breakers:
// one breaker per distinct key, named after it. The default key is the
// request's URL host (host:port). An empty key bypasses the breaker. A nil
// function is ignored.
func WithBreakerKey(f func(*http.Request) string) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.breakerKey = f
		}
	})
}

// WithBreaker makes [NewTransport] send every request through b instead of
// creating one breaker per key; useful when a health check needs b. By
// default the transport creates its own breakers. A nil b is ignored.
func WithBreaker(b *Breaker) Option {
	return optionFunc(func(c *config) {
		if b != nil {
			c.breaker = b
		}
	})
}

// WithoutBreaker turns the transport's breakers off, leaving retries only.
// By default breakers are on.
func WithoutBreaker() Option {
	return optionFunc(func(c *config) { c.noBreaker = true })
}

// WithBreakerCreated registers f to be called with each breaker the
// transport creates, for example to register it with a health check. By
// default nothing is called. f runs once per breaker, under the
// transport's lock: keep it short.
func WithBreakerCreated(f func(*Breaker)) Option {
	return optionFunc(func(c *config) { c.onBreakerCreate = f })
}

// WithFailureStatus sets which response status codes count as breaker
// failures. The default is every code >= 500. A nil function is ignored.
func WithFailureStatus(f func(code int) bool) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.failureStatus = f
		}
	})
}

// WithRetryStatus sets which response status codes are retried. The
// default is 429, 502, 503 and 504. A nil function is ignored.
func WithRetryStatus(f func(code int) bool) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.retryStatus = f
		}
	})
}

// WithMaxAttempts sets how many times the transport may send one request,
// the first attempt included. The default is 3; 1 turns retries off.
// Values below 1 are ignored.
func WithMaxAttempts(n int) Option {
	return optionFunc(func(c *config) {
		if n >= 1 {
			c.maxAttempts = n
		}
	})
}

// WithBackoff sets the exponential backoff between attempts: before retry
// n the transport waits a uniformly random time in [0, min(max,
// base*2^(n-1))) ("full jitter"). The defaults are 100ms and 2s. Values
// <= 0 are ignored.
func WithBackoff(base, max time.Duration) Option {
	return optionFunc(func(c *config) {
		if base > 0 {
			c.backoffBase = base
		}
		if max > 0 {
			c.backoffMax = max
		}
	})
}

// WithRetryAfterCap caps the wait a server can ask for with Retry-After;
// a longer request is honoured only up to the cap. The default is 10s;
// values < 0 are ignored and 0 makes the transport ignore Retry-After.
func WithRetryAfterCap(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.retryAfterMax = d
		}
	})
}

// WithAttemptTimeout bounds each attempt, from sending the request until
// its response body is closed, always inside the caller's own deadline.
// The default, 0, sets no bound beyond the caller's.
func WithAttemptTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.attemptTimeout = d
		}
	})
}

// WithMaxInFlight sets how many requests [Limit] serves at once. The
// default is 100; values below 1 are ignored.
func WithMaxInFlight(n int) Option {
	return optionFunc(func(c *config) {
		if n >= 1 {
			c.maxInFlight = n
		}
	})
}

// WithQueue lets up to n requests wait at most wait for a free slot before
// [Limit] sheds them. The default is no queue: excess requests are shed at
// once. Values <= 0 turn the queue off.
func WithQueue(n int, wait time.Duration) Option {
	return optionFunc(func(c *config) {
		if n <= 0 || wait <= 0 {
			n, wait = 0, 0
		}
		c.queueLen, c.queueWait = n, wait
	})
}

// WithRetryAfter sets the Retry-After that [Limit] sends with a 503,
// rounded up to whole seconds. The default is 1s; values <= 0 are ignored.
func WithRetryAfter(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.retryAfter = d
		}
	})
}

// Classifier decides how a finished call counts for a [Breaker]. ctx is
// the caller's context and err the call's error. It must be safe for
// concurrent use.
type Classifier func(ctx context.Context, err error) Outcome

// Outcome is how a call counted for a breaker.
type Outcome uint8

// The outcomes of a call, as reported in the vigil.breaker.calls metric.
const (
	// OutcomeSuccess counts towards closing the breaker.
	OutcomeSuccess Outcome = iota
	// OutcomeFailure counts towards tripping it.
	OutcomeFailure
	// OutcomeExcluded counts neither way and frees a half-open slot.
	OutcomeExcluded
	// OutcomeRejected marks a call the breaker refused to run.
	OutcomeRejected
)

// String returns the outcome's name as used in telemetry.
func (o Outcome) String() string {
	switch o {
	case OutcomeSuccess:
		return "success"
	case OutcomeFailure:
		return "failure"
	case OutcomeExcluded:
		return "excluded"
	case OutcomeRejected:
		return "rejected"
	}
	return "unknown"
}

// DefaultClassifier counts a nil error as a success and any other error as
// a failure, except a context.Canceled or context.DeadlineExceeded (plain
// or wrapped) while the caller's own ctx is done: the caller gave up, which
// says nothing about the dependency, so the call is excluded. A deadline
// that expired inside the call while ctx is still live is a failure.
func DefaultClassifier(ctx context.Context, err error) Outcome {
	switch {
	case err == nil:
		return OutcomeSuccess
	case ctx.Err() != nil && isContextErr(err):
		return OutcomeExcluded
	}
	return OutcomeFailure
}
