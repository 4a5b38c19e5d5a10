package health

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTPGet returns a check that sends GET url with client and passes when
// the response status is want. A nil client means http.DefaultClient; a
// zero want accepts any 2xx status. At most 4 KiB of the body is read so
// the connection can be reused. Redirects follow the client's policy.
func HTTPGet(client *http.Client, url string, want int) CheckFunc {
	if client == nil {
		client = http.DefaultClient
	}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("health: http get: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("health: http get: %w", err)
		}
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		_ = resp.Body.Close()
		if !statusOK(resp.StatusCode, want) {
			return fmt.Errorf("health: http get: status %d, want %s",
				resp.StatusCode, wantText(want))
		}
		return nil
	}
}

func statusOK(got, want int) bool {
	if want == 0 {
		return got >= 200 && got < 300
	}
	return got == want
}

func wantText(want int) string {
	if want == 0 {
		return "2xx"
	}
	return fmt.Sprint(want)
}
