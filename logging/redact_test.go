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

func TestDefaultRedactsKeysContainingASecretWord(t *testing.T) {
	tests := []struct {
		key    string
		hidden bool
	}{
		{"db_password", true},
		{"PGPASSWORD", true},
		{"client_secret", true},
		{"X-Api-Key", true},
		{"api-key", true},
		{"AWS_PRIVATE_KEY", true},
		{"privateKey", true},
		{"refresh_token", true},
		{"sessionCookie", true},
		{"set-cookie", true},
		{"Proxy-Authorization", true},
		{"credentials", true},
		{"user_passwd", true},
		// Ordinary keys keep their values.
		{"user", false},
		{"route", false},
		{"public_key", false},
		{"author", false},
		{"bytes_out", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			var buf bytes.Buffer
			slog.New(logging.NewHandler(&buf)).Info("m", tt.key, "hunter2")
			if got := !strings.Contains(buf.String(), "hunter2"); got != tt.hidden {
				t.Fatalf("key %q hidden = %v, want %v: %s", tt.key, got, tt.hidden, buf.String())
			}
		})
	}
}

func TestRedactedKeysOption(t *testing.T) {
	tests := []struct {
		name     string
		opts     []logging.Option
		hidden   []string
		revealed []string
	}{
		{"exact set replaces default words",
			[]logging.Option{logging.WithRedactedKeys("SSN")},
			[]string{"ssn"}, []string{"password", "db_password"}},
		{"exact set matches whole keys only",
			[]logging.Option{logging.WithRedactedKeys(logging.DefaultRedactedKeys()...)},
			[]string{"password"}, []string{"ssn", "db_password"}},
		{"extended exact default",
			[]logging.Option{logging.WithRedactedKeys(append(logging.DefaultRedactedKeys(), "ssn")...)},
			[]string{"ssn", "password"}, []string{"db_password"}},
		{"extended default words",
			[]logging.Option{logging.WithRedactedKeyWords(append(logging.DefaultRedactedKeyWords(), "ssn")...)},
			[]string{"ssn", "password", "db_password"}, nil},
		{"words and exact keys combine in either order",
			[]logging.Option{logging.WithRedactedKeys("ssn"), logging.WithRedactedKeyWords("pass_word")},
			[]string{"ssn", "password", "db_password"}, nil},
		{"exact keys after words",
			[]logging.Option{logging.WithRedactedKeyWords("PASS-WORD"), logging.WithRedactedKeys("ssn")},
			[]string{"ssn", "password", "db_password"}, nil},
		{"none turns redaction off",
			[]logging.Option{logging.WithRedactedKeys()},
			nil, []string{"password", "ssn", "db_password"}},
		{"no words and no keys turns redaction off",
			[]logging.Option{logging.WithRedactedKeyWords()},
			nil, []string{"password", "ssn", "db_password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(logging.NewHandler(&buf, tt.opts...))
			l.Info("m", "ssn", "v-ssn", "password", "v-password", "db_password", "v-db_password")
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
	words := logging.DefaultRedactedKeyWords()
	words[0] = "changed"
	if logging.DefaultRedactedKeyWords()[0] == "changed" {
		t.Error("DefaultRedactedKeyWords shares its backing array")
	}
}

// A key longer than the stack buffer used for folding still matches.
func TestLongKeyIsRedacted(t *testing.T) {
	var buf bytes.Buffer
	key := strings.Repeat("x", 300) + "_password"
	slog.New(logging.NewHandler(&buf)).Info("m", key, "hunter2")
	if strings.Contains(buf.String(), "hunter2") {
		t.Fatalf("long key not redacted: %.80s...", buf.String())
	}
}
