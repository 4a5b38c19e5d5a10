package logging_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/vigil-go/vigil/logging"
)

var correlationKeys = map[string]bool{
	logging.TraceIDKey: true, logging.SpanIDKey: true,
	logging.RequestIDKey: true,
}

// FuzzHandlerWritesOneJSONLine feeds arbitrary keys and values, as an
// attacker controlling a header or path could, and checks that every
// record stays one valid JSON object on one line.
func FuzzHandlerWritesOneJSONLine(f *testing.F) {
	f.Add("path", "/a\nb", "g")
	f.Add("Authorization", "Bearer x\r\nlevel=ERROR", "")
	f.Add("k", "\x1b[2J\u2028\xff", "trace_id")
	f.Fuzz(func(t *testing.T, key, value, group string) {
		var buf bytes.Buffer
		l := slog.New(logging.NewHandler(&buf))
		l.WithGroup(group).With(key, value).InfoContext(
			spanContext(), value, key, value)
		out := buf.Bytes()
		if bytes.Count(out, []byte("\n")) != 1 {
			t.Fatalf("not one line: %q", out)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("invalid JSON %q: %v", out, err)
		}
		if group == "" && correlationKeys[key] {
			return // the caller wrote the key twice itself
		}
		for k, n := range topLevelKeys(t, out) {
			if n > 1 && correlationKeys[k] {
				t.Fatalf("%s written %d times: %q", k, n, out)
			}
		}
	})
}

// topLevelKeys counts how often each key occurs in the outermost object of
// the JSON in b, duplicates included.
func topLevelKeys(t *testing.T, b []byte) map[string]int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		t.Fatalf("open brace: %v", err)
	}
	keys := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("key: %v", err)
		}
		keys[tok.(string)]++
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("value: %v", err)
		}
	}
	return keys
}
