package main

import (
	"context"
	"strconv"

	"github.com/vigil-go/vigil/examples/shop/cache"
	"github.com/vigil-go/vigil/examples/shop/store"
)

// cachedCatalog reads products cache-aside through c and invalidates them
// when a price is written. Orders are not cached: they are written on
// every purchase and read rarely.
type cachedCatalog struct {
	*store.Store
	c *cache.Cache
}

const productsKey = "products"

func productKey(id int64) string { return "product:" + strconv.FormatInt(id, 10) }

func (cc cachedCatalog) ListProducts(ctx context.Context) ([]store.Product, error) {
	return cache.GetJSON(ctx, cc.c, productsKey, cc.Store.ListProducts)
}

func (cc cachedCatalog) GetProduct(ctx context.Context, id int64) (store.Product, error) {
	return cache.GetJSON(ctx, cc.c, productKey(id),
		func(ctx context.Context) (store.Product, error) { return cc.Store.GetProduct(ctx, id) })
}

// SetListPrice writes through to the store, then drops the product and the
// list from the cache, so the next read loads the new price.
func (cc cachedCatalog) SetListPrice(ctx context.Context, id, cents int64) error {
	if err := cc.Store.SetListPrice(ctx, id, cents); err != nil {
		return err
	}
	return cc.c.Invalidate(ctx, productKey(id), productsKey)
}
