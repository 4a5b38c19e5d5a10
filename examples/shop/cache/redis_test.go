package cache

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigil-go/vigil/internal/testsvc"
)

// replica is one instance of the shop: its own cache and telemetry in
// front of the shared Redis.
func replica(t *testing.T, addr string, clk *clock, opts ...Option) (*rig, *redis.Client) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })
	opts = append([]Option{WithRedis(rdb), withClock(clk),
		WithTTL(time.Minute, time.Hour), WithLocalTTL(time.Second)}, opts...)
	return newRig(t, opts...), rdb
}

func TestRedisIsSharedBetweenReplicas(t *testing.T) {
	addr := testsvc.StartRedis(t)
	clk := newClock()
	a, rdb := replica(t, addr, clk)
	b, _ := replica(t, addr, clk)

	if got := a.get(t, "product:1", "kettle"); got != "kettle" {
		t.Fatalf("a read %q", got)
	}
	if got := b.get(t, "product:1", "other"); got != "kettle" {
		t.Errorf("b read %q, want kettle from Redis", got)
	}
	if a.loads.Load()+b.loads.Load() != 1 {
		t.Errorf("loads: a %d, b %d; want one in all", a.loads.Load(), b.loads.Load())
	}
	if got, want := b.lookups(t), map[string]int64{"redis/hit": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("b lookups = %v, want %v", got, want)
	}
	ttl, err := rdb.PTTL(context.Background(), "shop:cache:product:1").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("Redis TTL = %s, %v; want within the base TTL of 1m", ttl, err)
	}
}

func TestInvalidationReachesOtherReplicasWithinTheLocalTTL(t *testing.T) {
	addr := testsvc.StartRedis(t)
	clk := newClock()
	a, _ := replica(t, addr, clk)
	b, _ := replica(t, addr, clk)
	a.get(t, "product:1", "v1")
	b.get(t, "product:1", "v1") // now in b's memory too

	if err := a.cache.Invalidate(context.Background(), "product:1"); err != nil {
		t.Fatal(err)
	}
	if got := b.get(t, "product:1", "v2"); got != "v1" {
		t.Errorf("b within its local TTL read %q, want its own v1", got)
	}
	clk.Advance(1500 * time.Millisecond)
	if got := b.get(t, "product:1", "v2"); got != "v2" {
		t.Errorf("b after its local TTL read %q, want a fresh v2", got)
	}
	want := map[string]int64{"redis/hit": 1, "memory/hit": 1, "redis/miss": 1}
	if got := b.lookups(t); !reflect.DeepEqual(got, want) {
		t.Errorf("b lookups = %v, want %v", got, want)
	}
}

func TestRedisCommandsAreSpansUnderTheCacheSpan(t *testing.T) {
	addr := testsvc.StartRedis(t)
	r := newRig(t)
	rdb, err := OpenRedis("redis://"+addr+"/0",
		WithTracerProvider(r.cache.cfg.tracerProvider))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	c, err := New(WithRedis(rdb), WithTracerProvider(r.cache.cfg.tracerProvider))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetOrLoad(context.Background(), "k", r.loader("v")); err != nil {
		t.Fatal(err)
	}
	var parent string
	children := map[string]string{}
	for _, s := range r.spans.Ended() {
		if s.Name() == "cache get" {
			parent = s.SpanContext().SpanID().String()
		} else {
			children[s.Name()] = s.Parent().SpanID().String()
		}
	}
	for _, cmd := range []string{"get", "set"} {
		if children[cmd] == "" || children[cmd] != parent {
			t.Errorf("Redis %s span parent %q, want the cache span %q (spans: %v)",
				cmd, children[cmd], parent, children)
		}
	}
}

func TestUnreachableRedisFallsBackToTheOrigin(t *testing.T) {
	var logs bytes.Buffer
	r := newRig(t)
	closed := fmt.Sprintf("127.0.0.1:%d", testsvc.FreePort(t))
	rdb, err := OpenRedis("redis://" + closed + "/0?dial_timeout=200ms&max_retries=-1")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	c, err := New(WithRedis(rdb), WithMeterProvider(meterOf(r)),
		WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	v, err := c.GetOrLoad(context.Background(), "k", r.loader("from origin"))
	if err != nil || string(v) != "from origin" {
		t.Fatalf("read = %q, %v; want the origin's value", v, err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("read with Redis down took %s", took)
	}
	if got := r.lookups(t); got["redis/error"] != 1 {
		t.Errorf("lookups = %v, want one redis/error", got)
	}
	if !strings.Contains(logs.String(), "cache: redis") {
		t.Errorf("no log line about Redis: %q", logs.String())
	}
}

func TestOpenRedisRejectsAMalformedURL(t *testing.T) {
	if _, err := OpenRedis("http://127.0.0.1:6379"); err == nil ||
		!strings.HasPrefix(err.Error(), "cache: ") {
		t.Errorf("err = %v, want a cache: error", err)
	}
}

func TestFromEnvUsesRedisOnlyWithREDIS_URL(t *testing.T) {
	addr := testsvc.StartRedis(t)
	for _, tc := range []struct {
		name      string
		url       string
		wantRedis bool
		wantErr   bool
	}{
		{"unset", "", false, false},
		{"set", "redis://" + addr + "/0", true, false},
		{"malformed", "localhost:6379", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "REDIS_URL" {
					return tc.url
				}
				return ""
			}
			c, closeFn, err := FromEnv(getenv)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			defer func() {
				if err := closeFn(); err != nil {
					t.Error(err)
				}
			}()
			if (c.remote != nil) != tc.wantRedis {
				t.Errorf("Redis layer present = %v, want %v", c.remote != nil, tc.wantRedis)
			}
			v, err := c.GetOrLoad(context.Background(), "k", func(context.Context) ([]byte, error) {
				return []byte("v"), nil
			})
			if err != nil || string(v) != "v" {
				t.Errorf("read = %q, %v", v, err)
			}
		})
	}
}
