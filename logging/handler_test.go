package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/vigil-go/vigil/logging"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var (
	testTraceID = trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43,
		0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}
	testSpanID = trace.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31}
)

// spanContext returns a context carrying a valid remote span context and
// the request ID "req-1".
func spanContext() context.Context {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    testTraceID,
		SpanID:     testSpanID,
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	return logging.ContextWithRequestID(ctx, "req-1")
}

// decode parses every JSON line in buf.
func decode(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range bytes.Split(buf.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

func TestHandlerPassesSlogtest(t *testing.T) {
	var buf bytes.Buffer
	newHandler := func(t *testing.T) slog.Handler {
		buf.Reset()
		return logging.NewHandler(&buf, logging.WithLevel(slog.LevelDebug))
	}
	result := func(t *testing.T) map[string]any {
		recs := decode(t, &buf)
		if len(recs) != 1 {
			t.Fatalf("got %d records, want 1: %s", len(recs), buf.String())
		}
		return recs[0]
	}
	slogtest.Run(t, newHandler, result)
}

func TestWrapHandlerPassesSlogtest(t *testing.T) {
	var buf bytes.Buffer
	newHandler := func(t *testing.T) slog.Handler {
		buf.Reset()
		return logging.WrapHandler(slog.NewJSONHandler(&buf, nil))
	}
	result := func(t *testing.T) map[string]any {
		recs := decode(t, &buf)
		if len(recs) != 1 {
			t.Fatalf("got %d records, want 1: %s", len(recs), buf.String())
		}
		return recs[0]
	}
	slogtest.Run(t, newHandler, result)
}

func TestIDsStayAtTopLevelAfterWithAndGroups(t *testing.T) {
	tests := []struct {
		name  string
		build func(*slog.Logger) *slog.Logger
		check func(t *testing.T, rec map[string]any)
	}{
		{"plain", func(l *slog.Logger) *slog.Logger { return l }, nil},
		{"with", func(l *slog.Logger) *slog.Logger {
			return l.With("user", "ann")
		}, func(t *testing.T, rec map[string]any) {
			if rec["user"] != "ann" {
				t.Errorf("user = %v", rec["user"])
			}
		}},
		{"group then with", func(l *slog.Logger) *slog.Logger {
			return l.WithGroup("g").With("k", "v")
		}, func(t *testing.T, rec map[string]any) {
			g, _ := rec["g"].(map[string]any)
			if g["k"] != "v" || g["n"] != float64(1) {
				t.Errorf("g = %v, want k=v and n=1 inside", rec["g"])
			}
			if _, ok := g[logging.TraceIDKey]; ok {
				t.Errorf("trace_id leaked into group: %v", g)
			}
		}},
		{"with, nested groups", func(l *slog.Logger) *slog.Logger {
			return l.With("a", 1).WithGroup("g").With("b", 2).
				WithGroup("h").With("c", 3)
		}, func(t *testing.T, rec map[string]any) {
			g, _ := rec["g"].(map[string]any)
			h, _ := g["h"].(map[string]any)
			if rec["a"] != float64(1) || g["b"] != float64(2) ||
				h["c"] != float64(3) || h["n"] != float64(1) {
				t.Errorf("record = %v", rec)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := tt.build(slog.New(logging.NewHandler(&buf)))
			l.InfoContext(spanContext(), "hello", "n", 1)

			recs := decode(t, &buf)
			if len(recs) != 1 {
				t.Fatalf("got %d records: %s", len(recs), buf.String())
			}
			rec := recs[0]
			want := map[string]string{
				logging.TraceIDKey:   testTraceID.String(),
				logging.SpanIDKey:    testSpanID.String(),
				logging.RequestIDKey: "req-1",
			}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("%s = %v, want %s", k, rec[k], v)
				}
			}
			if tt.check != nil {
				tt.check(t, rec)
			}
		})
	}
}

func TestIDsAbsentWithoutSpanOrRequestID(t *testing.T) {
	var buf bytes.Buffer
	slog.New(logging.NewHandler(&buf)).InfoContext(
		context.Background(), "hello")
	rec := decode(t, &buf)[0]
	for _, k := range []string{"trace_id", "span_id", "request_id"} {
		if _, ok := rec[k]; ok {
			t.Errorf("%s present without a source: %v", k, rec)
		}
	}
}

func TestRecordOwnIDKeysAreNotDuplicated(t *testing.T) {
	tests := []struct {
		name string
		log  func(l *slog.Logger, ctx context.Context)
	}{
		{"in record", func(l *slog.Logger, ctx context.Context) {
			l.InfoContext(ctx, "access", "request_id", "mine",
				"trace_id", "mine", "span_id", "mine")
		}},
		{"in an inlined group", func(l *slog.Logger, ctx context.Context) {
			l.InfoContext(ctx, "access", slog.Group("",
				"request_id", "mine", "trace_id", "mine", "span_id", "mine"))
		}},
		{"in With", func(l *slog.Logger, ctx context.Context) {
			l.With("request_id", "mine", "trace_id", "mine",
				"span_id", "mine").InfoContext(ctx, "access")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(logging.NewHandler(&buf)), spanContext())
			line := buf.String()
			for _, k := range []string{"trace_id", "span_id", "request_id"} {
				if n := strings.Count(line, `"`+k+`"`); n != 1 {
					t.Errorf("%s appears %d times in %s", k, n, line)
				}
			}
			if rec := decode(t, &buf)[0]; rec["request_id"] != "mine" {
				t.Errorf("request_id = %v, want the record's own", rec)
			}
		})
	}
}

