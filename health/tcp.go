package health

import (
	"context"
	"fmt"
	"net"
)

// TCP returns a check that opens a TCP connection to addr ("host:port")
// and closes it at once. It passes when the dial succeeds within the
// check's timeout.
func TCP(addr string) CheckFunc {
	var d net.Dialer
	return func(ctx context.Context) error {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("health: tcp dial: %w", err)
		}
		return conn.Close()
	}
}
