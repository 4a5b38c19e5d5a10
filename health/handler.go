package health

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Header values, shared read-only (len == cap, so an append copies).
var (
	plainType   = []string{"text/plain; charset=utf-8"}
	jsonType    = []string{"application/health+json"}
	noStore     = []string{"no-store"}
	noSniff     = []string{"nosniff"}
	allowed     = []string{"GET, HEAD"}
	okBody      = []byte("ok")
	failedBody  = []byte("failed")
	unknownPath = []byte("404 page not found\n")
)

// ProbeHandler returns a Kubernetes-style handler for probe p, such as
// /readyz for [Readiness]. It answers GET and HEAD with 200 and the body
// "ok" when the probe passes (warnings included) and 503 with "failed"
// otherwise. With details allowed (see [WithDetails]), ?verbose adds one
// line per check ("[+]db ok", "[-]db failed: reason") and each ?exclude=name
// skips a check. The handler is safe for concurrent use.
func (r *Registry) ProbeHandler(p Probe, opts ...HandlerOption) http.Handler {
	return &probeHandler{reg: r, probe: p, name: endpointName(p),
		cfg: newHandlerConfig(opts)}
}

// JSONHandler returns a handler that reports every check as an
// application/health+json document: the overall status (pass, warn, fail),
// and per check its status, duration, time of the last run and last
// success, and a short scrubbed error. It answers 200 unless the status is
// fail (503). Without details (see [WithDetails]) only the status is sent.
// ?exclude=name works as in [Registry.ProbeHandler]. The handler is safe for
// concurrent use.
func (r *Registry) JSONHandler(opts ...HandlerOption) http.Handler {
	return &jsonHandler{reg: r, cfg: newHandlerConfig(opts)}
}

// Handler returns one handler serving the four endpoints by the last
// element of the request path: /livez, /readyz, /startupz ([Registry.ProbeHandler])
// and /healthz ([Registry.JSONHandler]); other paths get 404. Mount it on
// each path from [Paths], with or without a prefix.
func (r *Registry) Handler(opts ...HandlerOption) http.Handler {
	return &endpoints{
		live:    r.ProbeHandler(Liveness, opts...),
		ready:   r.ProbeHandler(Readiness, opts...),
		startup: r.ProbeHandler(Startup, opts...),
		json:    r.JSONHandler(opts...),
	}
}

type endpoints struct{ live, ready, startup, json http.Handler }

func (e *endpoints) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var h http.Handler
	switch probePath(req.URL.Path) {
	case "/livez":
		h = e.live
	case "/readyz":
		h = e.ready
	case "/startupz":
		h = e.startup
	case "/healthz":
		h = e.json
	default:
		w.Header()["Content-Type"] = plainType
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(unknownPath)
		return
	}
	h.ServeHTTP(w, req)
}

type probeHandler struct {
	reg   *Registry
	probe Probe
	name  string
	cfg   handlerConfig
}

func (h *probeHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !allowMethod(w, req) {
		return
	}
	verbose, exclude := h.query(req)

	rep := h.reg.Evaluate(req.Context(), h.probe, exclude...)

	hdr := w.Header()
	hdr["Content-Type"] = plainType
	hdr["Cache-Control"] = noStore
	hdr["X-Content-Type-Options"] = noSniff
	w.WriteHeader(statusCode(rep.Status))
	switch {
	case verbose:
		_, _ = w.Write(verboseBody(h.name, rep))
	case rep.Status.failing():
		_, _ = w.Write(failedBody)
	default:
		_, _ = w.Write(okBody)
	}
}

func (h *probeHandler) query(req *http.Request) (bool, []string) {
	if !h.cfg.details || req.URL.RawQuery == "" {
		return false, nil
	}
	q := req.URL.Query()
	_, verbose := q["verbose"]
	return verbose, q["exclude"]
}

func verboseBody(name string, rep Report) []byte {
	var b bytes.Buffer
	for _, res := range rep.Checks {
		switch {
		case res.Excluded:
			b.WriteString("[+]" + res.Name + " excluded: ok\n")
		case res.Status == Pass:
			b.WriteString("[+]" + res.Name + " ok\n")
		case res.Status == Warn:
			b.WriteString("[+]" + res.Name + " warn: " + res.Error + "\n")
		default:
			b.WriteString("[-]" + res.Name + " failed: " + reason(res) + "\n")
		}
	}
	if len(rep.Unmatched) > 0 {
		b.WriteString("warn: some health checks cannot be excluded: " +
			"no matches for " + quoteAll(rep.Unmatched) + "\n")
	}
	verdict := " check passed\n"
	if rep.Status.failing() {
		verdict = " check failed\n"
	}
	b.WriteString(name + verdict)
	return b.Bytes()
}

func reason(res Result) string {
	if res.Error == "" {
		return "no result yet"
	}
	return res.Error
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + scrub(n) + `"`
	}
	return strings.Join(q, ", ")
}

type jsonHandler struct {
	reg *Registry
	cfg handlerConfig
}

// healthDoc is the application/health+json document
// (draft-inadarei-api-health-check).
type healthDoc struct {
	Status Status                  `json:"status"`
	Checks map[string][]checkEntry `json:"checks,omitempty"`
	Notes  []string                `json:"notes,omitempty"`
}

type checkEntry struct {
	Status        Status   `json:"status"`
	ObservedValue float64  `json:"observedValue"`
	ObservedUnit  string   `json:"observedUnit"`
	Time          string   `json:"time,omitempty"`
	LastSuccess   string   `json:"lastSuccess,omitempty"`
	Output        string   `json:"output,omitempty"`
	Optional      bool     `json:"optional,omitempty"`
	Excluded      bool     `json:"excluded,omitempty"`
	Probes        []string `json:"probes"`
}

func (h *jsonHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !allowMethod(w, req) {
		return
	}
	var exclude []string
	if h.cfg.details && req.URL.RawQuery != "" {
		exclude = req.URL.Query()["exclude"]
	}

	rep := h.reg.Evaluate(req.Context(), allProbes, exclude...)
	doc := healthDoc{Status: rep.Status}
	if h.cfg.details {
		doc.Checks = entries(rep)
		for _, n := range rep.Unmatched {
			doc.Notes = append(doc.Notes, "no check to exclude named "+scrub(n))
		}
	}

	hdr := w.Header()
	hdr["Content-Type"] = jsonType
	hdr["Cache-Control"] = noStore
	hdr["X-Content-Type-Options"] = noSniff
	w.WriteHeader(statusCode(rep.Status))
	_ = json.NewEncoder(w).Encode(doc)
}

func entries(rep Report) map[string][]checkEntry {
	m := make(map[string][]checkEntry, len(rep.Checks))
	for _, res := range rep.Checks {
		e := checkEntry{
			Status:        res.Status,
			ObservedValue: float64(res.Duration) / float64(time.Millisecond),
			ObservedUnit:  "ms",
			Time:          timestamp(res.CheckedAt),
			LastSuccess:   timestamp(res.LastSuccess),
			Output:        res.Error,
			Optional:      res.Optional,
			Excluded:      res.Excluded,
			Probes:        res.Probes.names(),
		}
		if res.Excluded {
			e.Status = Pass
		}
		m[res.Name] = []checkEntry{e}
	}
	return m
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func statusCode(s Status) int {
	if s.failing() {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

func allowMethod(w http.ResponseWriter, req *http.Request) bool {
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return true
	}
	w.Header()["Allow"] = allowed
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func endpointName(p Probe) string {
	switch p {
	case Liveness:
		return "livez"
	case Readiness:
		return "readyz"
	case Startup:
		return "startupz"
	}
	return "healthz"
}
