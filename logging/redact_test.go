package logging_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/vigil-go/vigil/logging"
)

type secretValuer struct{}

func (secretValuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("Password", "hunter2"),
		slog.String("user", "ann"))
}

func TestDefaultKeysAreRedactedAnywhere(t *testing.T) {
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		keep string // a value that must survive, "" for none
	}{
		{"top level", func(l *slog.Logger) {
			l.Info("m", "password", "hunter2", "user", "ann")
		}, "ann"},
		{"case-insensitive", func(l *slog.Logger) {
			l.Info("m", "Authorization", "Bearer hunter2")
		}, ""},
		{"every default key", func(l *slog.Logger) {
			var args []any
			for _, k := range logging.DefaultRedactedKeys() {
				args = append(args, strings.ToUpper(k), "hunter2")
			}
			l.Info("m", args...)
		}, ""},
		{"inside a group", func(l *slog.Logger) {
			l.Info("m", slog.Group("req", slog.Group("headers",
				slog.String("Cookie", "hunter2"))))
		}, ""},
		{"group key itself", func(l *slog.Logger) {
			l.Info("m", slog.Group("secret", slog.String("a", "hunter2")))
		}, ""},
		{"With before group", func(l *slog.Logger) {
			l.With("token", "hunter2").Info("m")
		}, ""},
		{"With inside group", func(l *slog.Logger) {
			l.WithGroup("g").With("api_key", "hunter2").Info("m", "x", 1)
		}, ""},
		{"record inside WithGroup", func(l *slog.Logger) {
			l.WithGroup("g").Info("m", "set-cookie", "hunter2", "ok", "ann")
		}, "ann"},
		{"LogValuer result", func(l *slog.Logger) {
			l.Info("m", "login", secretValuer{})
		}, "ann"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(logging.NewHandler(&buf)))
			out := buf.String()
			if strings.Contains(out, "hunter2") {
				t.Errorf("secret written: %s", out)
			}
			if !strings.Contains(out, logging.Redacted) {
				t.Errorf("no %s marker: %s", logging.Redacted, out)
			}
			if tt.keep != "" && !strings.Contains(out, tt.keep) {
				t.Errorf("non-secret %q lost: %s", tt.keep, out)
			}
		})
	}
}

func TestRedactedKeysOption(t *testing.T) {
	tests := []struct {
		name     string
		keys     []string
		hidden   []string
		revealed []string
	}{
		{"custom set replaces default", []string{"SSN"},
			[]string{"ssn"}, []string{"password"}},
		{"extended default", append(logging.DefaultRedactedKeys(), "ssn"),
			[]string{"ssn", "password"}, nil},
		{"none turns redaction off", nil,
			nil, []string{"password", "ssn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(logging.NewHandler(&buf,
				logging.WithRedactedKeys(tt.keys...)))
			l.Info("m", "ssn", "v-ssn", "password", "v-password")
			out := buf.String()
			for _, k := range tt.hidden {
				if strings.Contains(out, "v-"+k) {
					t.Errorf("%s not redacted: %s", k, out)
				}
			}
			for _, k := range tt.revealed {
				if !strings.Contains(out, "v-"+k) {
					t.Errorf("%s redacted: %s", k, out)
				}
			}
		})
	}
}

func TestDefaultRedactedKeysReturnsACopy(t *testing.T) {
	keys := logging.DefaultRedactedKeys()
	keys[0] = "changed"
	if logging.DefaultRedactedKeys()[0] == "changed" {
		t.Error("DefaultRedactedKeys shares its backing array")
	}
}
