package tracing

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// defaultPort is the OTLP gRPC port, used for a URL without a port.
const defaultPort = "4317"

// endpointForms ends the errors of parseEndpoint.
const endpointForms = "want host:port, http://host:port or https://host:port"

// parseEndpoint splits an endpoint as accepted by [WithEndpoint] into the
// host:port to dial and whether to skip TLS: a URL's scheme decides,
// otherwise insecure is returned as given. A URL without a port gets
// port 4317. It fails unless endpoint is a host:port or an http(s) URL
// with a host, and the port is a number from 1 to 65535.
//
// It is strict because every lenient reading so far turned a mistake into
// spans silently sent nowhere: gRPC ignores a path (often an OTLP/HTTP
// "/v1/traces" copied from another exporter), drops user info, and
// ":4317" is more often an unset variable in "${HOST}:4317" than a
// deliberate localhost.
func parseEndpoint(endpoint string, insecure bool) (string, bool, error) {
	if !strings.Contains(endpoint, "://") {
		if err := checkHostPort(endpoint); err != nil {
			return "", false, fmt.Errorf("tracing: endpoint %q: %w", endpoint, err)
		}
		return endpoint, insecure, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		// url.Error repeats the raw URL, which may hold a password.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", false, fmt.Errorf("tracing: endpoint: %w", err)
	}
	shown := u.Redacted()
	switch {
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return "", false, fmt.Errorf("tracing: endpoint %q: %s", shown, endpointForms)
	case u.User != nil:
		return "", false, fmt.Errorf("tracing: endpoint %q: user info is not "+
			"sent to the collector; set credentials in OTEL_EXPORTER_OTLP_HEADERS", shown)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return "", false, fmt.Errorf("tracing: endpoint %q: a gRPC endpoint "+
			"takes no path or query (OTLP/HTTP paths such as /v1/traces are "+
			"not supported); %s", shown, endpointForms)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), defaultPort)
	}
	return parseEndpoint(host, u.Scheme == "http")
}

// checkHostPort accepts "host:port" with a non-empty host free of URL
// syntax and a port from 1 to 65535.
func checkHostPort(hostport string) error {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("%w; %s", err, endpointForms)
	}
	if host == "" {
		return errors.New("no host; write 127.0.0.1:" + port + " for this machine")
	}
	if strings.ContainsAny(host, "/@?# \t") {
		return errors.New("host " + strconv.Quote(host) + " is not a host name or address; " + endpointForms)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '0' {
		return fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return nil
}
