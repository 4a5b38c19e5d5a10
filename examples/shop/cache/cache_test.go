package cache

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestMissLoadsThenHitServesFromMemory(t *testing.T) {
	r := newRig(t)
	if got := r.get(t, "product:1", "kettle"); got != "kettle" {
		t.Fatalf("first read = %q", got)
	}
	if got := r.get(t, "product:1", "other"); got != "kettle" {
		t.Fatalf("second read = %q, want the cached kettle", got)
	}
	if n := r.loads.Load(); n != 1 {
		t.Errorf("loaded %d times, want 1", n)
	}
	want := map[string]int64{"memory/miss": 1, "memory/hit": 1}
	if got := r.lookups(t); !reflect.DeepEqual(got, want) {
		t.Errorf("lookups = %v, want %v", got, want)
	}
}

func TestInvalidateMakesTheNextReadLoad(t *testing.T) {
	r := newRig(t)
	r.get(t, "product:1", "v1")
	if err := r.cache.Invalidate(context.Background(), "product:1"); err != nil {
		t.Fatal(err)
	}
	if got := r.get(t, "product:1", "v2"); got != "v2" {
		t.Errorf("read after invalidation = %q, want v2", got)
	}
	if n := r.loads.Load(); n != 2 {
		t.Errorf("loaded %d times, want 2", n)
	}
}

func TestLoadRacingAnInvalidationIsNotStored(t *testing.T) {
	r := newRig(t)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := r.cache.GetOrLoad(context.Background(), "product:1",
			func(context.Context) ([]byte, error) {
				close(started)
				<-release
				return []byte("old"), nil
			})
		done <- err
	}()
	<-started
	if err := r.cache.Invalidate(context.Background(), "product:1"); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := r.get(t, "product:1", "new"); got != "new" {
		t.Errorf("read after the write = %q: the racing load stored its old value", got)
	}
}

func TestConcurrentMissesShareOneLoad(t *testing.T) {
	r := newRig(t)
	release := make(chan struct{})
	var wg sync.WaitGroup
	values := make([]string, 8)
	for i := range values {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := r.cache.GetOrLoad(context.Background(), "product:1",
				func(context.Context) ([]byte, error) {
					r.loads.Add(1)
					<-release
					return []byte("kettle"), nil
				})
			if err != nil {
				t.Error(err)
			}
			values[i] = string(v)
		}()
	}
	time.Sleep(50 * time.Millisecond) // let the readers pile up on the miss
	close(release)
	wg.Wait()
	if n := r.loads.Load(); n != 1 {
		t.Errorf("loaded %d times for 8 concurrent misses, want 1", n)
	}
	for i, v := range values {
		if v != "kettle" {
			t.Errorf("reader %d got %q", i, v)
		}
	}
}

