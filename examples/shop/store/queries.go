package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ListProducts returns the catalog ordered by ID.
func (s *Store) ListProducts(ctx context.Context) ([]Product, error) {
	return queryAll(ctx, s.db, "list products",
		`SELECT id, name, price_cents FROM products ORDER BY id`, nil,
		func(rows *sql.Rows) (p Product, err error) {
			return p, rows.Scan(&p.ID, &p.Name, &p.PriceCents)
		})
}

// queryAll runs q with args and scans every row with scan, closing the
// rows; errors are wrapped as "store: what: ...".
func queryAll[T any](ctx context.Context, db *sql.DB, what, q string, args []any,
	scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// GetProduct returns one product, or [ErrNotFound].
func (s *Store) GetProduct(ctx context.Context, id int64) (Product, error) {
	p := Product{ID: id}
	err := s.db.QueryRowContext(ctx, s.d.rebind(
		`SELECT name, price_cents FROM products WHERE id = ?`), id).Scan(&p.Name, &p.PriceCents)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Product{}, ErrNotFound
	case err != nil:
		return Product{}, fmt.Errorf("store: get product %d: %w", id, err)
	}
	return p, nil
}

// SetListPrice changes a product's list price, or returns [ErrNotFound].
func (s *Store) SetListPrice(ctx context.Context, id, cents int64) error {
	res, err := s.db.ExecContext(ctx, s.d.rebind(
		`UPDATE products SET price_cents = ? WHERE id = ?`), cents, id)
	if err != nil {
		return fmt.Errorf("store: set list price of %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return nil
}

// CreateOrder records an order of qty units of one product charged at
// unitCents each (the price the caller quoted, which may differ from the
// catalog's list price), in one transaction. An unknown product is
// [ErrNotFound].
func (s *Store) CreateOrder(ctx context.Context, productID int64, qty int,
	unitCents int64) (Order, error) {
	if qty <= 0 || unitCents < 0 {
		return Order{}, fmt.Errorf("store: create order: quantity %d at %d cents", qty, unitCents)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Order{}, fmt.Errorf("store: create order: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // no-op after Commit
	var exists int
	err = tx.QueryRowContext(ctx, s.d.rebind(
		`SELECT 1 FROM products WHERE id = ?`), productID).Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, ErrNotFound
	}
	if err != nil {
		return Order{}, fmt.Errorf("store: create order: %w", err)
	}
	items := []Item{{ProductID: productID, Quantity: qty, PriceCents: unitCents}}
	o, err := s.insertOrder(ctx, tx, "web", unitCents*int64(qty), items)
	if err != nil {
		return Order{}, fmt.Errorf("store: create order: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Order{}, fmt.Errorf("store: create order: %w", err)
	}
	return o, nil
}

func (s *Store) insertOrder(ctx context.Context, tx *sql.Tx, customer string,
	total int64, items []Item) (Order, error) {
	o := Order{Customer: customer, TotalCents: total,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), Items: items}
	err := tx.QueryRowContext(ctx, s.d.rebind(
		`INSERT INTO orders (customer, total_cents, created_at_ms) VALUES (?, ?, ?) RETURNING id`),
		customer, total, o.CreatedAt.UnixMilli()).Scan(&o.ID)
	if err != nil {
		return Order{}, err
	}
	for _, it := range items {
		if _, err := tx.ExecContext(ctx, s.d.rebind(
			`INSERT INTO order_items (order_id, product_id, quantity, price_cents)
			VALUES (?, ?, ?, ?)`), o.ID, it.ProductID, it.Quantity, it.PriceCents); err != nil {
			return Order{}, err
		}
	}
	return o, nil
}

// OrdersNPlusOne returns the latest limit orders with their items the slow
// way on purpose: one query for the orders, then one query per order for
// its items. Inside a request scope dbsql reports the repeated shape.
func (s *Store) OrdersNPlusOne(ctx context.Context, limit int) ([]Order, error) {
	orders, err := s.latestOrders(ctx, limit)
	if err != nil {
		return nil, err
	}
	q := s.d.rebind(`SELECT product_id, quantity, price_cents FROM order_items
		WHERE order_id = ? ORDER BY id`)
	for i := range orders {
		orders[i].Items, err = queryAll(ctx, s.db, "order items", q,
			[]any{orders[i].ID}, func(rows *sql.Rows) (it Item, err error) {
				return it, rows.Scan(&it.ProductID, &it.Quantity, &it.PriceCents)
			})
		if err != nil {
			return nil, err
		}
	}
	return orders, nil
}

func (s *Store) latestOrders(ctx context.Context, limit int) ([]Order, error) {
	return queryAll(ctx, s.db, "list orders", s.d.rebind(
		`SELECT id, customer, total_cents, created_at_ms FROM orders ORDER BY id DESC LIMIT ?`),
		[]any{limit}, func(rows *sql.Rows) (o Order, err error) {
			var ms int64
			err = rows.Scan(&o.ID, &o.Customer, &o.TotalCents, &ms)
			o.CreatedAt = time.UnixMilli(ms).UTC()
			return o, err
		})
}

// OrdersJoin returns the same data as [Store.OrdersNPlusOne] with one
// query.
func (s *Store) OrdersJoin(ctx context.Context, limit int) ([]Order, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(
		`SELECT o.id, o.customer, o.total_cents, o.created_at_ms,
			i.product_id, i.quantity, i.price_cents
		FROM (SELECT * FROM orders ORDER BY id DESC LIMIT ?) o
		JOIN order_items i ON i.order_id = o.id
		ORDER BY o.id DESC, i.id`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list orders: %w", err)
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		var it Item
		var ms int64
		if err := rows.Scan(&o.ID, &o.Customer, &o.TotalCents, &ms,
			&it.ProductID, &it.Quantity, &it.PriceCents); err != nil {
			return nil, fmt.Errorf("store: list orders: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == o.ID {
			out[n-1].Items = append(out[n-1].Items, it)
			continue
		}
		o.CreatedAt = time.UnixMilli(ms).UTC()
		o.Items = []Item{it}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list orders: %w", err)
	}
	return out, nil
}
