package dbsql

import (
	"context"
	"database/sql"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// RegisterPoolMetrics reports db's connection pool statistics, read from
// db.Stats at collection time, and returns the function that stops it.
// [Open] and [OpenDB] do this themselves and stop when the *sql.DB is
// closed; call it for databases opened with sql.Open on a [Wrap]ped driver.
// Only the meter provider, system, server and pool name options apply.
// The unregister function is safe to call more than once and from any
// goroutine.
func RegisterPoolMetrics(db *sql.DB, opts ...Option) (unregister func() error, err error) {
	cfg := newConfig(opts)
	t, err := newTelemetry(cfg)
	if err != nil {
		return nil, err
	}
	reg, err := t.registerPool(db)
	if err != nil {
		return nil, err
	}
	return reg.Unregister, nil
}

// Pool instruments. DBStats holds cumulative wait totals rather than the
// distribution of single waits, and knows neither the queue length nor
// timeouts, so those are reported as vigil counters instead of the
// semantic-convention histogram db.client.connection.wait_time and the
// unreportable pending_requests and timeouts.
func (t *telemetry) registerPool(db *sql.DB) (metric.Registration, error) {
	m := t.meter
	count, err1 := m.Int64ObservableUpDownCounter("db.client.connection.count",
		metric.WithUnit("{connection}"),
		metric.WithDescription("Connections in the pool by state (idle, used)."))
	max, err2 := m.Int64ObservableUpDownCounter("db.client.connection.max",
		metric.WithUnit("{connection}"),
		metric.WithDescription("Maximum open connections allowed (absent when unlimited)."))
	waits, err3 := m.Int64ObservableCounter("vigil.db.client.connection.waits",
		metric.WithUnit("{wait}"),
		metric.WithDescription("Times a caller waited for a free connection (DBStats.WaitCount)."))
	waited, err4 := m.Float64ObservableCounter("vigil.db.client.connection.wait_duration",
		metric.WithUnit("s"),
		metric.WithDescription("Total time callers waited for a free connection (DBStats.WaitDuration)."))
	closed, err5 := m.Int64ObservableCounter("vigil.db.client.connection.closed",
		metric.WithUnit("{connection}"),
		metric.WithDescription("Connections closed by the pool, by reason (max_idle, max_idle_time, max_lifetime)."))
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			return nil, fmt.Errorf("dbsql: pool instrument: %w", err)
		}
	}

	pool := t.poolAttrs()
	with := func(kv ...attribute.KeyValue) metric.ObserveOption {
		return metric.WithAttributeSet(attribute.NewSet(append(kv, pool...)...))
	}
	idle := with(attribute.String("db.client.connection.state", "idle"))
	used := with(attribute.String("db.client.connection.state", "used"))
	plain := with()
	reason := func(r string) metric.ObserveOption {
		return with(attribute.String("vigil.db.client.connection.close_reason", r))
	}
	maxIdle, maxIdleTime, maxLifetime := reason("max_idle"), reason("max_idle_time"), reason("max_lifetime")

	observe := func(_ context.Context, o metric.Observer) error {
		s := db.Stats()
		o.ObserveInt64(count, int64(s.Idle), idle)
		o.ObserveInt64(count, int64(s.InUse), used)
		if s.MaxOpenConnections > 0 {
			o.ObserveInt64(max, int64(s.MaxOpenConnections), plain)
		}
		o.ObserveInt64(waits, s.WaitCount, plain)
		o.ObserveFloat64(waited, s.WaitDuration.Seconds(), plain)
		o.ObserveInt64(closed, s.MaxIdleClosed, maxIdle)
		o.ObserveInt64(closed, s.MaxIdleTimeClosed, maxIdleTime)
		o.ObserveInt64(closed, s.MaxLifetimeClosed, maxLifetime)
		return nil
	}
	reg, err := m.RegisterCallback(observe, count, max, waits, waited, closed)
	if err != nil {
		return nil, fmt.Errorf("dbsql: pool metrics callback: %w", err)
	}
	return reg, nil
}

// poolAttrs returns the pool name and system attributes of pool metrics.
func (t *telemetry) poolAttrs() []attribute.KeyValue {
	name := t.cfg.poolName
	if name == "" {
		name = t.cfg.system
		if t.cfg.serverAddress != "" {
			name += "://" + t.cfg.serverAddress
			if t.cfg.serverPort > 0 {
				name += fmt.Sprintf(":%d", t.cfg.serverPort)
			}
		}
	}
	return []attribute.KeyValue{keyPoolName.String(name), keySystem.String(t.cfg.system)}
}
