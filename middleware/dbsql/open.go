package dbsql

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// Open opens a database like sql.Open and instruments it: every query,
// exec, prepare, begin, commit and rollback gets a span and a duration
// measurement, the pool reports its statistics until the returned DB is
// closed, and slow queries and N+1 patterns are reported (see the package
// documentation). driverName must be registered already, as for sql.Open.
//
// Open registers nothing in database/sql, so calling it any number of
// times leaks no driver name. A DSN the driver rejects returns the
// driver's error wrapped with "dbsql: open <driver>", with the DSN's
// password masked in its text. The returned *sql.DB is safe for concurrent
// use, as always.
func Open(driverName, dsn string, opts ...Option) (*sql.DB, error) {
	info := parseDSN(dsn)
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("dbsql: open %s: %w", driverName, redact(err, info.password))
	}
	d := probe.Driver()
	if err := probe.Close(); err != nil {
		return nil, fmt.Errorf("dbsql: open %s: %w", driverName, redact(err, info.password))
	}

	defaults := []Option{WithServerAddress(info.host, info.port)}
	if s := systemOfName(driverName); s != "" {
		defaults = append(defaults, WithSystem(s))
	} else if s := systemOfDriver(d); s != "" {
		defaults = append(defaults, WithSystem(s))
	}
	t, err := newTelemetry(newConfig(append(defaults, opts...)))
	if err != nil {
		return nil, err
	}

	var c driver.Connector = dsnConnector{dsn: dsn, d: d}
	if dc, ok := d.(driver.DriverContext); ok {
		if c, err = dc.OpenConnector(dsn); err != nil {
			return nil, fmt.Errorf("dbsql: open %s: %w", driverName, redact(err, info.password))
		}
	}
	return openDB(c, t, info.password)
}

// OpenDB opens a database from a connector like sql.OpenDB and instruments
// it as [Open] does. db.system.name is inferred from the driver's Go
// package unless [WithSystem] is given; server attributes come only from
// [WithServerAddress]. A nil connector panics, as in sql.OpenDB. The
// returned *sql.DB is safe for concurrent use.
func OpenDB(c driver.Connector, opts ...Option) (*sql.DB, error) {
	if c == nil {
		panic("dbsql: OpenDB of nil connector")
	}
	cfg := newConfig(opts)
	if cfg.system == "" {
		cfg.system = systemOfDriver(c.Driver())
	}
	t, err := newTelemetry(cfg)
	if err != nil {
		return nil, err
	}
	return openDB(c, t, "")
}

func openDB(c driver.Connector, t *telemetry, secret string) (*sql.DB, error) {
	wc := &connector{c: c, d: wrapDriver(c.Driver(), t), t: t, secret: secret}
	db := sql.OpenDB(wc)
	reg, err := t.registerPool(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	wc.onClose(reg.Unregister)
	return db, nil
}
