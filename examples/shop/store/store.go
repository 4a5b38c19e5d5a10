package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	_ "modernc.org/sqlite"             // driver "sqlite"

	"github.com/vigil-go/vigil/middleware/dbsql"
)

// ErrNotFound is returned for an unknown product.
var ErrNotFound = errors.New("store: not found")

// Product is one row of the catalog.
type Product struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
}

// Order is a placed order with its items.
type Order struct {
	ID         int64     `json:"id"`
	Customer   string    `json:"customer"`
	TotalCents int64     `json:"total_cents"`
	CreatedAt  time.Time `json:"created_at"`
	Items      []Item    `json:"items"`
}

// Item is one line of an order.
type Item struct {
	ProductID  int64 `json:"product_id"`
	Quantity   int   `json:"quantity"`
	PriceCents int64 `json:"price_cents"`
}

// Store is the shop's database. It is safe for concurrent use; the zero
// value is not usable, create one with [Open].
type Store struct {
	db      *sql.DB
	d       dialect
	tempDir string // removed by Close when SQLite used a temporary file
}

// Open opens the database cfg names, applies the pool settings, and creates
// the schema and seed data that are missing. It returns an error prefixed
// with "store:" when the database cannot be reached or prepared; a
// PostgreSQL URL's password never appears in it.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{}
	opts := []dbsql.Option{dbsql.WithTracerProvider(cfg.TracerProvider),
		dbsql.WithMeterProvider(cfg.MeterProvider), dbsql.WithLogger(cfg.Logger)}
	opts = append(opts, cfg.DBOptions...)

	var err error
	if cfg.DatabaseURL != "" {
		s.d = postgresDialect
		s.db, err = dbsql.Open("pgx", cfg.DatabaseURL, opts...)
	} else {
		s.d = sqliteDialect
		s.db, err = s.openSQLite(cfg.SQLitePath, opts)
	}
	if err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("store: %w", err)
	}
	s.configurePool(cfg)
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: prepare %s database: %w", s.d.name, err)
	}
	return s, nil
}

// openSQLite opens path, or a temporary file when path is empty, with WAL
// and a busy timeout so that pooled connections can write concurrently.
func (s *Store) openSQLite(path string, opts []dbsql.Option) (*sql.DB, error) {
	if path == "" {
		dir, err := os.MkdirTemp("", "vigil-shop-")
		if err != nil {
			return nil, err
		}
		s.tempDir = dir
		path = filepath.Join(dir, "shop.db")
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_txlock=immediate"
	return dbsql.Open("sqlite", dsn, opts...)
}

func (s *Store) configurePool(cfg Config) {
	maxOpen, maxIdle := cfg.MaxOpenConns, cfg.MaxIdleConns
	if maxOpen == 0 {
		maxOpen = 10
	}
	if maxIdle == 0 {
		maxIdle = 5
	}
	s.db.SetMaxOpenConns(maxOpen)
	s.db.SetMaxIdleConns(maxIdle)
	s.db.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	s.db.SetConnMaxIdleTime(cfg.ConnMaxIdleTime)
}

// DB returns the instrumented *sql.DB, for health checks.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns "sqlite" or "postgresql".
func (s *Store) Dialect() string { return s.d.name }

// Close closes the database and removes a temporary SQLite file.
func (s *Store) Close() error {
	err := s.db.Close()
	s.removeTemp()
	return err
}

func (s *Store) removeTemp() {
	if s.tempDir != "" {
		os.RemoveAll(s.tempDir)
	}
}
