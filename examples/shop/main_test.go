package main

import (
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    func(config) bool
		wantErr bool
	}{
		{"defaults bind loopback and run both services", nil, func(c config) bool {
			return c.Role == "all" && c.Addr == "127.0.0.1:8080" &&
				c.PricingURL == "http://127.0.0.1:8081" && c.DrainDelay == time.Second &&
				c.MaxInFlight == 100 && !c.Pprof
		}, false},
		{"pricing URL follows PRICING_ADDR", map[string]string{"PRICING_ADDR": "127.0.0.1:9"},
			func(c config) bool { return c.PricingURL == "http://127.0.0.1:9" }, false},
		{"explicit PRICING_URL wins", map[string]string{"PRICING_ADDR": "127.0.0.1:9",
			"PRICING_URL": "http://pricing:8081"},
			func(c config) bool { return c.PricingURL == "http://pricing:8081" }, false},
		{"unknown role", map[string]string{"SHOP_ROLE": "both"}, nil, true},
		{"bad drain delay", map[string]string{"SHOP_DRAIN_DELAY": "soon"}, nil, true},
		{"bad pprof flag", map[string]string{"SHOP_PPROF": "maybe"}, nil, true},
		{"bad in-flight cap", map[string]string{"SHOP_MAX_IN_FLIGHT": "many"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := configFromEnv(func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && !tt.want(c) {
				t.Errorf("config = %+v", c)
			}
		})
	}
}
