package logging

import (
	"log/slog"
	"strings"
)

// redactor matches attribute keys against a fixed set, ignoring case,
// without allocating.
type redactor struct {
	keys           []string
	minLen, maxLen int
}

func newRedactor(keys []string) redactor {
	r := redactor{minLen: -1}
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
	return r
}

func (r *redactor) match(key string) bool {
	if len(key) < r.minLen || len(key) > r.maxLen {
		return false
	}
	for _, k := range r.keys {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// attr returns a with redacted values replaced, resolving LogValuers so
// that groups they produce are searched too. It reports whether a changed,
// so that callers copy a group only when something in it was redacted.
func (r *redactor) attr(a slog.Attr) (slog.Attr, bool) {
	if len(r.keys) == 0 {
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
