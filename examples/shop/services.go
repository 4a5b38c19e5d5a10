package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/vigil-go/vigil"
	"github.com/vigil-go/vigil/examples/shop/cache"
	"github.com/vigil-go/vigil/examples/shop/store"
	"github.com/vigil-go/vigil/health"
	"github.com/vigil-go/vigil/middleware"
	"github.com/vigil-go/vigil/resilience"
)

// slowLatency is the delay of the "slow" chaos rule: above the latency
// SLO's 500 ms threshold, below the pricing client's attempt timeout.
const slowLatency = 600 * time.Millisecond

// readinessInterval is how often the database check runs in the
// background: its status and duration series then exist whether or not
// anything probes /readyz, and probes only read the last result. The
// breaker check stays on demand: it costs nothing and must not be stale.
const readinessInterval = 5 * time.Second

// goroutineAlarm is the liveness leak alarm: far above what either service
// runs under load, so crossing it means a leak, not traffic.
const goroutineAlarm = 10000

// startPricing starts the pricing service. Fault injection (VIGIL_CHAOS_*)
// applies here, so that the shop's breaker has something to react to.
func startPricing(ctx context.Context, p *process, cfg config, logw io.Writer) error {
	tel, err := startTelemetry(ctx, p, "pricing", cfg, logw)
	if err != nil {
		return err
	}
	chaos, err := resilience.ChaosConfigFromEnv(nil)
	if err != nil {
		return err
	}
	if chaos.Enabled {
		// A second experiment for the latency SLO: requests whose baggage
		// says vigil.chaos=slow (the load generator marks a few) are slow,
		// not failed.
		chaos.Rules = append(chaos.Rules, resilience.ChaosRule{Name: "slow",
			Baggage: "vigil.chaos", BaggageValue: "slow", Probability: 1,
			Fault: resilience.Fault{Latency: slowLatency}})
	}
	h := resilience.Chaos(pricingHandler(), chaos,
		resilience.WithMeterProvider(tel.MeterProvider),
		resilience.WithLogger(tel.Logger))

	reg := newHealth(p, tel)
	if err := p.serve(cfg.PricingAdminAddr, adminHandler(tel, reg, cfg.Pprof)); err != nil {
		return err
	}
	if err := p.serve(cfg.PricingAddr, wrap(tel, h)); err != nil {
		return err
	}
	tel.Logger.Info("pricing listening", "addr", cfg.PricingAddr,
		"admin", cfg.PricingAdminAddr, "chaos", chaos.Enabled)
	return nil
}

