package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// run sends the configured traffic until the duration, the request count
// or ctx ends it, waits for the requests in flight and returns what
// happened. A request's failure is counted, never returned.
func run(ctx context.Context, cfg config) (*summary, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: cfg.Timeout}
		defer client.CloseIdleConnections()
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}

	sum := newSummary()
	pick := newPicker(cfg.Seed, mix)
	slots := make(chan struct{}, cfg.Workers)
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	timer := time.NewTimer(0)
	defer timer.Stop()
	start := time.Now()

	// Tick n is due at start + n×interval. A late tick fires at once, so
	// a briefly starved generator catches up instead of losing requests
	// the way a time.Ticker drops ticks.
	for n, sent := 0, 0; cfg.Requests == 0 || sent < cfg.Requests; n++ {
		timer.Reset(time.Until(start.Add(time.Duration(n) * interval)))
		select {
		case <-ctx.Done():
			wg.Wait()
			sum.elapsed = time.Since(start)
			return sum, nil
		case <-timer.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			sum.skip()
			continue
		}
		sent++
		c, path, body := pick.next()
		fault := cfg.inFault(time.Duration(n) * interval)
		baggage := ""
		switch {
		case fault:
			baggage = cfg.FaultBaggage
		case c.slow:
			baggage = cfg.SlowBaggage
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			status, d := send(client, cfg.URL, c.method, path, body, baggage)
			sum.record(c.name, status, d, fault)
		}()
	}
	wg.Wait()
	sum.elapsed = time.Since(start)
	return sum, nil
}

// send makes one request, with a Baggage header unless baggage is empty,
// and returns its status (0 when it failed before
// an answer) and how long it took until the body was read.
func send(client *http.Client, base, method, path, body,
	baggage string) (int, time.Duration) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	start := time.Now()
	req, err := http.NewRequest(method, joinURL(base, path), rd)
	if err != nil {
		return 0, 0
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if baggage != "" {
		req.Header.Set("Baggage", baggage)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, time.Since(start)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}
