package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-go/vigil"
	"github.com/vigil-go/vigil/examples/shop/cache"
	"github.com/vigil-go/vigil/examples/shop/store"
)

// newTestShop returns the shop's routes over a SQLite store in a temporary
// directory, the in-memory cache and a pricing service on httptest.
func newTestShop(t *testing.T) http.Handler {
	t.Helper()
	ctx := context.Background()
	tel, err := vigil.Start(ctx, vigil.WithGlobals(false),
		vigil.WithServiceName("shop-test"), vigil.WithLogWriter(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(ctx) })
	st, err := store.Open(ctx, store.Config{
		SQLitePath:     filepath.Join(t.TempDir(), "shop.db"),
		TracerProvider: tel.TracerProvider, MeterProvider: tel.MeterProvider})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	c, err := cache.New(cache.WithMeterProvider(tel.MeterProvider),
		cache.WithTracerProvider(tel.TracerProvider))
	if err != nil {
		t.Fatal(err)
	}
	pricing := httptest.NewServer(pricingHandler())
	t.Cleanup(pricing.Close)
	return newShop(cachedCatalog{Store: st, c: c}, tel,
		&pricingClient{base: pricing.URL, client: pricing.Client()}).routes()
}

func TestShopRoutesAnswerWithTheRightStatus(t *testing.T) {
	h := newTestShop(t)
	tests := []struct {
		name, method, path, body string
		want                     int
		bodyHas                  string
	}{
		{"list products", "GET", "/products", "", 200, `"list_price_cents":3900`},
		{"one product is priced by the pricing service", "GET", "/products/1", "", 200, `"price_cents":3120`},
		{"unknown product", "GET", "/products/99", "", 404, "no such product"},
		{"non-numeric id", "GET", "/products/abc", "", 400, "positive integer"},
		{"order", "POST", "/orders", `{"product_id":1,"quantity":2}`, 201, `"total_cents":6240`},
		{"order of an unknown product", "POST", "/orders", `{"product_id":99,"quantity":1}`, 404, "no such product"},
		{"order with trailing data", "POST", "/orders", `{"product_id":1,"quantity":1}x`, 400, "body must be"},
		{"order with an unknown field", "POST", "/orders", `{"product_id":1,"quantity":1,"coupon":"x"}`, 400, "body must be"},
		{"order of zero items", "POST", "/orders", `{"product_id":1,"quantity":0}`, 400, "body must be"},
		{"price change", "PUT", "/products/2/price", `{"list_price_cents":2600}`, 204, ""},
		{"price change of an unknown product", "PUT", "/products/99/price", `{"list_price_cents":1}`, 404, "no such product"},
		{"price change without a price", "PUT", "/products/2/price", `{}`, 400, "body must be"},
		{"orders, N+1 variant", "GET", "/orders", "", 200, `"items"`},
		{"orders, JOIN variant", "GET", "/orders?mode=join", "", 200, `"items"`},
		{"orders, unknown mode", "GET", "/orders?mode=fast", "", 400, "nplus1 or join"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body)))
			if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.bodyHas) {
				t.Errorf("%s %s = %d %s; want %d with %q", tt.method, tt.path,
					rec.Code, rec.Body.String(), tt.want, tt.bodyHas)
			}
		})
	}
}

func TestPriceChangeInvalidatesTheCachedProduct(t *testing.T) {
	h := newTestShop(t)
	get := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/products/3", nil))
		return rec.Body.String()
	}
	before := get() // fills the cache
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("PUT", "/products/3/price",
		strings.NewReader(`{"list_price_cents":12345}`)))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("PUT price = %d %s", rec.Code, rec.Body.String())
	}
	if after := get(); !strings.Contains(after, `"list_price_cents":12345`) {
		t.Errorf("after the price change GET shows %s (before: %s)", after, before)
	}
}
