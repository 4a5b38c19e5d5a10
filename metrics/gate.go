package metrics

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// gatedRegisterer wraps every collector registered through it so that
// [gatedRegisterer.close] can silence them all. The OTel exporter's
// collector is unchecked and so cannot be unregistered; without the gate
// it would keep answering scrapes of a shared registry, with errors,
// after its provider shut down.
type gatedRegisterer struct {
	reg prometheus.Registerer

	mu    sync.Mutex
	gates []*gate
}

func (g *gatedRegisterer) Register(c prometheus.Collector) error {
	gc := &gate{Collector: c}
	if err := g.reg.Register(gc); err != nil {
		return err
	}
	g.mu.Lock()
	g.gates = append(g.gates, gc)
	g.mu.Unlock()
	return nil
}

func (g *gatedRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := g.Register(c); err != nil {
			panic(err)
		}
	}
}

func (g *gatedRegisterer) Unregister(c prometheus.Collector) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, gc := range g.gates {
		if gc.Collector == c {
			g.gates = append(g.gates[:i], g.gates[i+1:]...)
			gc.closed.Store(true)
			return g.reg.Unregister(gc)
		}
	}
	return false
}

// close silences every collector registered so far.
func (g *gatedRegisterer) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, gc := range g.gates {
		gc.closed.Store(true)
		g.reg.Unregister(gc) // fails for unchecked ones; the gate stays shut
	}
	g.gates = nil
}

// gate is a collector that forwards to Collector until closed.
type gate struct {
	prometheus.Collector
	closed atomic.Bool
}

func (g *gate) Describe(ch chan<- *prometheus.Desc) {
	if !g.closed.Load() {
		g.Collector.Describe(ch)
	}
}

func (g *gate) Collect(ch chan<- prometheus.Metric) {
	if !g.closed.Load() {
		g.Collector.Collect(ch)
	}
}
