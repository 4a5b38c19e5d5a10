package resilience

import (
	"net/http"
	"strconv"
	"time"
)

// ParseRetryAfter parses a Retry-After header value, either a number of
// seconds or an HTTP date, into a wait from now. It reports false for an
// empty or malformed value; a date in the past is a zero wait. It is safe
// for concurrent use.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}
