package vigil_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/vigil-go/vigil"
)

func ExampleStart() {
	tel, err := vigil.Start(context.Background(),
		vigil.WithServiceName("shop"),
		// In a real service leave the logger on stdout and set
		// OTEL_EXPORTER_OTLP_ENDPOINT to export traces.
		vigil.WithLogHandler(slog.NewTextHandler(os.Stdout,
			&slog.HandlerOptions{ReplaceAttr: dropTime})))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(ctx)
	}()

	_, span := tel.TracerProvider.Tracer("shop").Start(
		context.Background(), "startup")
	span.End()
	tel.Logger.Info("ready", "port", 8080)
	// Output:
	// level=INFO msg=ready port=8080
}

func ExampleTelemetry_AdminHandler() {
	tel, err := vigil.Start(context.Background(),
		vigil.WithServiceName("shop"), vigil.WithLogWriter(io.Discard))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()

	// Serve it on an internal port, e.g.
	// http.ListenAndServe("127.0.0.1:9090", tel.AdminHandler(vigil.WithPprof(true)))
	admin := tel.AdminHandler(vigil.WithPprof(true))

	rec := httptest.NewRecorder()
	admin.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(),
		`service_name="shop"`))
	// Output: 200 true
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}
