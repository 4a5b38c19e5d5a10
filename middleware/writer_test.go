package middleware

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigil-go/vigil/vigiltest"
)

// startServer starts hd over HTTP/1.1 or, with h2, HTTP/2 over TLS, with
// its error log captured in errs.
func startServer(t *testing.T, hd http.Handler, h2 bool, errs *vigiltest.Buffer) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(hd)
	srv.Config.ErrorLog = log.New(errs, "", 0)
	if h2 {
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

// reply is what get read of a response.
type reply struct {
	status, protoMajor int
	body               string
}

func get(t *testing.T, srv *httptest.Server, path string) reply {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.ProtoMajor, string(b)}
}

// capabilities reports what the handler could do with its writer.
func capabilities(w http.ResponseWriter, r *http.Request) string {
	var out []string
	rc := http.NewResponseController(w)
	if _, ok := w.(http.Flusher); ok {
		out = append(out, "flusher")
	}
	if _, ok := w.(io.ReaderFrom); ok {
		out = append(out, "readerfrom")
	}
	if _, ok := w.(http.Pusher); ok {
		out = append(out, "pusher")
	}
	if _, ok := w.(http.Hijacker); ok {
		out = append(out, "hijacker")
	}
	if rc.SetWriteDeadline(time.Now().Add(time.Minute)) == nil {
		out = append(out, "deadline")
	}
	if rc.SetReadDeadline(time.Now().Add(time.Minute)) == nil {
		out = append(out, "readdeadline")
	}
	if r.ProtoMajor == 1 && rc.EnableFullDuplex() == nil {
		out = append(out, "duplex")
	}
	if rc.Flush() == nil {
		out = append(out, "rcflush")
	}
	_, _ = io.Copy(w, strings.NewReader(" body"))
	return strings.Join(out, ",")
}

func TestWriterKeepsCapabilities(t *testing.T) {
	cases := []struct {
		name    string
		h2      bool
		foreign bool
		want    string
	}{
		{"HTTP/1.1", false, false,
			"flusher,readerfrom,pusher,hijacker,deadline,readdeadline,duplex,rcflush"},
		{"HTTP/1.1 behind foreign wrapper", false, true,
			"flusher,readerfrom,pusher,hijacker,deadline,readdeadline,duplex,rcflush"},
		{"HTTP/2", true, false, "flusher,readerfrom,pusher,deadline,readdeadline,rcflush"},
		{"HTTP/2 behind foreign wrapper", true, true,
			"flusher,readerfrom,pusher,deadline,readdeadline,rcflush"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			var caps string
			hd := h.handler(http.HandlerFunc(
				func(w http.ResponseWriter, r *http.Request) {
					caps = capabilities(w, r)
				}))
			if c.foreign {
				hd = passThrough(hd)
			}
			var errs vigiltest.Buffer
			srv := startServer(t, hd, c.h2, &errs)
			resp := get(t, srv, "/")
			if caps != c.want {
				t.Fatalf("capabilities %q, want %q", caps, c.want)
			}
			if (resp.protoMajor == 2) != c.h2 || resp.body != " body" {
				t.Fatalf("reply %+v", resp)
			}
			srv.Close()
			if l := h.logLines(); len(l) != 1 || l[0]["bytes_out"] != float64(5) {
				t.Fatalf("log %v", l)
			}
		})
	}
}

func TestWriterNoSuperfluousWriteHeader(t *testing.T) {
	handlers := map[string]http.HandlerFunc{
		"flush then write": func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte("x"))
		},
		"controller flush then write": func(w http.ResponseWriter, r *http.Request) {
			_ = http.NewResponseController(w).Flush()
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("x"))
		},
		"WriteHeader 200 then write": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("x"))
		},
		"WriteHeader twice": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.WriteHeader(http.StatusInternalServerError)
		},
		"early hints then write": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			_, _ = w.Write([]byte("x"))
		},
		"write then WriteHeader": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("x"))
			w.WriteHeader(http.StatusNotFound)
		},
	}
	for name, fn := range handlers {
		for _, h2 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s h2=%v", name, h2), func(t *testing.T) {
				h := newHarness(t)
				var errs vigiltest.Buffer
				srv := startServer(t, h.handler(passThrough(fn)), h2, &errs)
				resp := get(t, srv, "/")
				srv.Close()
				if strings.Contains(errs.String(), "superfluous") {
					t.Fatalf("server log: %s", errs.String())
				}
				l := h.logLines()
				if len(l) != 1 || l[0]["status"] != float64(resp.status) {
					t.Fatalf("client saw %d, log %v", resp.status, l)
				}
			})
		}
	}
}

// plainWriter has Flusher and Hijacker but no ReaderFrom and no Unwrap,
// like many older middlewares' writers.
type plainWriter struct{ w http.ResponseWriter }

func (p *plainWriter) Header() http.Header         { return p.w.Header() }
func (p *plainWriter) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p *plainWriter) WriteHeader(c int)           { p.w.WriteHeader(c) }
func (p *plainWriter) Flush()                      { p.w.(http.Flusher).Flush() }
func (p *plainWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return p.w.(http.Hijacker).Hijack()
}

func TestWriterHijackThroughOtherWrappers(t *testing.T) {
	h := newHarness(t)
	inner := h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer func() { _ = conn.Close() }()
		_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		_ = brw.Flush()
	}))
	served := make(chan struct{})
	base := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(served)
		passThrough(inner).ServeHTTP(&plainWriter{w}, r)
	})
	var errs vigiltest.Buffer
	srv := startServer(t, base, false, &errs)
	resp := get(t, srv, "/")
	<-served // Close does not wait for hijacked connections
	srv.Close()
	if resp.body != "hijacked" {
		t.Fatalf("body %q", resp.body)
	}
	if l := h.logLines(); len(l) != 1 || l[0]["status"] != float64(101) {
		t.Fatalf("log %v", l)
	}
}

func TestWriterRecordsFirstStatusOnce(t *testing.T) {
	h := newHarness(t)
	rec := serve(h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.WriteHeader(http.StatusInternalServerError)
	})), httptest.NewRequest("GET", "/", nil))
	a := attrMap(h.histPoints("http.server.request.duration")[0].Attributes)
	if rec.Code != 404 || a["http.response.status_code"] != "404" {
		t.Fatalf("recorder %d metric %v", rec.Code, a)
	}
}

func TestWriterPushWithoutSupport(t *testing.T) {
	h := newHarness(t)
	var err error
	serve(h.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err = w.(http.Pusher).Push("/style.css", nil)
	})), httptest.NewRequest("GET", "/", nil))
	if err != http.ErrNotSupported {
		t.Fatalf("err %v", err)
	}
}
