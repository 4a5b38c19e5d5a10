package cache_test

import (
	"context"
	"fmt"

	"github.com/vigil-go/vigil/examples/shop/cache"
)

type product struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func ExampleGetJSON() {
	c, err := cache.New() // in memory; add cache.WithRedis(rdb) for Redis
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	load := func(context.Context) (product, error) {
		fmt.Println("loading product 1 from the database")
		return product{ID: 1, Name: "kettle"}, nil
	}
	for range 2 {
		p, err := cache.GetJSON(ctx, c, "product:1", load)
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Name)
	}
	// Output:
	// loading product 1 from the database
	// kettle
	// kettle
}

func ExampleCache_Invalidate() {
	c, err := cache.New()
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	name := "kettle"
	load := func(context.Context) ([]byte, error) { return []byte(name), nil }

	v, _ := c.GetOrLoad(ctx, "product:1", load)
	fmt.Println(string(v))

	name = "electric kettle"                               // the write ...
	if err := c.Invalidate(ctx, "product:1"); err != nil { // ... then invalidation
		panic(err)
	}
	v, _ = c.GetOrLoad(ctx, "product:1", load)
	fmt.Println(string(v))
	// Output:
	// kettle
	// electric kettle
}
