package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/vigil-go/vigil"
	"github.com/vigil-go/vigil/middleware"
)

// shutdownGrace bounds how long in-flight requests may take to finish after
// SIGTERM, and how long telemetry may take to flush.
const shutdownGrace = 10 * time.Second

// run starts the services of cfg.Role, serves until ctx is cancelled, then
// shuts them down gracefully. Logs go to logw as JSON lines.
func run(ctx context.Context, cfg config, logw io.Writer) error {
	var servers []*http.Server
	var shutdowns []func(context.Context) error
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(sctx)
		}
		for i := len(shutdowns) - 1; i >= 0; i-- {
			_ = shutdowns[i](sctx)
		}
	}()

	errc := make(chan error, 4)
	serve := func(addr string, h http.Handler) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		s := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, s)
		go func() {
			if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
		return nil
	}

	if cfg.Role == "all" || cfg.Role == "pricing" {
		tel, err := startTelemetry(ctx, "pricing", cfg, logw)
		if err != nil {
			return err
		}
		shutdowns = append(shutdowns, tel.Shutdown)
		if err := serve(cfg.PricingAddr, wrap(tel, pricingHandler())); err != nil {
			return err
		}
		if err := serve(cfg.PricingAdminAddr, tel.AdminHandler()); err != nil {
			return err
		}
		tel.Logger.Info("pricing listening", "addr", cfg.PricingAddr,
			"admin", cfg.PricingAdminAddr)
	}

	if cfg.Role == "all" || cfg.Role == "shop" {
		tel, err := startTelemetry(ctx, "shop", cfg, logw)
		if err != nil {
			return err
		}
		shutdowns = append(shutdowns, tel.Shutdown)
		s := &shop{
			store: newMemCatalog(),
			pricing: &pricingClient{base: cfg.PricingURL, client: &http.Client{
				Transport: middleware.Transport(nil,
					middleware.WithTracerProvider(tel.TracerProvider),
					middleware.WithMeterProvider(tel.MeterProvider),
					middleware.WithPropagator(tel.Propagator)),
				Timeout: 5 * time.Second,
			}},
			log: tel.Logger,
		}
		if err := serve(cfg.Addr, wrap(tel, s.routes())); err != nil {
			return err
		}
		if err := serve(cfg.AdminAddr, tel.AdminHandler()); err != nil {
			return err
		}
		tel.Logger.Info("shop listening", "addr", cfg.Addr, "admin", cfg.AdminAddr)
	}

	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

// startTelemetry starts vigil for one service. When the service runs alone,
// OTEL_SERVICE_NAME may rename it; when both run in one process each keeps
// its own name so that Jaeger shows two services, and only the shop installs
// the OpenTelemetry globals.
func startTelemetry(ctx context.Context, name string, cfg config,
	logw io.Writer) (*vigil.Telemetry, error) {
	alone := cfg.Role != "all"
	opts := []vigil.Option{
		vigil.WithGlobals(alone || name == "shop"),
		vigil.WithLogWriter(logw),
	}
	if !alone || os.Getenv("OTEL_SERVICE_NAME") == "" {
		opts = append(opts, vigil.WithServiceName(name))
	}
	return vigil.Start(ctx, opts...)
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
