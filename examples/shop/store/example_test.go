package store_test

import (
	"context"
	"fmt"

	"github.com/vigil-go/vigil/examples/shop/store"
)

func ExampleOpen() {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{}) // SQLite in a temporary file
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	p, _ := st.GetProduct(ctx, 1)
	orders, _ := st.OrdersJoin(ctx, 3)
	fmt.Println(st.Dialect(), p.Name, len(orders))
	// Output: sqlite kettle 3
}
