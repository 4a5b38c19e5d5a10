package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/metric"

	"github.com/vigil-go/vigil"
	"github.com/vigil-go/vigil/examples/shop/store"
)

// catalog is what the shop needs from its storage; *store.Store is one.
type catalog interface {
	ListProducts(ctx context.Context) ([]store.Product, error)
	GetProduct(ctx context.Context, id int64) (store.Product, error)
	SetListPrice(ctx context.Context, id, cents int64) error
	CreateOrder(ctx context.Context, productID int64, qty int, unitCents int64) (store.Order, error)
	OrdersNPlusOne(ctx context.Context, limit int) ([]store.Order, error)
	OrdersJoin(ctx context.Context, limit int) ([]store.Order, error)
}

// shop is the reference service: a small JSON API over a product catalog
// that prices every product through the pricing service.
type shop struct {
	store   catalog
	pricing *pricingClient
	log     *slog.Logger

	// Business metrics, to show custom instruments beside vigil's own.
	orders  metric.Int64Counter
	revenue metric.Int64Counter
}

func newShop(st catalog, tel *vigil.Telemetry, pc *pricingClient) *shop {
	m := tel.MeterProvider.Meter("github.com/vigil-go/vigil/examples/shop")
	// Instrument errors only mean a no-op instrument: the shop still works.
	orders, _ := m.Int64Counter("shop.orders", metric.WithUnit("{order}"),
		metric.WithDescription("Orders placed."))
	revenue, _ := m.Int64Counter("shop.revenue", metric.WithUnit("{cent}"),
		metric.WithDescription("Revenue of placed orders, in euro cents."))
	return &shop{store: st, pricing: pc, log: tel.Logger,
		orders: orders, revenue: revenue}
}

// routes returns the shop's API on a Go 1.22+ ServeMux, whose patterns
// become the span names and the http.route attribute.
func (s *shop) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products", s.listProducts)
	mux.HandleFunc("GET /products/{id}", s.getProduct)
	mux.HandleFunc("PUT /products/{id}/price", s.setListPrice)
	mux.HandleFunc("POST /orders", s.createOrder)
	mux.HandleFunc("GET /orders", s.listOrders)
	// A demo of recovery; a real service would not expose such a route.
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) {
		panic("deliberate panic to show recovery in traces and logs")
	})
	return mux
}

// productView is a product as the API shows it: the catalog's list price
// always, today's price from the pricing service on the detail route.
type productView struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	ListPriceCents int64  `json:"list_price_cents"`
	PriceCents     int64  `json:"price_cents,omitempty"`
	Currency       string `json:"currency"`
}

func (s *shop) listProducts(w http.ResponseWriter, r *http.Request) {
	products, err := s.store.ListProducts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]productView, 0, len(products))
	for _, p := range products {
		out = append(out, productView{ID: p.ID, Name: p.Name,
			ListPriceCents: p.PriceCents, Currency: "EUR"})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *shop) getProduct(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	p, err := s.store.GetProduct(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	price, err := s.pricing.Price(r.Context(), id, p.PriceCents)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, productView{ID: p.ID, Name: p.Name,
		ListPriceCents: p.PriceCents, PriceCents: price.Cents, Currency: price.Currency})
}

// setListPrice changes a product's list price from a body
// {"list_price_cents": N}; the cached copies are invalidated.
func (s *shop) setListPrice(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var req struct {
		Cents *int64 `json:"list_price_cents"`
	}
	if !decodeBody(w, r, &req) || req.Cents == nil || *req.Cents < 0 || *req.Cents > maxListCents {
		writeError(w, http.StatusBadRequest, `body must be one {"list_price_cents": >=0}`)
		return
	}
	err := s.store.SetListPrice(r.Context(), id, *req.Cents)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type orderRequest struct {
	ProductID int64 `json:"product_id"`
	Quantity  int   `json:"quantity"`
}

func (s *shop) createOrder(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeOrder(w, r)
	if !ok {
		return
	}
	p, err := s.store.GetProduct(r.Context(), req.ProductID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	price, err := s.pricing.Price(r.Context(), p.ID, p.PriceCents)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, err := s.store.CreateOrder(r.Context(), p.ID, req.Quantity, price.Cents)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.orders.Add(r.Context(), 1)
	s.revenue.Add(r.Context(), o.TotalCents)
	writeJSON(w, http.StatusCreated, o)
}

// decodeBody reads exactly one JSON value with known fields into v from a
// body of at most 64 KiB, reporting whether it could.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	return dec.Decode(v) == nil && dec.Decode(&struct{}{}) == io.EOF
}

// decodeOrder reads one JSON order from the body and answers 400 itself
// when the body is not a valid order.
func decodeOrder(w http.ResponseWriter, r *http.Request) (orderRequest, bool) {
	var req orderRequest
	if !decodeBody(w, r, &req) || req.ProductID <= 0 || req.Quantity <= 0 || req.Quantity > 1000 {
		writeError(w, http.StatusBadRequest,
			`body must be one {"product_id": >0, "quantity": 1..1000}`)
		return req, false
	}
	return req, true
}

// listOrders returns recent orders with their items. By default it loads
// them the naive way, one query per order (an N+1 pattern that vigil's
// dbsql wrapper warns about); ?mode=join loads the same data with one JOIN.
func (s *shop) listOrders(w http.ResponseWriter, r *http.Request) {
	const limit = 20
	var (
		orders []store.Order
		err    error
	)
	switch r.URL.Query().Get("mode") {
	case "", "nplus1":
		orders, err = s.store.OrdersNPlusOne(r.Context(), limit)
	case "join":
		orders, err = s.store.OrdersJoin(r.Context(), limit)
	default:
		writeError(w, http.StatusBadRequest, "mode must be nplus1 or join")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orders)
}

// fail answers 404 for an unknown product; any other error means a
// dependency failed: 502, and the cause is logged with the request's
// context, so the line carries the trace and request IDs.
func (s *shop) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such product")
		return
	}
	s.log.ErrorContext(r.Context(), "request failed", "error", err)
	writeError(w, http.StatusBadGateway, "a dependency failed; see logs")
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "id must be a positive integer")
		return 0, false
	}
	return id, true
}
