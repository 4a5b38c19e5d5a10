package stackcheck

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// liveCheck is a query the running stack must answer: with want, a sample
// carrying each of those label values must exceed zero; without, some
// sample must exist and, unless anyValue, exceed zero.
//
// Rates show that traffic keeps flowing. Events of one burst (shedding,
// faults, retries) are checked on the counter itself: its series appears
// with the first event, so a burst within one scrape interval shows no
// increase() although the counter says it happened.
type liveCheck struct {
	name     string
	expr     string
	label    string   // label whose values want lists
	want     []string // label values that must be present
	anyValue bool     // presence is enough (gauges that may read 0)
}

var liveChecks = []liveCheck{
	{name: "shop request rate by route", label: "http_route",
		expr: `sum by (http_route) (rate(http_server_request_duration_seconds_count{job="shop"}[1m]))`,
		want: []string{"/products", "/products/{id}", "/orders", "/panic"}},
	{name: "pricing request rate by route", label: "http_route",
		expr: `sum by (http_route) (rate(http_server_request_duration_seconds_count{job="pricing"}[1m]))`,
		want: []string{"/prices/{id}"}},
	{name: "shop 5xx rate by route", label: "http_route",
		expr: `sum by (http_route) (rate(http_server_request_duration_seconds_count{job="shop",http_response_status_code=~"5.."}[1m]))`,
		want: []string{"/panic", "/products/{id}"}},
	{name: "shop p95 latency by route", label: "http_route",
		expr: `histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{job="shop"}[1m])))`,
		want: []string{"/products", "/products/{id}"}},
	{name: "active requests", anyValue: true,
		expr: `http_server_active_requests{job="shop"}`},
	{name: "shed requests", expr: `sum(vigil_shed_requests_total{job="shop"})`},
	{name: "database operation rate", label: "db_operation_name",
		expr: `sum by (db_operation_name) (rate(db_client_operation_duration_seconds_count{job="shop"}[1m]))`,
		want: []string{"SELECT", "INSERT"}},
	{name: "pool connections by state", label: "db_client_connection_state", anyValue: true,
		expr: `sum by (db_client_connection_state) (db_client_connection_count{job="shop"})`,
		want: []string{"used", "idle"}},
	{name: "pool size", expr: `sum(db_client_connection_max{job="shop"})`},
	{name: "N+1 warnings", expr: `sum(vigil_db_client_n_plus_one_total{job="shop"})`},
	{name: "breaker state", anyValue: true, label: "vigil_breaker_name",
		expr: `vigil_breaker_state{job="shop"}`, want: []string{"pricing"}},
	{name: "breaker opened during the fault phase", label: "vigil_breaker_name",
		expr: `max_over_time(vigil_breaker_state{job="shop"}[2m])`, want: []string{"pricing"}},
	{name: "breaker calls by outcome", label: "vigil_breaker_outcome",
		expr: `sum by (vigil_breaker_outcome) (vigil_breaker_calls_total{job="shop"})`,
		want: []string{"success", "failure", "rejected"}},
	{name: "retries", expr: `sum(vigil_http_client_retries_total{job="shop"})`},
	{name: "injected faults", expr: `sum(vigil_chaos_faults_total{job="pricing"})`},
	{name: "health check status", anyValue: true, label: "vigil_health_check_name",
		expr: `vigil_health_check_status{job="shop"}`, want: []string{"database", "goroutines"}},
	{name: "orders", expr: `sum(rate(shop_orders_total{job="shop"}[1m]))`},
	{name: "cache hits and misses", label: "shop_cache_result",
		expr: `sum by (shop_cache_result) (rate(shop_cache_lookups_total{job="shop"}[1m]))`,
		want: []string{"hit", "miss"}},
	{name: "cache lookups by layer (Redis behind memory)", label: "shop_cache_layer",
		expr: `sum by (shop_cache_layer) (rate(shop_cache_lookups_total{job="shop"}[1m]))`,
		want: []string{"memory", "redis"}},
	{name: "goroutines", expr: `sum(go_goroutine_count{job="shop"})`},
}

