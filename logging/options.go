package logging

import (
	"log/slog"
	"slices"
)

// Redacted is the value that replaces the value of a redacted attribute.
const Redacted = "[REDACTED]"

// defaultRedactedWords is the set behind [DefaultRedactedKeyWords].
var defaultRedactedWords = []string{
	"password", "passwd", "secret", "token", "apikey", "authorization",
	"cookie", "credential", "privatekey",
}

// DefaultRedactedKeyWords returns a new copy of the words that make a key
// secret by default: password, passwd, secret, token, apikey,
// authorization, cookie, credential and privatekey. A key is redacted when
// it contains one of them after both are folded to lower case without '-'
// and '_', so db_password, client_secret, X-Api-Key, set-cookie,
// refresh_token and AWS_PRIVATE_KEY all match. Append to it and pass the
// result to [WithRedactedKeyWords] to extend the set.
func DefaultRedactedKeyWords() []string {
	return slices.Clone(defaultRedactedWords)
}

// defaultRedactedKeys is the set behind [DefaultRedactedKeys].
var defaultRedactedKeys = []string{
	"authorization", "cookie", "set-cookie", "password", "passwd",
	"secret", "token", "api_key", "apikey", "access_token",
	"refresh_token",
}

// DefaultRedactedKeys returns a new copy of an exact-match list for
// [WithRedactedKeys]: authorization, cookie, set-cookie, password, passwd,
// secret, token, api_key, apikey, access_token and refresh_token. It was
// the default before keys were matched by word; the default is now
// [DefaultRedactedKeyWords], which covers every key in this list.
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
	level       slog.Leveler
	redactKeys  []string // exact keys, case-insensitive
	redactWords []string // words a key contains, folded
	// redactSet records that an option chose the redaction rules, so the
	// default words no longer apply.
	redactSet bool
	addSource bool
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if !c.redactSet {
		c.redactWords = defaultRedactedWords
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

// WithRedactedKeys sets a list of attribute keys whose values are replaced
// by [Redacted] when the key equals one of them, ignoring case, at any
// depth, including group keys. Given alone it replaces the default, which
// matches keys by word (see [DefaultRedactedKeyWords]), with this exact
// list; with [WithRedactedKeyWords] a key matching either is redacted.
// Calling it with no keys and no WithRedactedKeyWords turns redaction off.
func WithRedactedKeys(keys ...string) Option {
	keys = slices.Clone(keys)
	return optionFunc(func(c *config) {
		c.redactKeys, c.redactSet = keys, true
	})
}

// WithRedactedKeyWords sets the words that make a key secret: a key is
// redacted when, folded to lower case without '-' and '_', it contains one
// of the words folded the same way. The default is
// [DefaultRedactedKeyWords]; this option replaces it. Use it to extend the
// default (append to DefaultRedactedKeyWords) or, with [WithRedactedKeys],
// to combine words with exact keys.
func WithRedactedKeyWords(words ...string) Option {
	words = slices.Clone(words)
	return optionFunc(func(c *config) {
		c.redactWords, c.redactSet = words, true
	})
}

// WithSource adds the caller's file and line under slog's "source" key
// when on. It applies to [NewHandler] only. The default is off.
func WithSource(on bool) Option {
	return optionFunc(func(c *config) { c.addSource = on })
}
