package tracing

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// defaultPort is the OTLP gRPC port, used for a URL without a port.
const defaultPort = "4317"

// parseEndpoint splits an endpoint as accepted by [WithEndpoint] into the
// host:port to dial and whether to skip TLS: a URL's scheme decides,
// otherwise insecure is returned as given. A URL without a port gets
// port 4317. It fails unless endpoint is a
// host:port or an http(s) URL with a host.
func parseEndpoint(endpoint string, insecure bool) (string, bool, error) {
	if !strings.Contains(endpoint, "://") {
		if _, _, err := net.SplitHostPort(endpoint); err != nil {
			return "", false, fmt.Errorf("tracing: endpoint %q: %w",
				endpoint, err)
		}
		return endpoint, insecure, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, fmt.Errorf("tracing: endpoint: %w", err)
	}
	if u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false, fmt.Errorf("tracing: endpoint %q: want "+
			"host:port, http://host:port or https://host:port", endpoint)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), defaultPort)
	}
	return parseEndpoint(host, u.Scheme == "http")
}
