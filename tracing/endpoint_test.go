package tracing

import (
	"net"
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in       string
		insecure bool
		host     string
		wantIns  bool
		wantErr  bool
		errText  string // substring of the error, when wantErr
	}{
		{"127.0.0.1:4317", false, "127.0.0.1:4317", false, false, ""},
		{"127.0.0.1:4317", true, "127.0.0.1:4317", true, false, ""},
		{"http://127.0.0.1:4317", false, "127.0.0.1:4317", true, false, ""},
		{"https://127.0.0.1:4317/", true, "127.0.0.1:4317", false, false, ""},
		{"http://[::1]:4317", false, "[::1]:4317", true, false, ""},
		{"localhost", false, "", false, true, ""},
		{"grpc://127.0.0.1:4317", false, "", false, true, ""},
		{"http://", false, "", false, true, ""},
		{"http://127.0.0.1", false, "127.0.0.1:4317", true, false, ""},
		{"collector.example:4317", false, "collector.example:4317", false, false, ""},
		{"127.0.0.1:65535", false, "127.0.0.1:65535", false, false, ""},
		// Ports must be 1-65535 in decimal.
		{"127.0.0.1:0", false, "", false, true, "not a number from 1 to 65535"},
		{"127.0.0.1:99999", false, "", false, true, "not a number from 1 to 65535"},
		{"127.0.0.1:otlp", false, "", false, true, "not a number from 1 to 65535"},
		{"127.0.0.1:+4317", false, "", false, true, "not a number from 1 to 65535"},
		{"http://127.0.0.1:0", false, "", false, true, "not a number from 1 to 65535"},
		{"http://127.0.0.1:70000", false, "", false, true, "not a number from 1 to 65535"},
		// An empty host is more likely an unset variable than localhost.
		{":4317", false, "", false, true, "no host"},
		// gRPC has no paths: an OTLP/HTTP path would be silently dropped.
		{"127.0.0.1:4317/v1/traces", false, "", false, true, "not a number from 1 to 65535"},
		{"http://127.0.0.1:4317/v1/traces", false, "", false, true, "takes no path"},
		{"http://127.0.0.1:4317?x=1", false, "", false, true, "takes no path"},
		// User info would be dropped, and must not be echoed.
		{"http://u:s3cret@127.0.0.1:1", false, "", false, true, "user info is not sent"},
		{"u@127.0.0.1:4317", false, "", false, true, "not a host name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, ins, err := parseEndpoint(tt.in, tt.insecure)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && (!strings.Contains(err.Error(), tt.errText) ||
				strings.Contains(err.Error(), "s3cret")) {
				t.Fatalf("err = %v, want %q and no password", err, tt.errText)
			}
			if host != tt.host || ins != tt.wantIns {
				t.Errorf("= %q, %v; want %q, %v", host, ins, tt.host, tt.wantIns)
			}
		})
	}
}

// FuzzParseEndpoint checks that whatever the environment holds, the
// result is either an error or a dialable host:port.
func FuzzParseEndpoint(f *testing.F) {
	f.Add("http://127.0.0.1:4317")
	f.Add("collector:4317")
	f.Add("https://[::1]:4317/v1/traces")
	f.Add("127.0.0.1:99999")
	f.Add(":4317")
	f.Add("http://u:p@127.0.0.1:1")
	f.Fuzz(func(t *testing.T, in string) {
		host, _, err := parseEndpoint(in, false)
		if err != nil {
			return
		}
		if _, _, err := net.SplitHostPort(host); err != nil {
			t.Fatalf("parseEndpoint(%q) = %q, not host:port: %v", in, host, err)
		}
	})
}
