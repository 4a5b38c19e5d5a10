package main

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errNotFound is returned by a catalog for an unknown product.
var errNotFound = errors.New("shop: not found")

// product is one row of the catalog.
type product struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
}

// order is a placed order.
type order struct {
	ID         int64     `json:"id"`
	ProductID  int64     `json:"product_id"`
	Quantity   int       `json:"quantity"`
	TotalCents int64     `json:"total_cents"`
	CreatedAt  time.Time `json:"created_at"`
}

// catalog is what the shop needs from its storage.
type catalog interface {
	ListProducts(ctx context.Context) ([]product, error)
	GetProduct(ctx context.Context, id int64) (product, error)
	CreateOrder(ctx context.Context, productID int64, qty int, totalCents int64) (order, error)
}

// memCatalog is an in-memory catalog.
// TODO(vigil): replace with examples/shop/store (SQLite/PostgreSQL through
// middleware/dbsql) once that lands.
type memCatalog struct {
	mu       sync.Mutex
	products []product
	orders   []order
}

func newMemCatalog() *memCatalog {
	c := &memCatalog{}
	for i, n := range []string{"kettle", "teapot", "mug", "grinder", "scale"} {
		c.products = append(c.products, product{ID: int64(i + 1), Name: n,
			PriceCents: priceOf(int64(i + 1))})
	}
	return c
}

func (c *memCatalog) ListProducts(context.Context) ([]product, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]product(nil), c.products...), nil
}

func (c *memCatalog) GetProduct(_ context.Context, id int64) (product, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.products {
		if p.ID == id {
			return p, nil
		}
	}
	return product{}, errNotFound
}

func (c *memCatalog) CreateOrder(ctx context.Context, productID int64, qty int,
	total int64) (order, error) {
	if _, err := c.GetProduct(ctx, productID); err != nil {
		return order{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	o := order{ID: int64(len(c.orders) + 1), ProductID: productID,
		Quantity: qty, TotalCents: total, CreatedAt: time.Now().UTC()}
	c.orders = append(c.orders, o)
	return o, nil
}
