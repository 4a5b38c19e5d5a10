package vigiltest_test

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/vigil-go/vigil/vigiltest"
)

func ExampleBuffer() {
	var buf vigiltest.Buffer // safe for the goroutines of a server under test
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { logger.Info("handled") })
	}
	wg.Wait()
	fmt.Print(buf.String())
	// Output:
	// level=INFO msg=handled
	// level=INFO msg=handled
}
