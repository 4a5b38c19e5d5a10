package metrics_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"go.opentelemetry.io/otel/metric"

	"github.com/vigil-go/vigil/metrics"
)

func ExampleNewProvider() {
	mp, err := metrics.NewProvider(metrics.WithRuntimeMetrics(false),
		metrics.WithProcessMetrics(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = mp.Shutdown(context.Background()) }()

	orders, _ := mp.Meter("shop").Int64Counter("shop.orders",
		metric.WithDescription("Orders placed."))
	orders.Add(context.Background(), 2)

	// Serve mp.Handler() on the admin listener; here one scrape in-process.
	rec := httptest.NewRecorder()
	mp.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "shop_orders_total") {
			fmt.Println(line)
		}
	}
	// Output:
	// shop_orders_total{otel_scope_name="shop",otel_scope_schema_url="",otel_scope_version=""} 2
}
