package store

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil/internal/testsvc"
	"github.com/vigil-go/vigil/middleware/dbsql"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// backends opens the store on SQLite and, when available, PostgreSQL.
func backends(t *testing.T) map[string]Config {
	cfgs := map[string]Config{"sqlite": {}}
	if !testing.Short() {
		cfgs["postgresql"] = Config{DatabaseURL: testsvc.Postgres(t)}
	}
	return cfgs
}

func open(t *testing.T, cfg Config) (*Store, *lockedBuffer, *tracetest.SpanRecorder) {
	t.Helper()
	logs := &lockedBuffer{}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	cfg.TracerProvider = tp
	cfg.MeterProvider = metricnoop.NewMeterProvider()
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	st, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		_ = tp.Shutdown(context.Background())
	})
	return st, logs, rec
}

func TestStoreServesTheShopOnEachBackend(t *testing.T) {
	for name, cfg := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st, _, _ := open(t, cfg)
			ctx := context.Background()
			if st.Dialect() != name {
				t.Errorf("Dialect = %q, want %q", st.Dialect(), name)
			}
			products, err := st.ListProducts(ctx)
			if err != nil || len(products) != len(seedProducts) {
				t.Fatalf("ListProducts = %d products, %v", len(products), err)
			}
			p, err := st.GetProduct(ctx, 2)
			if err != nil || p != seedProducts[1] {
				t.Errorf("GetProduct(2) = %+v, %v", p, err)
			}
			if _, err := st.GetProduct(ctx, 999); !errors.Is(err, ErrNotFound) {
				t.Errorf("GetProduct(999) err = %v, want ErrNotFound", err)
			}
			o, err := st.CreateOrder(ctx, 3, 2, 890)
			if err != nil || o.ID == 0 || len(o.Items) != 1 {
				t.Fatalf("CreateOrder = %+v, %v", o, err)
			}
			if o.TotalCents != 1780 || o.Items[0].PriceCents != 890 {
				t.Errorf("order total %d, item price %d; want 1780 = 2 × 890",
					o.TotalCents, o.Items[0].PriceCents)
			}
			if err := st.SetListPrice(ctx, 2, 2600); err != nil {
				t.Fatalf("SetListPrice(2) = %v", err)
			}
			if p, _ := st.GetProduct(ctx, 2); p.PriceCents != 2600 {
				t.Errorf("list price after SetListPrice = %d, want 2600", p.PriceCents)
			}
			if err := st.SetListPrice(ctx, 999, 1); !errors.Is(err, ErrNotFound) {
				t.Errorf("SetListPrice(unknown) err = %v, want ErrNotFound", err)
			}
			if _, err := st.CreateOrder(ctx, 999, 1, 1); !errors.Is(err, ErrNotFound) {
				t.Errorf("CreateOrder(unknown) err = %v, want ErrNotFound", err)
			}
			join, err := st.OrdersJoin(ctx, 5)
			if err != nil {
				t.Fatal(err)
			}
			loop, err := st.OrdersNPlusOne(ctx, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(join) != 5 || !reflect.DeepEqual(join, loop) {
				t.Errorf("JOIN and N+1 listings differ:\n%+v\n%+v", join, loop)
			}
			if join[0].ID != o.ID || join[0].Items[0].Quantity != 2 {
				t.Errorf("latest order = %+v, want the one just created (%d)", join[0], o.ID)
			}
		})
	}
}

func TestNPlusOneListingWarnsAndJoinDoesNot(t *testing.T) {
	for name, cfg := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st, logs, _ := open(t, cfg)
			ctx, end := dbsql.StartScope(context.Background())
			if _, err := st.OrdersJoin(ctx, 10); err != nil {
				t.Fatal(err)
			}
			end()
			if strings.Contains(logs.String(), "N+1") {
				t.Fatalf("JOIN listing warned: %s", logs)
			}
			ctx, end = dbsql.StartScope(context.Background())
			if _, err := st.OrdersNPlusOne(ctx, 10); err != nil {
				t.Fatal(err)
			}
			end()
			if n := strings.Count(logs.String(), "N+1"); n != 1 || !strings.Contains(logs.String(), `"count":10`) {
				t.Errorf("N+1 listing: %d warnings, want 1 with count 10:\n%s", n, logs)
			}
		})
	}
}

func TestOpenIsIdempotentOnTheSameDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shop.db")
	ctx := context.Background()
	first, _, _ := open(t, Config{SQLitePath: path})
	if _, err := first.CreateOrder(ctx, 1, 1, 3900); err != nil {
		t.Fatal(err)
	}
	first.Close()
	second, _, _ := open(t, Config{SQLitePath: path})
	orders, err := second.OrdersJoin(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != seedOrders+1 {
		t.Errorf("orders after reopening = %d, want %d (seed once plus one)", len(orders), seedOrders+1)
	}
}

func TestDatabaseSpansAreRecorded(t *testing.T) {
	st, _, rec := open(t, Config{})
	if _, err := st.GetProduct(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range rec.Ended() {
		found = found || s.Name() == "SELECT products"
	}
	if !found {
		t.Errorf("no SELECT products span")
	}
}

func TestConfigFromEnvReadsPoolSettings(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://app@127.0.0.1:5432/shop")
	t.Setenv("VIGIL_DB_MAX_OPEN", "7")
	t.Setenv("VIGIL_DB_MAX_IDLE", "3")
	t.Setenv("VIGIL_DB_CONN_MAX_LIFETIME", "30m")
	t.Setenv("VIGIL_DB_CONN_MAX_IDLE_TIME", "1m")
	cfg, err := ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DatabaseURL == "" || cfg.MaxOpenConns != 7 || cfg.MaxIdleConns != 3 ||
		cfg.ConnMaxLifetime.Minutes() != 30 || cfg.ConnMaxIdleTime.Minutes() != 1 {
		t.Errorf("ConfigFromEnv = %+v", cfg)
	}
	t.Setenv("VIGIL_DB_MAX_OPEN", "many")
	if _, err := ConfigFromEnv(); err == nil || !strings.HasPrefix(err.Error(), "store: ") {
		t.Errorf("malformed VIGIL_DB_MAX_OPEN: err = %v", err)
	}
}

func TestRebindNumbersPlaceholdersForPostgres(t *testing.T) {
	if got := postgresDialect.rebind("a = ? AND b IN (?, ?)"); got != "a = $1 AND b IN ($2, $3)" {
		t.Errorf("rebind = %q", got)
	}
	if got := sqliteDialect.rebind("a = ?"); got != "a = ?" {
		t.Errorf("sqlite rebind = %q", got)
	}
}
