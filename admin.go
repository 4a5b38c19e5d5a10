package vigil

import (
	"net/http"
)

// AdminOption configures [Telemetry.AdminHandler].
type AdminOption interface {
	applyAdmin(*adminConfig)
}

type adminOptionFunc func(*adminConfig)

func (f adminOptionFunc) applyAdmin(c *adminConfig) { f(c) }

type adminConfig struct {
	pprof bool
}

// WithPprof mounts the runtime profiles under /debug/pprof/ when on. The
// default is off: profiles expose internals and cost CPU, so enable them
// only on a listener that is not reachable from outside.
func WithPprof(on bool) AdminOption {
	return adminOptionFunc(func(c *adminConfig) { c.pprof = on })
}

// AdminHandler returns a handler for a separate, internal listener:
//
//	GET /metrics          the Prometheus scrape ([Telemetry.MetricsHandler])
//	GET /debug/pprof/...  runtime profiles, only with [WithPprof]
//
// Other paths answer 404; /debug/pprof/symbol is not served, which
// `go tool pprof` does not need for Go profiles. The handler is safe for
// concurrent use. The
// profiles are served by vigil itself rather than by net/http/pprof,
// whose import would also register them on http.DefaultServeMux of every
// program using vigil.
//
//	go func() { _ = http.ListenAndServe("127.0.0.1:9090", tel.AdminHandler()) }()
func (t *Telemetry) AdminHandler(opts ...AdminOption) http.Handler {
	var c adminConfig
	for _, o := range opts {
		if o != nil {
			o.applyAdmin(&c)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", t.MetricsHandler())
	if c.pprof {
		mountPprof(mux)
	}
	return mux
}
