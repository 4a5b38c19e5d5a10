package middleware

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/vigil-go/vigil/internal/scope"
)

// responseWriter records what the handler sends. It exposes Flusher,
// io.ReaderFrom and Pusher directly, because callers type-assert them and
// each has a safe fallback; Hijacker is exposed (by hijackWriter) only
// when the writer below can hijack, because a Hijacker that always fails
// misleads code that asks. Everything else (deadlines, full duplex, and
// all of the above) works through Unwrap and http.ResponseController.
//
// One responseWriter is the per-request state of every vigil layer on the
// request: a layer that finds one already below it reuses it.
type responseWriter struct {
	w           http.ResponseWriter
	status      int
	wroteHeader bool
	hijacked    bool
	bytesOut    int64
	body        bodyCounter
	done        Part // parts already run by an outer layer
	routeKnown  bool
	route       string
	panicked    bool
	panicVal    any
	stack       []byte
	idHeader    [1]string
	idKey       string // canonical request ID header name, "" when unset
	panicMsg    string // the panic value as text, capped at maxPanicLen
	idBuf       [32]byte
	hexIDs      [48]byte
	scope       scope.Scope
}

// hijackWriter adds http.Hijacker when the writer below supports it.
type hijackWriter struct{ *responseWriter }

var (
	_ http.Flusher  = (*responseWriter)(nil)
	_ io.ReaderFrom = (*responseWriter)(nil)
	_ http.Pusher   = (*responseWriter)(nil)
	_ http.Hijacker = hijackWriter{}
)

// wrap returns the recording state and the writer to give the handler,
// reusing the state of an outer vigil layer.
func wrap(w http.ResponseWriter) (*responseWriter, http.ResponseWriter, bool) {
	if rw := outerState(w); rw != nil {
		return rw, w, true
	}
	rw := &responseWriter{w: w}
	if canHijack(w) {
		return rw, hijackWriter{rw}, false
	}
	return rw, rw, false
}

// outerState finds the state of an outer vigil layer in w or the
// writers it unwraps to, so a foreign wrapper in between does not make
// the parts run twice.
func outerState(w http.ResponseWriter) *responseWriter {
	for w != nil {
		switch v := w.(type) {
		case *responseWriter:
			return v
		case hijackWriter:
			return v.responseWriter
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// canHijack reports whether w or a writer it unwraps to is a Hijacker.
func canHijack(w http.ResponseWriter) bool {
	for w != nil {
		if _, ok := w.(http.Hijacker); ok {
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}

// Unwrap returns the writer below, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.w }

func (w *responseWriter) Header() http.Header { return w.w.Header() }

// WriteHeader forwards the first final status and drops later ones, so
// the server never logs a superfluous WriteHeader. Informational codes
// other than 101 pass through without counting as final.
//
// A code outside 100..999 panics, as net/http does, before anything is
// recorded or forwarded: the response then still counts as unwritten, so
// Recover answers 500 and the metrics and log record 500 instead of the
// bogus code (which would also not fit the metric key).
func (w *responseWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wroteHeader || w.hijacked {
		return
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		w.w.WriteHeader(code)
		return
	}
	w.markWritten(code)
	w.w.WriteHeader(code)
}

// implicit200 notes the status that a write without WriteHeader sends.
func (w *responseWriter) implicit200() {
	if !w.wroteHeader {
		w.markWritten(http.StatusOK)
	}
}

// markWritten records the final status just before the headers go out.
// It also collapses the request ID header to the one value vigil set when
// every value equals it: httputil.ReverseProxy adds the backend's
// response headers to ours, so a backend that got our ID (see
// [Transport]) would otherwise make the client see it twice.
func (w *responseWriter) markWritten(code int) {
	w.wroteHeader, w.status = true, code
	if w.idKey == "" {
		return
	}
	h := w.w.Header()
	vals := h[w.idKey]
	if len(vals) < 2 {
		return
	}
	for _, v := range vals {
		if v != w.idHeader[0] {
			return
		}
	}
	h[w.idKey] = w.idHeader[:]
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.implicit200()
	n, err := w.w.Write(b)
	w.bytesOut += int64(n)
	return n, err
}

// Flush sends buffered data. It marks the status 200 when none was
// written, as the server does.
func (w *responseWriter) Flush() {
	w.implicit200()
	if f, ok := w.w.(http.Flusher); ok {
		f.Flush()
		return
	}
	_ = http.NewResponseController(w.w).Flush()
}

// ReadFrom copies src to the response, using the writer below's
// ReadFrom (sendfile on HTTP/1.1) when it has one.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	w.implicit200()
	var n int64
	var err error
	if rf, ok := w.w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(writerOnly{w.w}, src)
	}
	w.bytesOut += n
	return n, err
}

// writerOnly hides ReadFrom so io.Copy does not loop back.
type writerOnly struct{ io.Writer }

// Push starts an HTTP/2 server push, or returns http.ErrNotSupported.
func (w *responseWriter) Push(target string, opts *http.PushOptions) error {
	for u := w.w; u != nil; {
		if p, ok := u.(http.Pusher); ok {
			return p.Push(target, opts)
		}
		uw, ok := u.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		u = uw.Unwrap()
	}
	return http.ErrNotSupported
}

// Hijack takes over the connection. A hijacked request with no status
// written is recorded as 101 Switching Protocols.
func (w hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.w).Hijack()
	if err == nil {
		w.hijacked = true
		if !w.wroteHeader {
			w.wroteHeader, w.status = true, http.StatusSwitchingProtocols
		}
	}
	return c, rw, err
}

// finalStatus is the status the client saw (or would have seen).
func (w *responseWriter) finalStatus() int {
	if w.wroteHeader {
		return w.status
	}
	return http.StatusOK
}

// bytesSent is the response body size the client received: 0 for HEAD,
// whose body net/http accepts from the handler but never sends.
func (w *responseWriter) bytesSent(r *http.Request) int64 {
	if r.Method == http.MethodHead {
		return 0
	}
	return w.bytesOut
}

// bytesIn is the request body size: the Content-Length when the client
// sent one, otherwise the bytes the handler read.
func (w *responseWriter) bytesIn(r *http.Request) int64 {
	if r.ContentLength > 0 {
		return r.ContentLength
	}
	return w.body.n
}

// bodyCounter counts the request body bytes the handler reads.
type bodyCounter struct {
	rc io.ReadCloser
	n  int64
}

func (b *bodyCounter) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	return n, err
}

func (b *bodyCounter) Close() error { return b.rc.Close() }
