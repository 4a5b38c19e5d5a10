package testsvc

import (
	"context"
	"testing"
	"time"
)

func TestStartJaegerServesQueryAPI(t *testing.T) {
	j := StartJaeger(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out struct {
		Data []string `json:"data"`
	}
	if err := getJSON(ctx, j.QueryURL+"/api/services", &out); err != nil {
		t.Fatalf("query API: %v", err)
	}
	if _, err := j.Trace(ctx, "0123456789abcdef0123456789abcdef"); err == nil {
		t.Fatal("Trace of an unknown ID returned no error")
	}
}
