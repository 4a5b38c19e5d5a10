package health

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxErrorLen bounds the error text a check reports, in bytes.
const maxErrorLen = 200

// mask replaces every hidden value.
const mask = "***"

// bareValue is an unquoted value. When it ends in a separator and more
// text follows ("DB_PASSWORD= password: x"), the key was probably a
// label for the next pair, so the value runs on to the next word: it
// is safer to hide a label than to show what follows it. An HTTP
// scheme name (Bearer, Basic) is kept apart from the credential after it.
const bareValue = `(?:(?:[^\s&;,"']*(?:=|:|%3d)|bearer|basic)\s+)*[^\s&;,"']+`

// The patterns below are RE2 (Go's regexp), so scrubbing stays linear in
// the length of the text whatever a check returns.
var (
	// userinfo matches "user:password@" as in URLs (with their scheme, so
	// that "postgres://" is kept) and MySQL DSNs.
	userinfo = regexp.MustCompile(`((?:[a-zA-Z][a-zA-Z0-9+.-]*://)?[^\s:/@'"]*):[^\s'"]*@`)

	// urlQuery matches the query and fragment of a URL with a scheme. Every
	// parameter value is masked rather than only known names, because
	// signed URLs carry secrets under names no list can foresee
	// (X-Amz-Signature, sig, se, code...).
	urlQuery = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#"']*[?#][^\s"']*`)

	// keyValue matches a key that contains a secret word, a separator and a
	// value: env-var and DSN style (DB_PASSWORD=x, sslpassword=x), YAML and
	// header style (password: x, X-Api-Key: x), JSON ("password":"x") and
	// URL-encoded (password%3Dx). The key is a run of [A-Za-z0-9_.-] so
	// that a secret word inside a longer name (PGPASSWORD, client_secret,
	// aws_secret_access_key) counts; short words that are common inside
	// ordinary words (pwd, pass, sig) must be a whole segment of the key,
	// which scrub checks, because RE2 has no look-behind.
	//
	// Groups: 1 key, 2 segment-only word (empty for the long words),
	// 3 separator, 4 value.
	keyValue = regexp.MustCompile(`(?i)` +
		`([a-z0-9_.-]*?(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|signature|auth)[a-z0-9_.-]*` +
		`|(?:[a-z0-9_.-]*[_.-])?(pwd|pass|sig)(?:[_.-][a-z0-9_.-]*)?)` +
		`("?\s*(?:=|:|%3d)\s*)` +
		`('[^']*'|"(?:[^"\\]|\\.)*"|` + bareValue + `)`)

	// bearer matches HTTP credentials written without a header name, as in
	// "sent Bearer eyJ...".
	// Any text up to the next space counts as the credential: a token that
	// breaks RFC 6750's alphabet is still a token.
	bearer = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[^\s&;,"']+`)
)

// scrub makes error text safe to show: it hides credentials, folds the
// text onto one line and truncates it to maxErrorLen bytes.
//
// It errs towards hiding: a key such as "oauth2" or "token" followed by ":"
// loses the next word even when that word is ordinary text, because Go
// error prefixes and "password: x" cannot be told apart.
func scrub(s string) string {
	s = userinfo.ReplaceAllString(s, "$1:"+mask+"@")
	s = urlQuery.ReplaceAllStringFunc(s, maskQuery)
	s = maskKeyValues(s)
	s = bearer.ReplaceAllString(s, "$1$2"+mask)
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

// maskQuery masks every parameter value in the query and fragment of the
// URL u, keeping the names so the error still says which URL failed.
func maskQuery(u string) string {
	i := strings.IndexAny(u, "?#")
	var b strings.Builder
	b.Grow(len(u))
	b.WriteString(u[:i])
	rest := u[i:]
	for rest != "" {
		// rest starts with a delimiter: ? # & or ;. A later "?" belongs to
		// the value, as RFC 3986 allows, so it does not end a parameter.
		b.WriteByte(rest[0])
		rest = rest[1:]
		end := strings.IndexAny(rest, "#&;")
		if end < 0 {
			end = len(rest)
		}
		param := rest[:end]
		if eq := strings.IndexByte(param, '='); eq >= 0 {
			b.WriteString(param[:eq+1])
			if eq+1 < len(param) {
				b.WriteString(mask)
			}
		} else {
			b.WriteString(param)
		}
		rest = rest[end:]
	}
	return b.String()
}

// maskKeyValues masks the values keyValue finds, keeping keys, separators
// and the quotes around a value.
func maskKeyValues(s string) string {
	matches := keyValue.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, m := range matches {
		// A short word must start the key or follow a separator; the
		// match can start inside a longer word ("design=x") only through
		// that alternative, since the long words absorb any prefix.
		if m[4] >= 0 && m[0] > 0 && isKeyByte(s[m[0]-1]) {
			continue
		}
		vs, ve := m[8], m[9]
		b.WriteString(s[last:vs])
		switch v := s[vs:ve]; {
		case v[0] == '\'' || v[0] == '"':
			b.WriteByte(v[0])
			b.WriteString(mask)
			b.WriteByte(v[0])
		case len(v) > 6 && strings.EqualFold(v[:6], "bearer") || len(v) > 5 && strings.EqualFold(v[:5], "basic"):
			scheme := strings.IndexAny(v, " \t\n\f\r")
			b.WriteString(v[:scheme+1])
			b.WriteString(mask)
		default:
			b.WriteString(mask)
		}
		last = ve
	}
	b.WriteString(s[last:])
	return b.String()
}

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
