package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// maxSamples bounds the latencies kept for percentiles; past it a uniform
// reservoir sample is kept, so a run of any length uses bounded memory.
const maxSamples = 50_000

// classes are the status classes of the summary; "failed" is a request
// that got no answer.
var classes = [...]string{"failed", "1xx", "2xx", "3xx", "4xx", "5xx"}

func classOf(status int) int {
	if status < 100 || status > 599 {
		return 0
	}
	return status / 100
}

// summary counts what a run did. It is safe for concurrent use.
type summary struct {
	mu      sync.Mutex
	byRoute map[string]*[len(classes)]int
	total   int
	faulted int
	skipped int
	seen    int // latencies offered to the reservoir
	samples []time.Duration
	rnd     *rand.Rand
	elapsed time.Duration
}

func newSummary() *summary {
	return &summary{byRoute: map[string]*[len(classes)]int{},
		rnd: rand.New(rand.NewPCG(1, 2))}
}

func (s *summary) record(route string, status int, d time.Duration, fault bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := s.byRoute[route]
	if counts == nil {
		counts = new([len(classes)]int)
		s.byRoute[route] = counts
	}
	counts[classOf(status)]++
	s.total++
	if fault {
		s.faulted++
	}
	s.seen++
	if len(s.samples) < maxSamples {
		s.samples = append(s.samples, d)
	} else if i := s.rnd.IntN(s.seen); i < maxSamples {
		s.samples[i] = d
	}
}

func (s *summary) skip() {
	s.mu.Lock()
	s.skipped++
	s.mu.Unlock()
}

// class returns how many requests ended in status class c (an index of
// classes) over all routes.
func (s *summary) class(c int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, counts := range s.byRoute {
		n += counts[c]
	}
	return n
}

// errors counts requests that failed or answered 5xx.
func (s *summary) errors() int { return s.class(0) + s.class(5) }

// percentile returns the latency below which the fraction q of the
// sampled requests finished, or 0 with no samples.
func (s *summary) percentile(q float64) time.Duration {
	s.mu.Lock()
	sorted := slices.Clone(s.samples)
	s.mu.Unlock()
	if len(sorted) == 0 {
		return 0
	}
	slices.Sort(sorted)
	i := int(q*float64(len(sorted)) + 0.5)
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

// write prints the summary as a few aligned lines.
func (s *summary) write(w io.Writer) error {
	var b strings.Builder
	rate := 0.0
	if s.elapsed > 0 {
		rate = float64(s.total) / s.elapsed.Seconds()
	}
	fmt.Fprintf(&b, "requests %d in %s (%.1f/s), errors %d (failed or 5xx), "+
		"in fault phase %d, skipped ticks %d\n", s.total,
		s.elapsed.Round(time.Millisecond), rate, s.errors(), s.faulted, s.skipped)
	fmt.Fprintf(&b, "latency p50 %s  p90 %s  p99 %s  max %s\n",
		s.percentile(.5), s.percentile(.9), s.percentile(.99), s.percentile(1))
	s.mu.Lock()
	defer s.mu.Unlock()
	routes := make([]string, 0, len(s.byRoute))
	for r := range s.byRoute {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	fmt.Fprintf(&b, "%-30s", "route")
	for _, c := range classes {
		fmt.Fprintf(&b, " %7s", c)
	}
	b.WriteByte('\n')
	for _, r := range routes {
		fmt.Fprintf(&b, "%-30s", r)
		for _, n := range s.byRoute[r] {
			fmt.Fprintf(&b, " %7d", n)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
