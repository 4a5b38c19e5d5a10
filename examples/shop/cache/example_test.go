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

func ExampleFromEnv() {
	// The shop passes os.Getenv; REDIS_URL=redis://redis:6379/0 adds Redis.
	getenv := func(string) string { return "" }
	c, closeRedis, err := cache.FromEnv(getenv)
	if err != nil {
		panic(err)
	}
	defer func() { _ = closeRedis() }()
	v, _ := c.GetOrLoad(context.Background(), "greeting",
		func(context.Context) ([]byte, error) { return []byte("hello"), nil })
	fmt.Println(string(v))
	// Output: hello
}

func ExampleOpenRedis() {
	// OpenRedis connects lazily: nothing is dialled until the first command.
	rdb, err := cache.OpenRedis("redis://127.0.0.1:6379/0")
	if err != nil {
		panic(err)
	}
	defer rdb.Close()
	c, err := cache.New(cache.WithRedis(rdb))
	fmt.Println(c != nil, err)
	// Output: true <nil>
}
