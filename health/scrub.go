package health

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxErrorLen bounds the error text a check reports, in bytes.
const maxErrorLen = 200

var (
	// userinfo matches "user:password@" as in URLs (with their scheme, so
	// that "postgres://" is kept) and MySQL DSNs.
	userinfo = regexp.MustCompile(`((?:[a-zA-Z][a-zA-Z0-9+.-]*://)?[^\s:/@'"]*):[^\s'"]*@`)
	// keyValue matches password=..., token=... as in libpq DSNs and
	// query strings, with a quoted or bare value.
	keyValue = regexp.MustCompile(`(?i)\b(password|passwd|pwd|pass|secret|token|api[_-]?key|access[_-]?key)(\s*=\s*)('[^']*'|"[^"]*"|[^\s&;,]+)`)
)

// scrub makes error text safe to show: it hides credentials, folds the
// text onto one line and truncates it to maxErrorLen bytes.
func scrub(s string) string {
	s = userinfo.ReplaceAllString(s, "$1:***@")
	s = keyValue.ReplaceAllString(s, "$1$2***")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
