package logging

import (
	"bytes"
	"log/slog"
	"strings"
)

// redactor decides which attribute keys are secret, without allocating
// for keys up to maxFoldedKey bytes: a key matches when it equals one of
// keys (ignoring case) or contains one of words once folded (see fold).
type redactor struct {
	keys           []string
	minLen, maxLen int
	words          [][]byte // folded, non-empty
	minWord        int
	// first marks the first bytes of words, so that match compares words
	// only where one can start: a single pass over the key instead of one
	// search per word.
	first [256]bool
}

// maxFoldedKey bounds the stack buffer fold uses; a longer key is folded on
// the heap, which only a strange program would pay for.
const maxFoldedKey = 128

func newRedactor(keys, words []string) redactor {
	r := redactor{minLen: -1, minWord: -1}
	for _, k := range keys {
		if k == "" {
			continue
		}
		r.keys = append(r.keys, k)
		if r.minLen < 0 || len(k) < r.minLen {
			r.minLen = len(k)
		}
		r.maxLen = max(r.maxLen, len(k))
	}
	for _, w := range words {
		f := fold(nil, w)
		if len(f) == 0 {
			continue
		}
		r.words = append(r.words, f)
		r.first[f[0]] = true
		if r.minWord < 0 || len(f) < r.minWord {
			r.minWord = len(f)
		}
	}
	return r
}

// active reports whether any key can match.
func (r *redactor) active() bool { return len(r.keys) > 0 || len(r.words) > 0 }

func (r *redactor) match(key string) bool {
	if len(key) >= r.minLen && len(key) <= r.maxLen {
		for _, k := range r.keys {
			if len(k) == len(key) && strings.EqualFold(k, key) {
				return true
			}
		}
	}
	if len(r.words) == 0 || len(key) < r.minWord {
		return false
	}
	var buf [maxFoldedKey]byte
	f := fold(buf[:0], key)
	for i := 0; i+r.minWord <= len(f); i++ {
		if !r.first[f[i]] {
			continue
		}
		for _, w := range r.words {
			if bytes.HasPrefix(f[i:], w) {
				return true
			}
		}
	}
	return false
}

// fold appends s to dst in ASCII lower case without '-' and '_', so that
// "X-Api-Key", "api_key" and "APIKEY" all read "apikey".
func fold(dst []byte, s string) []byte {
	for i := range len(s) {
		c := s[i]
		switch {
		case c == '-' || c == '_':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// attr returns a with redacted values replaced, resolving LogValuers so
// that groups they produce are searched too. It reports whether a changed,
// so that callers copy a group only when something in it was redacted.
func (r *redactor) attr(a slog.Attr) (slog.Attr, bool) {
	if !r.active() {
		return a, false
	}
	if r.match(a.Key) {
		return slog.String(a.Key, Redacted), true
	}
	changed := false
	if a.Value.Kind() == slog.KindLogValuer {
		a.Value = a.Value.Resolve()
		changed = true
	}
	if a.Value.Kind() != slog.KindGroup {
		return a, changed
	}
	g, gchanged := r.attrs(a.Value.Group())
	if gchanged {
		a.Value = slog.GroupValue(g...)
	}
	return a, changed || gchanged
}

// attrs applies [redactor.attr] to each of as, copying as only when an
// element changes.
func (r *redactor) attrs(as []slog.Attr) ([]slog.Attr, bool) {
	var out []slog.Attr
	for i, a := range as {
		ra, changed := r.attr(a)
		if changed && out == nil {
			out = make([]slog.Attr, len(as))
			copy(out, as[:i])
		}
		if out != nil {
			out[i] = ra
		}
	}
	if out == nil {
		return as, false
	}
	return out, true
}
