package dbsql

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// dsnInfo is what a DSN tells about the server, and the password to keep
// out of error messages.
type dsnInfo struct {
	host     string
	port     int
	password string
}

// parseDSN reads host, port and password from a URL DSN
// (postgres://user:pw@host:5432/db), a key=value DSN (host=h port=5432
// password=pw) or a MySQL DSN (user:pw@tcp(host:3306)/db). Anything else,
// such as a SQLite file name, yields no server.
func parseDSN(dsn string) dsnInfo {
	switch {
	case strings.Contains(dsn, "://"):
		return parseURLDSN(dsn)
	case strings.Contains(dsn, "@tcp("):
		return parseMySQLDSN(dsn)
	case strings.Contains(dsn, "="):
		return parseKeyValueDSN(dsn)
	}
	return dsnInfo{}
}

func parseURLDSN(dsn string) dsnInfo {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsnInfo{password: passwordInURL(dsn)}
	}
	var info dsnInfo
	if u.User != nil {
		info.password, _ = u.User.Password()
	}
	host := u.Host
	if i := strings.IndexByte(host, ','); i >= 0 {
		host = host[:i] // first of several hosts
	}
	info.host, info.port = splitHostPort(host)
	if info.password == "" {
		info.password = u.Query().Get("password")
	}
	return info
}

// passwordInURL finds user:password@ in a URL that net/url rejects.
func passwordInURL(dsn string) string {
	rest := dsn[strings.Index(dsn, "://")+3:]
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return ""
	}
	if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
		return rest[colon+1 : at]
	}
	return ""
}

func parseMySQLDSN(dsn string) dsnInfo {
	var info dsnInfo
	at := strings.Index(dsn, "@tcp(")
	if colon := strings.IndexByte(dsn[:at], ':'); colon >= 0 {
		info.password = dsn[colon+1 : at]
	}
	addr := dsn[at+len("@tcp("):]
	if end := strings.IndexByte(addr, ')'); end >= 0 {
		info.host, info.port = splitHostPort(addr[:end])
	}
	return info
}

func parseKeyValueDSN(dsn string) dsnInfo {
	var info dsnInfo
	for k, v := range keyValues(dsn) {
		switch strings.ToLower(k) {
		case "host", "server":
			info.host, _, _ = strings.Cut(v, ",")
		case "port":
			p, _, _ := strings.Cut(v, ",")
			info.port, _ = strconv.Atoi(p)
		case "password", "pwd":
			info.password = v
		}
	}
	if strings.HasPrefix(info.host, "/") {
		info.host = "" // a Unix socket directory is not a server address
	}
	return info
}

// keyValues yields the pairs of a libpq-style "key=value key='v a l'"
// string; in quoted values a backslash escapes the next byte.
func keyValues(s string) func(yield func(k, v string) bool) {
	return func(yield func(k, v string) bool) {
		for s = strings.TrimLeft(s, " \t\n"); s != ""; s = strings.TrimLeft(s, " \t\n") {
			eq := strings.IndexByte(s, '=')
			if eq < 0 {
				return
			}
			key := strings.TrimSpace(s[:eq])
			s = strings.TrimLeft(s[eq+1:], " \t\n")
			var val strings.Builder
			quoted := strings.HasPrefix(s, "'")
			i := 0
			if quoted {
				i = 1
			}
			for ; i < len(s); i++ {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					i++
					val.WriteByte(s[i])
					continue
				}
				if (quoted && c == '\'') || (!quoted && (c == ' ' || c == '\t' || c == '\n')) {
					i++
					break
				}
				val.WriteByte(c)
			}
			s = s[i:]
			if !yield(key, val.String()) {
				return
			}
		}
	}
}

func splitHostPort(hostport string) (string, int) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return strings.Trim(hostport, "[]"), 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// redactedError hides a password that a driver's error text may repeat.
// Unwrap returns the driver's error for errors.Is and errors.As.
type redactedError struct {
	err    error
	secret string
}

func (e *redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, "xxxxx")
}

func (e *redactedError) Unwrap() error { return e.err }

func redact(err error, secret string) error {
	if secret == "" {
		return err
	}
	return &redactedError{err: err, secret: secret}
}
