package tracing

import (
	"net"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in       string
		insecure bool
		host     string
		wantIns  bool
		wantErr  bool
	}{
		{"127.0.0.1:4317", false, "127.0.0.1:4317", false, false},
		{"127.0.0.1:4317", true, "127.0.0.1:4317", true, false},
		{"http://127.0.0.1:4317", false, "127.0.0.1:4317", true, false},
		{"https://127.0.0.1:4317/", true, "127.0.0.1:4317", false, false},
		{"http://[::1]:4317", false, "[::1]:4317", true, false},
		{"localhost", false, "", false, true},
		{"grpc://127.0.0.1:4317", false, "", false, true},
		{"http://", false, "", false, true},
		{"http://127.0.0.1", false, "127.0.0.1:4317", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, ins, err := parseEndpoint(tt.in, tt.insecure)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
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
