package middleware

import (
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// byteBuckets are the bucket boundaries of the body size histograms:
// powers of four from 64 B to 64 MiB.
var byteBuckets = []float64{
	0, 64, 256, 1024, 4096, 16384, 65536, 262144, 1 << 20, 4 << 20,
	16 << 20, 64 << 20,
}

// serverInstruments are the HTTP server instruments of the stable
// semantic conventions.
type serverInstruments struct {
	duration metric.Float64Histogram
	active   metric.Int64UpDownCounter
	reqSize  metric.Int64Histogram
	respSize metric.Int64Histogram
}

func newServerInstruments(mp metric.MeterProvider, buckets []float64) *serverInstruments {
	m := mp.Meter(scopeName, metric.WithInstrumentationVersion(Version))
	var i serverInstruments
	var errs [4]error
	i.duration, errs[0] = m.Float64Histogram("http.server.request.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP server requests."),
		metric.WithExplicitBucketBoundaries(buckets...))
	i.active, errs[1] = m.Int64UpDownCounter("http.server.active_requests",
		metric.WithUnit("{request}"),
		metric.WithDescription("Number of active HTTP server requests."))
	i.reqSize, errs[2] = m.Int64Histogram("http.server.request.body.size",
		metric.WithUnit("By"),
		metric.WithDescription("Size of HTTP server request bodies."),
		metric.WithExplicitBucketBoundaries(byteBuckets...))
	i.respSize, errs[3] = m.Int64Histogram("http.server.response.body.size",
		metric.WithUnit("By"),
		metric.WithDescription("Size of HTTP server response bodies."),
		metric.WithExplicitBucketBoundaries(byteBuckets...))
	for _, err := range errs {
		if err != nil {
			panic("middleware: creating HTTP server instruments: " + err.Error())
		}
	}
	return &i
}

// record adds one request to the golden signals.
func (s *server) record(q *request, rw *responseWriter, r *http.Request, o outcome) {
	ctx, inst := q.ctx, s.inst
	tls := r.TLS != nil
	if inst.active.Enabled(ctx) {
		inst.active.Add(ctx, -1, s.sets.activeOpts(q.method, tls)...)
	}
	set := s.sets.server(serverKey{
		route: rw.route, status: uint16(o.status), method: q.method,
		proto: protoIndex(r), tls: tls, kind: o.kind,
	})
	if inst.duration.Enabled(ctx) {
		inst.duration.Record(ctx, time.Since(q.start).Seconds(), set...)
	}
	if inst.reqSize.Enabled(ctx) {
		inst.reqSize.Record(ctx, rw.bytesIn(r), set...)
	}
	if inst.respSize.Enabled(ctx) {
		inst.respSize.Record(ctx, rw.bytesSent(r), set...)
	}
}

// serverKey is everything the server metric attributes depend on.
type serverKey struct {
	route  string
	status uint16
	method uint8
	proto  uint8
	tls    bool
	kind   errKind
}

type nameKey struct {
	route  string
	method uint8
}

// attrCache holds the measurement options (attribute sets ready to pass)
// and span names of one server. Keeping the option slices, not only the
// sets, saves boxing the set and allocating the variadic slice on every
// measurement.
type attrCache struct {
	sets   cowCache[serverKey, []metric.RecordOption]
	names  cowCache[nameKey, string]
	active [numMethods][2][]metric.AddOption
}

func newAttrCache() *attrCache {
	c := &attrCache{}
	for m := range numMethods {
		for tls := range 2 {
			set := metric.WithAttributeSet(attribute.NewSet(
				keyMethod.String(knownMethods[m]),
				keyScheme.String(schemeOf(tls == 1))))
			c.active[m][tls] = []metric.AddOption{set}
		}
	}
	return c
}

// activeOpts returns the options of http.server.active_requests.
func (c *attrCache) activeOpts(m uint8, tls bool) []metric.AddOption {
	if tls {
		return c.active[m][1]
	}
	return c.active[m][0]
}

func (c *attrCache) server(k serverKey) []metric.RecordOption {
	return c.sets.get(k, func(k serverKey) []metric.RecordOption {
		return []metric.RecordOption{metric.WithAttributeSet(buildServerSet(k))}
	})
}

func buildServerSet(k serverKey) attribute.Set {
	a := make([]attribute.KeyValue, 0, 6)
	a = append(a,
		keyMethod.String(knownMethods[k.method]),
		keyScheme.String(schemeOf(k.tls)),
		keyStatus.Int(int(k.status)),
	)
	if p := protoNames[k.proto]; p != "" {
		a = append(a, keyProto.String(p))
	}
	if k.route != "" {
		a = append(a, keyRoute.String(k.route))
	}
	if et := (outcome{status: int(k.status), kind: k.kind}).errorType(); et != "" {
		a = append(a, keyErrorType.String(et))
	}
	return attribute.NewSet(a...)
}

// spanName returns "METHOD route".
func (c *attrCache) spanName(m uint8, route string) string {
	return c.names.get(nameKey{route: route, method: m}, func(k nameKey) string {
		return knownMethods[k.method] + " " + k.route
	})
}

// statusString returns the decimal form of a status code.
func statusString(code int) string {
	if code >= 100 && code < 600 {
		return statusStrings[code-100]
	}
	return strconv.Itoa(code)
}

var statusStrings = func() (t [500]string) {
	for i := range t {
		t[i] = strconv.Itoa(i + 100)
	}
	return t
}()
