package middleware

import (
	"net/http"
	"strings"
)

// methodOther is the semantic-conventions name for any method outside
// the known set.
const methodOther = "_OTHER"

// knownMethods are the methods kept as they are; index 0 is _OTHER.
var knownMethods = [...]string{
	methodOther,
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodDelete, http.MethodConnect, http.MethodOptions,
	http.MethodTrace, http.MethodPatch, "QUERY",
}

const numMethods = len(knownMethods)

// methodIndex returns the index of m in knownMethods, 0 for any other.
func methodIndex(m string) uint8 {
	switch m {
	case http.MethodGet:
		return 1
	case http.MethodHead:
		return 2
	case http.MethodPost:
		return 3
	case http.MethodPut:
		return 4
	case http.MethodDelete:
		return 5
	case http.MethodConnect:
		return 6
	case http.MethodOptions:
		return 7
	case http.MethodTrace:
		return 8
	case http.MethodPatch:
		return 9
	case "QUERY":
		return 10
	}
	return 0
}

// NormalizeMethod returns m when it is a method of RFC 9110, PATCH or
// QUERY, and "_OTHER" otherwise, as the semantic conventions ask, so that
// invented methods cannot grow metric series or span names. It is safe
// for concurrent use.
func NormalizeMethod(m string) string {
	return knownMethods[methodIndex(m)]
}

// PatternRoute returns the path part of a ServeMux pattern: the method
// and host are dropped, so "GET example.com/users/{id}" becomes
// "/users/{id}". It returns "" for "" and is safe for concurrent use.
func PatternRoute(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimLeft(pattern[i+1:], " \t")
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	return pattern
}

// route returns the route template of r after the handler ran.
func (s *server) route(r *http.Request) string {
	if s.cfg.route != nil {
		return s.cfg.route(r)
	}
	return PatternRoute(r.Pattern)
}

// protoIndex maps the request protocol to a small number for cache keys.
func protoIndex(r *http.Request) uint8 {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		return 1
	case r.ProtoMajor == 2:
		return 2
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		return 3
	case r.ProtoMajor == 3:
		return 4
	}
	return 0
}

var protoNames = [...]string{"", "1.1", "2", "1.0", "3"}

func schemeOf(tls bool) string {
	if tls {
		return "https"
	}
	return "http"
}
