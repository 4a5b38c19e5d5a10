// Command loadgen drives realistic traffic against vigil's reference app
// (examples/shop) so that its dashboards and alerts have something to show.
//
//	go run ./examples/loadgen -url http://127.0.0.1:8080 -duration 1m
//
// It sends a fixed rate of requests over a mix of routes: product reads
// (most of them), orders, price changes (which invalidate the shop's
// cache), unknown products and malformed requests (4xx), a handler that
// panics (500), the order listing with an N+1 query pattern, and reads
// that carry the W3C baggage member of -slow-baggage, which the pricing
// service's fault injection answers slowly. In the middle of every
// cycle it runs a fault phase: its requests carry the baggage member of
// -fault-baggage, which the shop propagates to the pricing service, whose
// fault injection answers errors; the shop's circuit breaker to pricing
// trips and, after the phase, recovers.
//
// It stops after -duration or -requests, whichever comes first, or on
// SIGINT/SIGTERM when both are 0, and prints a summary: requests by route
// and status class, errors, and latency percentiles.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	if err := sum.write(os.Stdout); err != nil {
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	URL          string
	Duration     time.Duration
	Requests     int
	Rate         float64
	Workers      int
	Timeout      time.Duration
	Cycle        time.Duration
	FaultShare   float64
	FaultBaggage string
	SlowBaggage  string
	Seed         int64
	Client       *http.Client // nil: a client with Timeout
}

func parseFlags(args []string, errw io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(errw)
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8080", "base URL of the shop API")
	fs.DurationVar(&c.Duration, "duration", 30*time.Second,
		"how long to send requests; 0 means until -requests or a signal")
	fs.IntVar(&c.Requests, "requests", 0, "stop after this many requests; 0 means no limit")
	fs.Float64Var(&c.Rate, "rate", 20, "requests per second")
	fs.IntVar(&c.Workers, "workers", 32,
		"most requests in flight; a tick finding all busy is skipped and counted")
	fs.DurationVar(&c.Timeout, "timeout", 5*time.Second, "timeout of one request")
	fs.DurationVar(&c.Cycle, "cycle", 0,
		"length of one traffic cycle with a fault phase in its middle; "+
			"0 means -duration, or 2m when -duration is 0")
	fs.Float64Var(&c.FaultShare, "fault-share", 0.3,
		"share of each cycle, centred, whose requests ask for faults; 0 disables")
	fs.StringVar(&c.FaultBaggage, "fault-baggage", "vigil.chaos=pricing",
		"W3C baggage member sent during the fault phase")
	fs.StringVar(&c.SlowBaggage, "slow-baggage", "vigil.chaos=slow",
		"W3C baggage member of the slow requests of the mix; empty sends none")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of the route mix")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := c.validate(); err != nil {
		_, _ = fmt.Fprintln(errw, "loadgen:", err)
		return c, err
	}
	return c, nil
}

func (c *config) validate() error {
	switch {
	case c.Rate <= 0:
		return fmt.Errorf("-rate must be positive")
	case c.Workers <= 0:
		return fmt.Errorf("-workers must be positive")
	case c.FaultShare < 0 || c.FaultShare > 1:
		return fmt.Errorf("-fault-share must be in [0, 1]")
	case c.Duration < 0 || c.Requests < 0 || c.Cycle < 0:
		return fmt.Errorf("-duration, -requests and -cycle must not be negative")
	}
	if c.Cycle == 0 {
		c.Cycle = c.Duration
		if c.Cycle == 0 {
			c.Cycle = 2 * time.Minute
		}
	}
	return nil
}

// inFault reports whether a request sent elapsed after the start belongs
// to a fault phase: the centred FaultShare of its cycle.
func (c *config) inFault(elapsed time.Duration) bool {
	if c.FaultShare == 0 || c.FaultBaggage == "" {
		return false
	}
	pos := float64(elapsed%c.Cycle) / float64(c.Cycle)
	return pos >= (1-c.FaultShare)/2 && pos < (1+c.FaultShare)/2
}