// evaluate returns "" when samples satisfy c, else why not.
func (c liveCheck) evaluate(samples []Sample) string {
	ok := func(s Sample) bool { return c.anyValue || s.Value > 0 }
	if len(c.want) == 0 {
		for _, s := range samples {
			if ok(s) {
				return ""
			}
		}
		return fmt.Sprintf("no sample above zero in %v", samples)
	}
	var missing []string
	for _, w := range c.want {
		found := false
		for _, s := range samples {
			found = found || (s.Labels[c.label] == w && ok(s))
		}
		if !found {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("no sample above zero for %s=%v in %v", c.label, missing, samples)
	}
	return ""
}

// TestLiveStack runs the reference app with its cache on Redis, a real
// Prometheus scraping its admin listeners every second with the stack's
// configuration and rules, and the load generator; then the query API
// must show the golden signals by route, the database pool, the breaker
// and the rest of liveChecks, and every metric and label a dashboard or
// rule reads must exist in that scrape.
func TestLiveStack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the shop, Prometheus and the load generator")
	}
	promBin := binary(t, "VIGIL_PROMETHEUS_BIN", "prometheus")
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("the go command is needed to build the shop")
	}
	root, dir := repoRoot(t), t.TempDir()
	shopBin := goBuild(t, root, dir, "./examples/shop")
	loadBin := goBuild(t, root, dir, "./examples/loadgen")

	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	addr := map[string]string{}
	for _, k := range []string{"shop", "shopAdmin", "pricing", "pricingAdmin", "prometheus"} {
		addr[k] = freeAddr(t)
	}

	redisAddr := startRedis(t, dir)
	shop := start(t, dir, "shop", shopBin, cleanEnv(
		"REDIS_URL=redis://"+redisAddr+"/0",
		"SHOP_ADDR="+addr["shop"], "SHOP_ADMIN_ADDR="+addr["shopAdmin"],
		"PRICING_ADDR="+addr["pricing"], "PRICING_ADMIN_ADDR="+addr["pricingAdmin"],
		"SHOP_DRAIN_DELAY=0s",
		// As in compose.yaml: the load generator's fault phase makes
		// pricing slow and failing, so the breaker trips; until it does,
		// requests pile up and the shop sheds load (its limit is lower
		// here than in the stack, so a short run is sure to shed).
		"SHOP_MAX_IN_FLIGHT=2",
		"VIGIL_CHAOS_ENABLED=true", "VIGIL_CHAOS_BAGGAGE=vigil.chaos=pricing",
		"VIGIL_CHAOS_STATUS=503", "VIGIL_CHAOS_LATENCY=300ms",
	))
	waitOK(t, client, "http://"+addr["shop"]+"/products", time.Minute, shop)
	waitOK(t, client, "http://"+addr["pricingAdmin"]+"/metrics", 10*time.Second, shop)

	cfg := localPromConfig(t, map[string]string{
		"shop": addr["shopAdmin"], "pricing": addr["pricingAdmin"]})
	prom := start(t, dir, "prometheus", promBin, cleanEnv(),
		"--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr["prometheus"], "--enable-feature=exemplar-storage")
	promURL := "http://" + addr["prometheus"]
	waitOK(t, client, promURL+"/-/ready", time.Minute, prom)
	api := PromClient{Base: promURL, Client: client}

	stopProbes := probeHealth(client, addr["shopAdmin"], addr["pricingAdmin"])
	out, err := runLoad(loadBin, addr["shop"])
	stopProbes()
	t.Logf("load generator:\n%s", out)
	if err != nil {
		t.Fatalf("load generator: %v\n%s", err, shop.tail())
	}

	failures := pollChecks(t, api, liveChecks, 45*time.Second)
	for _, f := range failures {
		t.Error(f)
	}
	checkExemplars(t, api)
	checkUsedMetricsExist(t, api)
	checkLabels(t, api)
	if t.Failed() {
		t.Log(shop.tail())
		t.Log(prom.tail())
	}
}

// runLoad runs the load generator against the shop for 20 s with a fault
// phase in the middle (from 6 s to 14 s).
func runLoad(bin, shopAddr string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-url", "http://"+shopAddr,
		"-duration", "20s", "-rate", "25", "-fault-share", "0.4")
	cmd.Env = cleanEnv()
	b, err := cmd.CombinedOutput()
	return string(b), err
}

