package middleware

import (
	"context"
	"math/rand/v2"
	"net/http"
	"unsafe"

	"github.com/vigil-go/vigil/logging"
)

// MaxRequestIDLen is the longest inbound request ID that is accepted.
const MaxRequestIDLen = 128

// ValidRequestID reports whether id may be used as a request ID as
// received: 1 to [MaxRequestIDLen] bytes, each an ASCII letter or digit
// or one of - _ . : + = / @. Everything else (quotes, spaces, control
// characters, non-ASCII bytes) makes the ID invalid, so it is replaced
// and never echoed. It is safe for concurrent use.
func ValidRequestID(id string) bool {
	if len(id) == 0 || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idByte[id[i]] {
			return false
		}
	}
	return true
}

var idByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "-_.:+=/@" {
		t[c] = true
	}
	return t
}()

// newRequestID returns 32 lower-case hex digits from 128 random bits,
// written into buf. The string shares buf's memory, so buf must never be
// written again; the per-request state that holds it is never reused.
// The runtime's per-thread generator is fast and never locks; request IDs
// correlate records, they are not secrets.
func newRequestID(buf *[32]byte) string {
	const digits = "0123456789abcdef"
	for i := 0; i < 32; i += 16 {
		v := rand.Uint64()
		for j := range 16 {
			buf[i+j] = digits[v>>(4*j)&15]
		}
	}
	return unsafe.String(&buf[0], len(buf))
}

// requestID returns ctx carrying the request ID: the one already in ctx
// (an outer vigil layer ran), a valid inbound one, or a new one. It sets
// the response header.
func (s *server) requestID(
	ctx context.Context, rw *responseWriter, r *http.Request,
) (context.Context, string) {
	if id := logging.RequestIDFromContext(ctx); id != "" {
		return ctx, id
	}
	id := ""
	if s.cfg.trustID {
		if in := r.Header.Get(s.cfg.idHeader); ValidRequestID(in) {
			id = in
		}
	}
	if id == "" {
		id = newRequestID(&rw.idBuf)
	}
	rw.idHeader[0], rw.idKey = id, s.cfg.idHeader
	rw.Header()[s.cfg.idHeader] = rw.idHeader[:]
	return logging.ContextWithRequestID(ctx, id), id
}