func TestWaitingReaderStopsWhenItsContextEnds(t *testing.T) {
	r := newRig(t)
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = r.cache.GetOrLoad(context.Background(), "k", func(context.Context) ([]byte, error) {
			close(started)
			<-release
			return []byte("v"), nil
		})
	}()
	defer close(release)
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.cache.GetOrLoad(ctx, "k", r.loader("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestLoaderErrorIsReturnedAndNotCached(t *testing.T) {
	r := newRig(t)
	boom := errors.New("database down")
	_, err := r.cache.GetOrLoad(context.Background(), "k", func(context.Context) ([]byte, error) {
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the loader's", err)
	}
	if got := r.get(t, "k", "v"); got != "v" {
		t.Errorf("read after a failed load = %q, want a fresh load", got)
	}
}

func TestTTLGrowsWithHowOftenAKeyIsRead(t *testing.T) {
	clk := newClock()
	r := newRig(t, withClock(clk), WithTTL(time.Second, time.Minute))
	// A hot key read 8 times earns 8s; a cold key read once gets 1s.
	for range 8 {
		if err := r.cache.Invalidate(context.Background(), "hot"); err != nil {
			t.Fatal(err)
		}
		r.get(t, "hot", "h")
	}
	r.get(t, "cold", "c")
	loads := r.loads.Load()
	clk.Advance(2 * time.Second)
	r.get(t, "hot", "h")
	if n := r.loads.Load() - loads; n != 0 {
		t.Errorf("hot key reloaded after 2s")
	}
	r.get(t, "cold", "c")
	if n := r.loads.Load() - loads; n != 1 {
		t.Errorf("cold key not reloaded after 2s")
	}
}

func TestTTLFor(t *testing.T) {
	base, max := time.Second, 30*time.Second
	for _, tc := range []struct {
		reads uint64
		want  time.Duration
	}{
		{0, base}, {1, base}, {2, 2 * base}, {3, 2 * base}, {4, 4 * base},
		{7, 4 * base}, {8, 8 * base}, {16, 16 * base}, {32, max}, {1 << 63, max},
	} {
		t.Run(fmt.Sprint(tc.reads), func(t *testing.T) {
			if got := ttlFor(tc.reads, base, max); got != tc.want {
				t.Errorf("ttlFor(%d) = %s, want %s", tc.reads, got, tc.want)
			}
		})
	}
}

func TestReadCountsHalveEveryHalfLife(t *testing.T) {
	clk := newClock()
	rc := newReadCounts(time.Minute, 10, clk.Now)
	for range 7 {
		rc.read("k")
	}
	if got := rc.read("k"); got != 8 {
		t.Fatalf("count = %d, want 8", got)
	}
	clk.Advance(2 * time.Minute)
	if got := rc.read("k"); got != 3 { // 8 halved twice, plus this read
		t.Errorf("count after two half-lives = %d, want 3", got)
	}
}

func TestMemoryStaysWithinMaxEntries(t *testing.T) {
	r := newRig(t, WithMaxEntries(16))
	for i := range 100 {
		r.get(t, fmt.Sprint("k", i), "v")
	}
	r.cache.local.mu.Lock()
	n := len(r.cache.local.entries)
	r.cache.local.mu.Unlock()
	if n > 16 {
		t.Errorf("memory layer holds %d entries, max 16", n)
	}
	if got := len(r.cache.reads.counts); got > 16 {
		t.Errorf("read counts hold %d keys, max 16", got)
	}
}

func TestSpansShowCacheCalls(t *testing.T) {
	r := newRig(t)
	r.get(t, "product:1", "v")
	r.get(t, "product:1", "v")
	if err := r.cache.Invalidate(context.Background(), "product:1"); err != nil {
		t.Fatal(err)
	}
	if got := r.spanAttr("cache get", keyResult); !reflect.DeepEqual(got, []string{"miss", "hit"}) {
		t.Errorf("cache get results = %v, want [miss hit]", got)
	}
	if got := r.spanAttr("cache get", keyKey); len(got) != 2 || got[0] != "product:1" {
		t.Errorf("cache get keys = %v", got)
	}
	if got := r.spanAttr("cache invalidate", keyKey); len(got) != 1 {
		t.Errorf("cache invalidate spans = %v, want one", got)
	}
}

func TestGetJSON(t *testing.T) {
	type product struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	r := newRig(t)
	load := func(context.Context) (product, error) {
		r.loads.Add(1)
		return product{ID: 1, Name: "kettle"}, nil
	}
	for i := range 2 {
		p, err := GetJSON(context.Background(), r.cache, "product:1", load)
		if err != nil {
			t.Fatal(err)
		}
		if p != (product{1, "kettle"}) {
			t.Errorf("read %d = %+v", i, p)
		}
	}
	if n := r.loads.Load(); n != 1 {
		t.Errorf("loaded %d times, want 1", n)
	}

	// A cached value of another shape is replaced by a fresh load.
	r.cache.local.set("product:2", []byte(`"not an object"`), time.Minute)
	p, err := GetJSON(context.Background(), r.cache, "product:2", load)
	if err != nil || p.Name != "kettle" || r.loads.Load() != 2 {
		t.Errorf("undecodable entry: %+v, %v, %d loads", p, err, r.loads.Load())
	}
}

func TestOptionsIgnoreInvalidValues(t *testing.T) {
	cfg := newConfig([]Option{WithTTL(0, time.Second), WithTTL(time.Minute, time.Second),
		WithLocalTTL(-1), WithHalfLife(0), WithMaxEntries(-5),
		WithTracerProvider(nil), WithMeterProvider(nil), nil})
	def := newConfig(nil)
	if cfg.baseTTL != def.baseTTL || cfg.maxTTL != def.maxTTL ||
		cfg.localTTL != def.localTTL || cfg.halfLife != def.halfLife ||
		cfg.maxEntries != def.maxEntries || cfg.tracerProvider == nil ||
		cfg.meterProvider == nil {
		t.Errorf("invalid options changed the config: %+v", cfg)
	}
}
