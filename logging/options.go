package logging

import (
	"log/slog"
	"slices"
)

// Redacted is the value that replaces the value of a redacted attribute.
const Redacted = "[REDACTED]"

// defaultRedactedKeys is the set behind [DefaultRedactedKeys].
var defaultRedactedKeys = []string{
	"authorization", "cookie", "set-cookie", "password", "passwd",
	"secret", "token", "api_key", "apikey", "access_token",
	"refresh_token",
}

// DefaultRedactedKeys returns a new copy of the attribute keys whose values
// [NewHandler] and [WrapHandler] redact by default: authorization, cookie,
// set-cookie, password, passwd, secret, token, api_key, apikey,
// access_token and refresh_token. Append to it and pass the result to
// [WithRedactedKeys] to extend the set.
func DefaultRedactedKeys() []string {
	return slices.Clone(defaultRedactedKeys)
}

// Option configures [NewHandler] and [WrapHandler].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	level     slog.Leveler
	redact    []string
	addSource bool
}

func newConfig(opts []Option) config {
	c := config{redact: defaultRedactedKeys}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithLevel sets the minimum level of records that are written. The
// default is [slog.LevelInfo] for [NewHandler]; [WrapHandler] leaves the
// decision to the wrapped handler unless this option is given. A nil
// leveler is ignored. Pass a [*slog.LevelVar] to change the level while
// the program runs.
func WithLevel(l slog.Leveler) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.level = l
		}
	})
}

// WithRedactedKeys replaces the set of attribute keys whose values are
// replaced by [Redacted]. Keys match case-insensitively, at any depth,
// including group keys. Calling it with no keys turns redaction off. The
// default is [DefaultRedactedKeys].
func WithRedactedKeys(keys ...string) Option {
	keys = slices.Clone(keys)
	return optionFunc(func(c *config) { c.redact = keys })
}

// WithSource adds the caller's file and line under slog's "source" key
// when on. It applies to [NewHandler] only. The default is off.
func WithSource(on bool) Option {
	return optionFunc(func(c *config) { c.addSource = on })
}
