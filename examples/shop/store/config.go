package store

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/vigil-go/vigil/middleware/dbsql"
)

// Config says which database to open and how. The zero value opens SQLite
// in a temporary file with the default pool settings and the global OTel
// providers.
type Config struct {
	// DatabaseURL selects PostgreSQL through pgx when set
	// (postgres://user:pw@host:5432/db). Empty selects SQLite.
	DatabaseURL string
	// SQLitePath is the SQLite file. Empty means a temporary file that
	// Close removes.
	SQLitePath string

	// Pool settings; zero means the default noted.
	MaxOpenConns    int           // default 10
	MaxIdleConns    int           // default 5
	ConnMaxLifetime time.Duration // default unlimited
	ConnMaxIdleTime time.Duration // default unlimited

	// Telemetry for dbsql; nil means the OTel globals and no logger.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Logger         *slog.Logger
	// DBOptions are passed to dbsql after the ones above.
	DBOptions []dbsql.Option
}

// ConfigFromEnv reads DATABASE_URL, VIGIL_SQLITE_PATH and the VIGIL_DB_*
// pool variables listed in the package documentation. Unset variables keep
// their zero value; malformed ones are an error.
func ConfigFromEnv() (Config, error) {
	cfg := Config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		SQLitePath:  os.Getenv("VIGIL_SQLITE_PATH"),
	}
	var err error
	if cfg.MaxOpenConns, err = envInt("VIGIL_DB_MAX_OPEN"); err != nil {
		return cfg, err
	}
	if cfg.MaxIdleConns, err = envInt("VIGIL_DB_MAX_IDLE"); err != nil {
		return cfg, err
	}
	if cfg.ConnMaxLifetime, err = envDuration("VIGIL_DB_CONN_MAX_LIFETIME"); err != nil {
		return cfg, err
	}
	if cfg.ConnMaxIdleTime, err = envDuration("VIGIL_DB_CONN_MAX_IDLE_TIME"); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func envInt(name string) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("store: %s=%q: want a non-negative integer", name, v)
	}
	return n, nil
}

func envDuration(name string) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("store: %s=%q: want a duration such as 5m", name, v)
	}
	return d, nil
}
