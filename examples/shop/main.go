// Command shop is vigil's reference app: a small JSON shop API that prices
// its products through a second service (pricing) and shows every request
// as a trace, as golden-signal metrics and as one JSON log line.
//
// With no configuration it runs both services in one process on loopback
// ports, with embedded storage, exporting no traces:
//
//	go run ./examples/shop
//
// Environment (all optional):
//
//	SHOP_ROLE           all (default), shop or pricing
//	SHOP_ADDR           shop API listener        (127.0.0.1:8080)
//	SHOP_ADMIN_ADDR     shop /metrics listener   (127.0.0.1:9464)
//	PRICING_ADDR        pricing API listener     (127.0.0.1:8081)
//	PRICING_ADMIN_ADDR  pricing /metrics         (127.0.0.1:9465)
//	PRICING_URL         pricing base URL the shop calls (http://PRICING_ADDR)
//	SHOP_PPROF          true mounts /debug/pprof/ on the admin listeners
//	SHOP_DRAIN_DELAY    how long /readyz fails before the servers stop (1s)
//	SHOP_MAX_IN_FLIGHT  requests the shop serves at once before shedding (100)
//	DATABASE_URL        PostgreSQL URL; unset means embedded SQLite
//	VIGIL_DB_MAX_OPEN, VIGIL_DB_MAX_IDLE, ...  pool settings (see store)
//	VIGIL_CHAOS_*       fault injection on the pricing service (see resilience);
//	                    when enabled, baggage vigil.chaos=slow also delays 600 ms
//	OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, ... as read by vigil.Start
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := configFromEnv(os.Getenv)
	if err == nil {
		err = run(ctx, cfg, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

// config is the reference app's configuration, read from the environment.
type config struct {
	Role             string
	Addr             string
	AdminAddr        string
	PricingAddr      string
	PricingAdminAddr string
	PricingURL       string
	Pprof            bool
	DrainDelay       time.Duration
	MaxInFlight      int
}

func configFromEnv(getenv func(string) string) (config, error) {
	or := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	c := config{
		Role:             or("SHOP_ROLE", "all"),
		Addr:             or("SHOP_ADDR", "127.0.0.1:8080"),
		AdminAddr:        or("SHOP_ADMIN_ADDR", "127.0.0.1:9464"),
		PricingAddr:      or("PRICING_ADDR", "127.0.0.1:8081"),
		PricingAdminAddr: or("PRICING_ADMIN_ADDR", "127.0.0.1:9465"),
	}
	c.PricingURL = or("PRICING_URL", "http://"+c.PricingAddr)
	var err error
	if c.Pprof, err = strconv.ParseBool(or("SHOP_PPROF", "false")); err != nil {
		return c, fmt.Errorf("SHOP_PPROF: %w", err)
	}
	if c.DrainDelay, err = time.ParseDuration(or("SHOP_DRAIN_DELAY", "1s")); err != nil {
		return c, fmt.Errorf("SHOP_DRAIN_DELAY: %w", err)
	}
	if c.MaxInFlight, err = strconv.Atoi(or("SHOP_MAX_IN_FLIGHT", "100")); err != nil {
		return c, fmt.Errorf("SHOP_MAX_IN_FLIGHT: %w", err)
	}
	switch c.Role {
	case "all", "shop", "pricing":
	default:
		return c, fmt.Errorf("SHOP_ROLE %q: want all, shop or pricing", c.Role)
	}
	return c, nil
}
