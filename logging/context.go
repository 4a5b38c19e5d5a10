package logging

import "context"

type requestIDKey struct{}

// ContextWithRequestID returns a copy of ctx that carries the request ID id.
// The middleware package calls it once per request; code that starts work
// outside an HTTP request (a queue consumer, a cron job) may call it too so
// that its log lines and outgoing calls carry an ID. An empty id is stored
// as is and reads back as absent.
func ContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request ID stored by
// [ContextWithRequestID], or "" when ctx carries none.
func RequestIDFromContext(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
