// Command quickstart is the smallest complete vigil service: the code the
// README shows, compiled with the rest of the module so that it cannot go
// stale. It serves GET /hello/{name} on 127.0.0.1:8080 and /metrics on
// 127.0.0.1:9464; set OTEL_EXPORTER_OTLP_ENDPOINT to export traces.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	_ "modernc.org/sqlite"

	"github.com/vigil-go/vigil"
	"github.com/vigil-go/vigil/middleware"
	"github.com/vigil-go/vigil/middleware/dbsql"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// 1. Telemetry from OTEL_* variables: tracer, meter, JSON logger.
	tel, err := vigil.Start(ctx, vigil.WithServiceName("hello"))
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(sctx)
	}()

	// 2. The database, wrapped: sql.Open becomes dbsql.Open.
	db, err := dbsql.Open("sqlite", "file::memory:", dbsql.WithLogger(tel.Logger))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// 3. Your handler, unchanged, wrapped once.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		var now string
		if err := db.QueryRowContext(r.Context(), "SELECT datetime('now')").Scan(&now); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "hello %s, it is %s\n", r.PathValue("name"), now)
	})

	// 4. /metrics (and opt-in pprof) on a separate, internal listener.
	go func() { _ = http.ListenAndServe("127.0.0.1:9464", tel.AdminHandler()) }()

	// Providers default to the OTel globals that Start installed; the
	// logger is passed so the access log is vigil's JSON with trace IDs.
	h := middleware.Handler(mux, middleware.WithLogger(tel.Logger))
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: h,
		ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
