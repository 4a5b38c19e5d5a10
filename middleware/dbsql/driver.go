package dbsql

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
)

// Wrap returns a driver that instruments every connection d opens, for
// programs that register drivers themselves:
//
//	sql.Register("pgx-vigil", dbsql.Wrap(stdlib.GetDefaultDriver()))
//
// The wrapper implements driver.DriverContext exactly when d does. Pool
// metrics need the *sql.DB: call [RegisterPoolMetrics] after sql.Open.
// Wrap with a nil d panics. The returned driver is safe for concurrent use.
func Wrap(d driver.Driver, opts ...Option) driver.Driver {
	if d == nil {
		panic("dbsql: Wrap of nil driver")
	}
	cfg := newConfig(opts)
	if cfg.system == "" {
		cfg.system = systemOfDriver(d)
	}
	t, err := newTelemetry(cfg)
	if err != nil {
		// Only an invalid instrument name fails, which is a bug here.
		panic(err)
	}
	return wrapDriver(d, t)
}

// wrappedDriver wraps a driver.Driver; driverContext is its facet for
// driver.DriverContext.
type wrappedDriver struct {
	d driver.Driver
	t *telemetry
}

type driverContext wrappedDriver

func wrapDriver(d driver.Driver, t *telemetry) driver.Driver {
	w := &wrappedDriver{d: d, t: t}
	if _, ok := d.(driver.DriverContext); ok {
		return struct {
			*wrappedDriver
			*driverContext
		}{w, (*driverContext)(w)}
	}
	return w
}

func (d *wrappedDriver) Open(name string) (driver.Conn, error) {
	c, err := d.d.Open(name)
	if err != nil {
		return nil, err
	}
	return wrapConn(c, d.t), nil
}

func (d *driverContext) OpenConnector(name string) (driver.Connector, error) {
	c, err := d.d.(driver.DriverContext).OpenConnector(name)
	if err != nil {
		return nil, err
	}
	return &connector{c: c, d: wrapDriver(d.d, d.t), t: d.t}, nil
}

// connector wraps a driver.Connector. It always implements io.Closer, which
// database/sql calls from DB.Close: that is where pool metrics unregister.
// Close is forwarded when the underlying connector is an io.Closer.
type connector struct {
	c      driver.Connector
	d      driver.Driver
	t      *telemetry
	secret string // password from the DSN, masked in errors

	mu      sync.Mutex
	cleanup func() error
}

// Connect wraps the driver's error with context and masks the DSN's
// password in its text; errors.Is and errors.As still see the driver's
// error (and driver.ErrBadConn).
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.c.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("dbsql: connect %s: %w", c.t.cfg.system, redact(err, c.secret))
	}
	return wrapConn(conn, c.t), nil
}

func (c *connector) Driver() driver.Driver { return c.d }

func (c *connector) Close() error {
	c.mu.Lock()
	cleanup := c.cleanup
	c.cleanup = nil
	c.mu.Unlock()
	var err error
	if cleanup != nil {
		err = cleanup()
	}
	if cl, ok := c.c.(io.Closer); ok {
		if cerr := cl.Close(); cerr != nil {
			err = cerr
		}
	}
	return err
}

func (c *connector) onClose(f func() error) {
	c.mu.Lock()
	c.cleanup = f
	c.mu.Unlock()
}

// dsnConnector is what database/sql builds for drivers without
// DriverContext: every connection opens with the same name.
type dsnConnector struct {
	dsn string
	d   driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

// systemOfName maps well-known driver names to db.system.name values.
func systemOfName(name string) string {
	switch strings.ToLower(name) {
	case "pgx", "pgx/v5", "postgres", "postgresql", "pq":
		return "postgresql"
	case "sqlite", "sqlite3":
		return "sqlite"
	case "mysql":
		return "mysql"
	case "sqlserver", "mssql":
		return "microsoft.sql_server"
	case "oracle", "godror":
		return "oracle.db"
	}
	return ""
}

// systemOfDriver guesses db.system.name from the driver's Go package.
func systemOfDriver(d driver.Driver) string {
	t := reflect.TypeOf(d)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := strings.ToLower(t.PkgPath())
	for _, s := range []struct{ frag, system string }{
		{"pgx", "postgresql"}, {"lib/pq", "postgresql"}, {"sqlite", "sqlite"},
		{"mysql", "mysql"}, {"mssql", "microsoft.sql_server"},
	} {
		if strings.Contains(pkg, s.frag) {
			return s.system
		}
	}
	return ""
}