func TestWithGroupEmptyNameReturnsReceiver(t *testing.T) {
	h := logging.NewHandler(nil)
	if got := h.WithGroup(""); got != h {
		t.Error("WithGroup(\"\") returned a new handler")
	}
	if got := h.WithAttrs(nil); got != h {
		t.Error("WithAttrs(nil) returned a new handler")
	}
}

func TestEmptyGroupsAreOmitted(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(logging.NewHandler(&buf))
	l.With("a", 1).WithGroup("g").WithGroup("h").InfoContext(
		spanContext(), "msg", slog.Group("empty"))
	rec := decode(t, &buf)[0]
	for _, k := range []string{"g", "empty"} {
		if _, ok := rec[k]; ok {
			t.Errorf("empty group %q written: %s", k, buf.String())
		}
	}
	if rec["trace_id"] != testTraceID.String() {
		t.Errorf("trace_id missing: %v", rec)
	}
}

func TestLevelOptionFiltersRecords(t *testing.T) {
	tests := []struct {
		name  string
		opts  []logging.Option
		debug bool
		info  bool
	}{
		{"default is info", nil, false, true},
		{"debug", []logging.Option{logging.WithLevel(slog.LevelDebug)},
			true, true},
		{"warn", []logging.Option{logging.WithLevel(slog.LevelWarn)},
			false, false},
		{"nil leveler ignored", []logging.Option{logging.WithLevel(nil)},
			false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := logging.NewHandler(nil, tt.opts...)
			ctx := context.Background()
			if got := h.Enabled(ctx, slog.LevelDebug); got != tt.debug {
				t.Errorf("Enabled(debug) = %v, want %v", got, tt.debug)
			}
			if got := h.Enabled(ctx, slog.LevelInfo); got != tt.info {
				t.Errorf("Enabled(info) = %v, want %v", got, tt.info)
			}
		})
	}
}

func TestWrapHandlerLevelOverridesInner(t *testing.T) {
	inner := slog.NewJSONHandler(nil, &slog.HandlerOptions{
		Level: slog.LevelDebug})
	h := logging.WrapHandler(inner, logging.WithLevel(slog.LevelError))
	if h.Enabled(context.Background(), slog.LevelWarn) {
		t.Error("warn enabled under an error-level wrapper")
	}
	if logging.WrapHandler(nil) != nil {
		t.Error("WrapHandler(nil) is not nil")
	}
}

func TestControlCharactersStayInOneEscapedLine(t *testing.T) {
	values := []string{
		"a\nb",
		"a\r\nlevel=ERROR msg=forged",
		"\x1b[31mred\x1b[0m",
		"tab\there \"quoted\" \u2028 sep",
	}
	for _, v := range values {
		t.Run(v, func(t *testing.T) {
			var buf bytes.Buffer
			slog.New(logging.NewHandler(&buf)).WithGroup("g").
				InfoContext(spanContext(), v, "path", v)
			out := buf.String()
			if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Fatalf("record spans several lines: %q", out)
			}
			if strings.ContainsAny(strings.TrimSuffix(out, "\n"), "\r\x1b") {
				t.Fatalf("raw control byte in output: %q", out)
			}
			rec := decode(t, &buf)[0]
			g, _ := rec["g"].(map[string]any)
			if rec["msg"] != v || g["path"] != v {
				t.Errorf("values did not round-trip: %q", out)
			}
		})
	}
}
