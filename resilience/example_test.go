package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"time"

	"github.com/vigil-go/vigil/resilience"
)

func ExampleNewBreaker() {
	b := resilience.NewBreaker(
		resilience.WithName("pricing"),
		resilience.WithConsecutiveFailures(2),
		resilience.WithOpenTimeout(10*time.Second),
	)
	lookup := func(context.Context) (string, error) {
		return "", errors.New("pricing: connection refused")
	}
	for range 3 {
		_, err := resilience.Do(context.Background(), b, lookup)
		fmt.Println(err, errors.Is(err, resilience.ErrOpen))
	}
	fmt.Println(b.StateName())
	// Output:
	// pricing: connection refused false
	// pricing: connection refused false
	// resilience: breaker pricing is open, call rejected true
	// open
}

func ExampleDo() {
	b := resilience.NewBreaker(resilience.WithName("inventory"))
	stock, err := resilience.Do(context.Background(), b,
		func(context.Context) (int, error) { return 7, nil })
	fmt.Println(stock, err, b.StateName())
	// Output: 7 <nil> closed
}

func ExampleBreaker_Execute() {
	b := resilience.NewBreaker(resilience.WithName("mailer"))
	err := b.Execute(context.Background(), func(ctx context.Context) error {
		return nil // send the mail with ctx
	})
	fmt.Println(err, b.Name(), b.StateName())
	// Output: <nil> mailer closed
}

func ExampleNewTransport() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "42")
	}))
	defer srv.Close()

	// In a service, wrap it in the tracing transport:
	// middleware.Transport(resilience.NewTransport(http.DefaultTransport)).
	client := &http.Client{Transport: resilience.NewTransport(nil,
		resilience.WithMaxAttempts(3),
		resilience.WithBackoff(10*time.Millisecond, 100*time.Millisecond))}
	defer client.CloseIdleConnections()
	resp, err := client.Get(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body), "after", calls.Load(), "attempts")
	// Output: 200 42 after 2 attempts
}

func ExampleLimit() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "hello")
	})
	// Serve at most 64 requests at once; let 32 more wait up to 50ms.
	h := resilience.Limit(mux,
		resilience.WithMaxInFlight(64),
		resilience.WithQueue(32, 50*time.Millisecond))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/hello", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 200 hello
}

func ExampleChaos() {
	cfg := resilience.ChaosConfig{
		Enabled: true,
		Rules: []resilience.ChaosRule{{
			Name:        "pricing-outage",
			Path:        "/price",
			Probability: 1,
			Fault:       resilience.Fault{Status: http.StatusServiceUnavailable},
		}},
	}
	h := resilience.Chaos(okHandler, cfg,
		resilience.WithLogger(slog.New(slog.DiscardHandler)))
	for _, path := range []string{"/price/7", "/cart"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, rec.Code, rec.Header().Get(resilience.ChaosHeader))
	}
	// Output:
	// /price/7 503 status
	// /cart 200
}

func ExampleChaosConfigFromEnv() {
	_ = os.Setenv("VIGIL_CHAOS_ENABLED", "true")
	_ = os.Setenv("VIGIL_CHAOS_PROBABILITY", "0.2")
	_ = os.Setenv("VIGIL_CHAOS_STATUS", "503")
	defer func() {
		for _, k := range []string{"ENABLED", "PROBABILITY", "STATUS"} {
			_ = os.Unsetenv("VIGIL_CHAOS_" + k)
		}
	}()
	cfg, err := resilience.ChaosConfigFromEnv(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Enabled, cfg.Rules[0].Probability, cfg.Rules[0].Status)
	// Output: true 0.2 503
}

func ExampleChaosTransport() {
	tr := resilience.ChaosTransport(http.DefaultTransport, resilience.ChaosConfig{
		Enabled: true,
		Rules: []resilience.ChaosRule{{Probability: 1,
			Fault: resilience.Fault{Abort: true}}},
	})
	resp, err := (&http.Client{Transport: tr}).Get("http://127.0.0.1:1/")
	if err == nil {
		_ = resp.Body.Close()
	}
	fmt.Println(errors.Is(err, resilience.ErrInjectedAbort))
	// Output: true
}

func ExampleParseRetryAfter() {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	d, ok := resilience.ParseRetryAfter("Fri, 04 Dec 2026 12:01:00 GMT", now)
	fmt.Println(d, ok)
	d, ok = resilience.ParseRetryAfter("5", now)
	fmt.Println(d, ok)
	// Output:
	// 1m0s true
	// 5s true
}

func ExampleResendCount() {
	// A RoundTripper placed inside the retrying transport sees which
	// attempt it is sending.
	inner := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		fmt.Println("attempt", resilience.ResendCount(r.Context()))
		return &http.Response{StatusCode: http.StatusBadGateway,
			Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})
	tr := resilience.NewTransport(inner, resilience.WithoutBreaker(),
		resilience.WithMaxAttempts(2),
		resilience.WithBackoff(time.Millisecond, time.Millisecond))
	resp, err := tr.RoundTrip(httptest.NewRequest("GET", "http://127.0.0.1/", nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// attempt 0
	// attempt 1
	// 502
}
