package middleware

import (
	"context"
	"encoding/hex"
	"math/rand/v2"
	"net/http"

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

// newRequestID returns 32 lower-case hex digits from 128 random bits.
// The runtime's per-thread generator is fast and never locks; request IDs
// correlate records, they are not secrets.
func newRequestID() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := rand.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

// requestID returns ctx carrying the request ID: the one already in ctx
// (an outer vigil layer ran), a valid inbound one, or a new one. It sets
// the response header.
func (s *server) requestID(
	ctx context.Context, w http.ResponseWriter, r *http.Request,
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
		id = newRequestID()
	}
	w.Header().Set(s.cfg.idHeader, id)
	return logging.ContextWithRequestID(ctx, id), id
}
