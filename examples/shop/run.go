package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/vigil-go/vigil"
	"github.com/vigil-go/vigil/health"
)

// shutdownGrace bounds how long in-flight requests may take to finish after
// SIGTERM; cleanupGrace bounds each cleanup after that (one telemetry flush
// to an unreachable collector must not eat the next one's time).
const (
	shutdownGrace = 10 * time.Second
	cleanupGrace  = 5 * time.Second
)

// process holds the listeners and cleanups of the services one run starts.
type process struct {
	servers  []*http.Server
	cleanups []func(context.Context) error
	health   []*health.Registry
	errc     chan error
	log      *slog.Logger // for the process's own errors
}

// serve listens on addr and serves h until shutdown; a failure to listen
// is returned at once, a failure while serving ends run.
func (p *process) serve(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	p.servers = append(p.servers, s)
	go func() {
		if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			p.errc <- fmt.Errorf("serve %s: %w", addr, err)
		}
	}()
	return nil
}

// onShutdown registers f to run after the servers stopped, in reverse order.
func (p *process) onShutdown(f func(context.Context) error) {
	p.cleanups = append(p.cleanups, f)
}

// shutdown drains readiness, waits drain so load balancers notice, stops
// the servers gracefully, then flushes telemetry.
func (p *process) shutdown(drain time.Duration) {
	for _, h := range p.health {
		h.Drain()
	}
	if drain > 0 && len(p.health) > 0 {
		time.Sleep(drain)
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, s := range p.servers {
		if err := s.Shutdown(ctx); err != nil {
			p.log.Error("shutdown: server", "error", err)
		}
	}
	for i := len(p.cleanups) - 1; i >= 0; i-- {
		cctx, cancel := context.WithTimeout(context.Background(), cleanupGrace)
		if err := p.cleanups[i](cctx); err != nil {
			p.log.Error("shutdown: cleanup", "error", err)
		}
		cancel()
	}
}

// run starts the services of cfg.Role, serves until ctx is cancelled, then
// shuts them down gracefully. Logs go to logw as JSON lines.
func run(ctx context.Context, cfg config, logw io.Writer) error {
	p := &process{errc: make(chan error, 8),
		log: slog.New(slog.NewJSONHandler(logw, nil))}
	defer p.shutdown(cfg.DrainDelay)

	if cfg.Role == "all" || cfg.Role == "pricing" {
		if err := startPricing(ctx, p, cfg, logw); err != nil {
			return err
		}
	}
	if cfg.Role == "all" || cfg.Role == "shop" {
		if err := startShop(ctx, p, cfg, logw); err != nil {
			return err
		}
	}

	select {
	case <-ctx.Done():
		return nil
	case err := <-p.errc:
		return err
	}
}

// startTelemetry starts vigil for one service. When the service runs alone,
// OTEL_SERVICE_NAME may rename it; when both run in one process each keeps
// its own name so that Jaeger shows two services, and only the shop installs
// the OpenTelemetry globals.
func startTelemetry(ctx context.Context, p *process, name string, cfg config,
	logw io.Writer) (*vigil.Telemetry, error) {
	alone := cfg.Role != "all"
	opts := []vigil.Option{
		vigil.WithGlobals(alone || name == "shop"),
		vigil.WithLogWriter(logw),
	}
	if !alone || os.Getenv("OTEL_SERVICE_NAME") == "" {
		opts = append(opts, vigil.WithServiceName(name))
	}
	tel, err := vigil.Start(ctx, opts...)
	if err != nil {
		return nil, err
	}
	p.onShutdown(tel.Shutdown)
	return tel, nil
}

// adminHandler serves /metrics, the health endpoints and, when enabled,
// pprof: everything an operator needs, meant for a listener that is not
// exposed to users.
func adminHandler(tel *vigil.Telemetry, reg *health.Registry, pprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", tel.AdminHandler(vigil.WithPprof(pprof)))
	h := reg.Handler()
	for _, path := range health.Paths() {
		mux.Handle(path, h)
	}
	return mux
}
