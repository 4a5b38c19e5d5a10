// Package logging ties log lines to traces and requests: a [log/slog]
// handler that adds trace_id, span_id and request_id to every record and
// redacts the values of attributes whose keys look secret.
//
// # Quick start
//
//	logger := slog.New(logging.NewHandler(os.Stdout))
//	logger.InfoContext(r.Context(), "order placed", "id", id)
//
// writes one JSON line such as
//
//	{"time":"...","level":"INFO","msg":"order placed",
//	 "trace_id":"4bf9...","span_id":"00f0...","request_id":"01J9...","id":7}
//
// (shown wrapped). The IDs come from the context passed to the logging
// call, so use the *Context methods of [slog.Logger] (InfoContext,
// LogAttrs) with the request's context. A service with its own handler
// keeps it and wraps it with [WrapHandler].
//
// # Correlation attributes
//
// trace_id and span_id are added when the context carries a valid span
// context, request_id when [ContextWithRequestID] stored one (vigil's
// middleware does this per request). They are always written at the top
// level, also under [slog.Logger.WithGroup], so a log query can filter on
// them without knowing the groups. A record or an earlier With that sets
// one of these keys at the top level keeps its own value; the handler does
// not write a second one.
//
// # Redaction
//
// An attribute's value is replaced by [Redacted] when its key contains
// one of [DefaultRedactedKeyWords] (password, passwd, secret, token,
// apikey, authorization, cookie, credential, privatekey), comparing in
// ASCII lower case with '-' and '_' removed from both: db_password,
// client_secret, X-Api-Key, set-cookie and AWS_PRIVATE_KEY are redacted,
// and so is an ordinary key that happens to contain a word, such as
// prompt_tokens. Keys are matched at any depth, group keys included (the
// whole group is then redacted), and in values produced by a
// [slog.LogValuer]. [WithRedactedKeyWords] replaces the words;
// [WithRedactedKeys] sets exact keys instead, or in addition when both are
// given.
//
// Only keys are matched, never values: a secret inside a string
// ("dial postgres://app:pw@db", "Bearer x" under a key such as "header")
// is written as is, and so is a map or struct logged as one value (for
// example an http.Header passed to slog.Any), which the inner handler
// encodes itself. Log headers as a group of attributes instead.
//
// # Escaping
//
// [NewHandler] writes through [slog.JSONHandler], which escapes newlines,
// carriage returns, ANSI escape sequences and invalid UTF-8 inside the
// JSON string, so a hostile header or path can never start a second log
// line.
//
// # Performance
//
// Against slog.JSONHandler on the same record, the handler adds the cost
// of formatting the two IDs (two small allocations), of copying the record
// (one allocation when it ends up with more than five attributes) and of
// checking each key against the redaction set without allocating. Under a
// WithGroup it also builds the nested group per record. docs/telemetry.md
// has the measured figures.
package logging