// probeHealth probes /readyz and /livez of the admin listeners every
// second, as a kubelet or load balancer would, until the returned func is
// called. The health metrics are updated by probes.
func probeHealth(client *http.Client, admins ...string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			for _, a := range admins {
				for _, p := range []string{"/readyz", "/livez"} {
					if resp, err := client.Get("http://" + a + p); err == nil {
						_ = resp.Body.Close()
					}
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// pollChecks queries until every check passes or timeout passes, and
// returns the failures of the last round.
func pollChecks(t *testing.T, api PromClient, checks []liveCheck, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var failures []string
		for _, c := range checks {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			samples, err := api.Query(ctx, c.expr)
			cancel()
			why := ""
			if err != nil {
				why = err.Error()
			} else {
				why = c.evaluate(samples)
			}
			if why != "" {
				failures = append(failures, fmt.Sprintf("%s: %s\n  query: %s", c.name, why, c.expr))
			}
		}
		if len(failures) == 0 || time.Now().After(deadline) {
			return failures
		}
		time.Sleep(time.Second)
	}
}

// checkExemplars asks Prometheus for the exemplars of the shop's latency
// histogram: the dashboards' links to Jaeger need a trace_id on them.
func checkExemplars(t *testing.T, api PromClient) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ex, err := api.Exemplars(ctx, `http_server_request_duration_seconds_bucket{job="shop"}`,
		time.Now().Add(-5*time.Minute), time.Now())
	if err != nil {
		t.Errorf("exemplars: %v", err)
		return
	}
	for _, e := range ex {
		if len(e["trace_id"]) == 32 {
			return
		}
	}
	t.Errorf("no exemplar with a trace_id on the shop's latency histogram: %v", ex)
}

// checkUsedMetricsExist compares the metric names the dashboards and rules
// read with the names Prometheus scraped.
func checkUsedMetricsExist(t *testing.T, api PromClient) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	names, err := api.MetricNames(ctx)
	if err != nil {
		t.Fatalf("metric names: %v", err)
	}
	scraped := map[string]bool{}
	for _, n := range names {
		scraped[n] = true
	}
	used := usedMetrics(t)
	var missing []string
	for n, where := range used {
		if !scraped[n] {
			missing = append(missing, fmt.Sprintf("%s (read by %s)", n, strings.Join(where, "; ")))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("metric not in the scrape: %s", m)
	}
	t.Logf("%d metric names read by dashboards and rules, %d scraped", len(used), len(names))
}

// conditionalLabels are attributes that the semantic conventions set only
// on some outcomes, which a healthy run need not produce.
var conditionalLabels = map[string]string{
	"error_type": "error.type is set only on failed operations",
}

// scrape answers, caching each answer, which values a label takes on the
// series of a metric in the live test's Prometheus.
type scrape struct {
	t      *testing.T
	api    PromClient
	values map[string][]string // metric + "\x00" + label -> values
}

func (s *scrape) labelValues(metric, label string) []string {
	k := metric + "\x00" + label
	if v, ok := s.values[k]; ok {
		return v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := s.api.LabelValues(ctx, metric, label)
	if err != nil {
		s.t.Fatalf("values of %s on %s: %v", label, metric, err)
	}
	s.values[k] = v
	return v
}

// checkLabels checks the labels the dashboards and rules use against the
// scrape: every label they group by is carried by some series of the
// metrics aggregated (a renamed attribute collapses a panel into one
// unlabelled line), every label they match on exists on the metric, and
// an equality matcher on le names a real bucket boundary, as the SLO
// rules rely on. Recorded series are skipped.
func checkLabels(t *testing.T, api PromClient) {
	t.Helper()
	s := &scrape{t: t, api: api, values: map[string][]string{}}
	recorded := func(metric string) bool { return strings.Contains(metric, ":") }
	groupings, matchers := 0, 0
	for where, e := range parsedQueries(t) {
		for _, g := range Groupings(e) {
			for _, label := range g.Labels {
				known, found := false, false
				for _, m := range g.Metrics {
					if !recorded(m) {
						known = true
						found = found || len(s.labelValues(m, label)) > 0
					}
				}
				groupings++
				switch {
				case !known || found:
				case conditionalLabels[label] != "":
					t.Logf("%s: groups by %s, not scraped: %s", where, label,
						conditionalLabels[label])
				default:
					t.Errorf("%s: groups by %s, which no series of %v carries",
						where, label, g.Metrics)
				}
			}
		}
		for _, m := range Matchers(e) {
			if recorded(m.Metric) || conditionalLabels[m.Name] != "" || m.Name == "job" {
				continue
			}
			matchers++
			vs := s.labelValues(m.Metric, m.Name)
			if len(vs) == 0 && !m.Matches("") {
				t.Errorf("%s: no series of %s carries %s", where, m.Metric, m.Name)
			}
			if m.Name == "le" && m.Type == labels.MatchEqual && !slices.Contains(vs, m.Value) {
				t.Errorf("%s: %s has no bucket le=%q (have %v)", where, m.Metric, m.Value, vs)
			}
		}
	}
	t.Logf("%d grouping labels and %d label matchers checked", groupings, matchers)
}
