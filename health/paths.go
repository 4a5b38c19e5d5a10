package health

import (
	"net/http"
	"slices"
	"strings"
)

var probePaths = [...]string{"/livez", "/readyz", "/startupz", "/healthz"}

// Paths returns the endpoint paths served by [Registry.Handler]: /livez,
// /readyz, /startupz and /healthz. Use them to mount the handler; vigil's
// HTTP middleware already keeps these paths out of the access log and
// traces by default (under a prefix, give it [IsProbeRequest]). Each call
// returns a new slice.
func Paths() []string { return slices.Clone(probePaths[:]) }

// IsProbeRequest reports whether req targets one of [Paths], possibly
// under a prefix such as /admin/readyz. It is a predicate for middleware
// that skips probe requests. A nil request is not a probe request.
func IsProbeRequest(req *http.Request) bool {
	return req != nil && req.URL != nil && probePath(req.URL.Path) != ""
}

// probePath returns the probe path that p ends with, or "".
func probePath(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	for _, pp := range probePaths {
		if p[i:] == pp {
			return pp
		}
	}
	return ""
}