// startShop starts the shop: admin listener first, so the startup probe
// answers while the schema is created, then the database, the pricing
// client and the API.
func startShop(ctx context.Context, p *process, cfg config, logw io.Writer) error {
	tel, err := startTelemetry(ctx, p, "shop", cfg, logw)
	if err != nil {
		return err
	}
	reg := newHealth(p, tel)
	var migrated atomic.Bool
	must(reg.Register(health.Check{Name: "schema", Probes: health.Startup,
		Func: func(context.Context) error {
			if !migrated.Load() {
				return errors.New("schema and seed data not ready")
			}
			return nil
		}}))
	if err := p.serve(cfg.AdminAddr, adminHandler(tel, reg, cfg.Pprof)); err != nil {
		return err
	}

	st, err := openStore(ctx, tel)
	if err != nil {
		return err
	}
	p.onShutdown(func(context.Context) error { return st.Close() })
	migrated.Store(true)
	must(reg.Register(health.Check{Name: "database", Probes: health.Readiness,
		Interval: readinessInterval, Func: health.SQL(st.DB())}))

	breaker := resilience.NewBreaker(resilience.WithName("pricing"),
		resilience.WithConsecutiveFailures(5),
		resilience.WithOpenTimeout(5*time.Second),
		resilience.WithMeterProvider(tel.MeterProvider),
		resilience.WithLogger(tel.Logger))
	// Optional: an open pricing breaker shows on /readyz?verbose and
	// /healthz as a warning without taking every replica out of the load
	// balancer at once; product listings do not need pricing.
	must(reg.Register(health.Check{Name: "pricing", Probes: health.Readiness,
		Optional: true, Func: health.Breaker(breaker)}))

	// Product reads go through the cache: memory only, or a small memory
	// layer in front of Redis when REDIS_URL is set.
	c, closeRedis, err := cache.FromEnv(nil,
		cache.WithTracerProvider(tel.TracerProvider),
		cache.WithMeterProvider(tel.MeterProvider),
		cache.WithLogger(tel.Logger))
	if err != nil {
		return err
	}
	p.onShutdown(func(context.Context) error { return closeRedis() })

	s := newShop(cachedCatalog{Store: st, c: c}, tel, &pricingClient{base: cfg.PricingURL,
		client: pricingHTTPClient(tel, breaker)})
	api := resilience.Limit(s.routes(),
		resilience.WithMaxInFlight(cfg.MaxInFlight),
		resilience.WithMeterProvider(tel.MeterProvider),
		resilience.WithLogger(tel.Logger))
	if err := p.serve(cfg.Addr, wrap(tel, api)); err != nil {
		return err
	}
	tel.Logger.Info("shop listening", "addr", cfg.Addr, "admin", cfg.AdminAddr,
		"database", st.Dialect(), "pricing", cfg.PricingURL)
	return nil
}

// pricingHTTPClient calls pricing through the tracing transport (outside,
// one client span per logical call) around the retrying, breaker-guarded
// transport.
func pricingHTTPClient(tel *vigil.Telemetry, b *resilience.Breaker) *http.Client {
	retrying := resilience.NewTransport(nil,
		resilience.WithBreaker(b),
		resilience.WithMaxAttempts(3),
		resilience.WithBackoff(20*time.Millisecond, 500*time.Millisecond),
		resilience.WithAttemptTimeout(2*time.Second),
		resilience.WithMeterProvider(tel.MeterProvider),
		resilience.WithLogger(tel.Logger))
	return &http.Client{
		Transport: middleware.Transport(retrying,
			middleware.WithTracerProvider(tel.TracerProvider),
			middleware.WithMeterProvider(tel.MeterProvider),
			middleware.WithPropagator(tel.Propagator)),
		Timeout: 5 * time.Second,
	}
}

func openStore(ctx context.Context, tel *vigil.Telemetry) (*store.Store, error) {
	dbcfg, err := store.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	dbcfg.TracerProvider = tel.TracerProvider
	dbcfg.MeterProvider = tel.MeterProvider
	dbcfg.Logger = tel.Logger
	return store.Open(ctx, dbcfg)
}

// newHealth returns a registry reporting through tel, with the process-only
// liveness check, drained and closed at shutdown.
func newHealth(p *process, tel *vigil.Telemetry) *health.Registry {
	reg := health.New(health.WithMeterProvider(tel.MeterProvider),
		health.WithLogger(tel.Logger))
	must(reg.Register(health.Check{Name: "goroutines", Probes: health.Liveness,
		Optional: true, Func: health.Goroutines(goroutineAlarm)}))
	p.health = append(p.health, reg)
	p.onShutdown(func(context.Context) error { reg.Close(); return nil })
	return reg
}

// wrap puts vigil's server middleware around h with the service's own
// providers and logger.
func wrap(tel *vigil.Telemetry, h http.Handler) http.Handler {
	return middleware.Handler(h,
		middleware.WithTracerProvider(tel.TracerProvider),
		middleware.WithMeterProvider(tel.MeterProvider),
		middleware.WithPropagator(tel.Propagator),
		middleware.WithLogger(tel.Logger),
	)
}

// must panics on a setup error that only a programming mistake can cause
// (an invalid check name).
func must(err error) {
	if err != nil {
		panic(err)
	}
}
