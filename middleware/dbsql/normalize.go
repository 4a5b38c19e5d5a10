package dbsql

import "strings"

// Query normalization turns SQL text into a shape that is safe to export
// and stable across argument values: literals become "?", comments go,
// runs of whitespace become one space and IN lists of literals or
// placeholders collapse to "IN (?)". The input is untrusted (it may carry
// user data inlined by the application), so the scanner never fails: an
// unterminated literal or comment simply runs to the end of the text.

// tokenKind classifies one lexical token of SQL text.
type tokenKind uint8

const (
	tokWord        tokenKind = iota // keyword or bare identifier
	tokQuotedIdent                  // "name" or `name`
	tokLiteral                      // string, number or dollar-quoted text
	tokParam                        // ?, $1
	tokPunct                        // any other single byte
)

// token is one lexical token; space reports whether whitespace or a comment
// preceded it in the source.
type token struct {
	kind  tokenKind
	text  string
	space bool
}

// statement is what normalization learns about one SQL text.
type statement struct {
	text       string // normalized text
	operation  string // upper-case SQL verb, "" when none was found
	collection string // first table named by the statement, or ""
}

// Summary returns "OPERATION collection", the operation alone, or "".
func (s statement) summary() string {
	if s.collection == "" {
		return s.operation
	}
	return s.operation + " " + s.collection
}

// parseStatement normalizes query and reads its operation and collection.
func parseStatement(query string) statement {
	toks := collapseInLists(tokenize(query))
	return statement{
		text:       render(toks),
		operation:  operationOf(toks),
		collection: collectionOf(toks),
	}
}

// normalize returns the normalized form of query.
func normalize(query string) string {
	return render(collapseInLists(tokenize(query)))
}

func tokenize(q string) []token {
	var toks []token
	space := false
	for i := 0; i < len(q); {
		c := q[i]
		var t token
		next := i + 1
		switch {
		case isSpace(c):
			space = true
			i++
			continue
		case c == '-' && at(q, i+1) == '-':
			i = skipLine(q, i)
			space = true
			continue
		case c == '/' && at(q, i+1) == '*':
			i = skipBlock(q, i)
			space = true
			continue
		case c == '\'':
			next = skipString(q, i, false)
			t = token{kind: tokLiteral, text: "?"}
		case c == '"' || c == '`':
			next = skipString(q, i, false)
			// An unterminated identifier runs to the end; drop its
			// trailing space like any other.
			text := strings.TrimRight(q[i:next], " \t\n\r\f\v")
			t = token{kind: tokQuotedIdent, text: text}
		case c == '$':
			next, t = scanDollar(q, i)
		case c == '?':
			t = token{kind: tokParam, text: "?"}
		case isDigit(c) || (c == '.' && isDigit(at(q, i+1))):
			next = skipNumber(q, i)
			t = token{kind: tokLiteral, text: "?"}
		case isIdentStart(c):
			next, t = scanWord(q, i)
		default:
			t = token{kind: tokPunct, text: q[i : i+1]}
		}
		t.space = space && len(toks) > 0
		space = false
		toks = append(toks, t)
		i = next
	}
	return toks
}

// scanWord reads an identifier or keyword at q[i], or a prefixed string
// literal such as E'...', X'...', N'...' or B'...'.
func scanWord(q string, i int) (int, token) {
	j := i
	for j < len(q) && isIdentPart(q[j]) {
		j++
	}
	if j == i+1 && at(q, j) == '\'' && strings.IndexByte("eExXnNbB", q[i]) >= 0 {
		escapes := q[i] == 'e' || q[i] == 'E'
		return skipString(q, j, escapes), token{kind: tokLiteral, text: "?"}
	}
	return j, token{kind: tokWord, text: q[i:j]}
}

// scanDollar reads a positional parameter ($1) or a dollar-quoted string
// ($$...$$, $tag$...$tag$) at q[i]; a lone "$" is punctuation.
func scanDollar(q string, i int) (int, token) {
	j := i + 1
	if isDigit(at(q, j)) {
		for j < len(q) && isDigit(q[j]) {
			j++
		}
		return j, token{kind: tokParam, text: q[i:j]}
	}
	for j < len(q) && isIdentPart(q[j]) && q[j] != '$' {
		j++
	}
	if at(q, j) != '$' {
		return i + 1, token{kind: tokPunct, text: "$"}
	}
	tag := q[i : j+1]
	end := strings.Index(q[j+1:], tag)
	if end < 0 {
		return len(q), token{kind: tokLiteral, text: "?"}
	}
	return j + 1 + end + len(tag), token{kind: tokLiteral, text: "?"}
}

// skipString returns the index after the quoted text starting at q[i],
// where a doubled quote stands for itself and, with escapes, a backslash
// escapes the next byte.
func skipString(q string, i int, escapes bool) int {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		switch {
		case escapes && q[j] == '\\':
			j++
		case q[j] == quote && at(q, j+1) == quote:
			j++
		case q[j] == quote:
			return j + 1
		}
	}
	return len(q)
}

func skipLine(q string, i int) int {
	if n := strings.IndexByte(q[i:], '\n'); n >= 0 {
		return i + n + 1
	}
	return len(q)
}

func skipBlock(q string, i int) int {
	if n := strings.Index(q[i+2:], "*/"); n >= 0 {
		return i + 2 + n + 2
	}
	return len(q)
}

// skipNumber reads a decimal, float or hexadecimal number at q[i].
func skipNumber(q string, i int) int {
	j := i
	if q[j] == '0' && (at(q, j+1) == 'x' || at(q, j+1) == 'X') {
		j += 2
		for j < len(q) && isHex(q[j]) {
			j++
		}
		return j
	}
	for j < len(q) && (isDigit(q[j]) || q[j] == '.') {
		j++
	}
	if c := at(q, j); c == 'e' || c == 'E' {
		k := j + 1
		if c := at(q, k); c == '+' || c == '-' {
			k++
		}
		if isDigit(at(q, k)) {
			for j = k; j < len(q) && isDigit(q[j]); j++ {
			}
		}
	}
	return j
}

// collapseInLists rewrites IN (a, b, c) to IN (?) when every element is a
// literal or a parameter, so that lists of different lengths share a shape.
func collapseInLists(toks []token) []token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		out = append(out, toks[i])
		if !isWord(toks[i], "IN") {
			continue
		}
		if end := valueListEnd(toks, i+1); end > 0 {
			open, close := toks[i+1], toks[end]
			close.space = false
			out = append(out, open, token{kind: tokParam, text: "?"}, close)
			i = end
		}
	}
	return out
}

// valueListEnd returns the index of the ")" closing a list of values that
// starts with "(" at toks[i], or 0 when toks[i:] is not such a list.
func valueListEnd(toks []token, i int) int {
	if i >= len(toks) || toks[i].text != "(" {
		return 0
	}
	for j := i + 1; j < len(toks); j += 2 {
		if k := toks[j].kind; k != tokLiteral && k != tokParam {
			return 0
		}
		switch next := at2(toks, j+1); next {
		case ")":
			return j + 1
		case ",":
		default:
			return 0
		}
	}
	return 0
}

func at2(toks []token, i int) string {
	if i < len(toks) && toks[i].kind == tokPunct {
		return toks[i].text
	}
	return ""
}

func render(toks []token) string {
	n := 0
	for _, t := range toks {
		n += len(t.text) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, t := range toks {
		if t.space {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// maxNameLen bounds operation and collection names, which become span
// names and metric attributes.
const maxNameLen = 64

// operationOf returns the statement's SQL verb in upper case. For WITH it
// returns the verb of the main statement after the common table
// expressions.
func operationOf(toks []token) string {
	i := firstWord(toks)
	if i < 0 {
		return ""
	}
	op := strings.ToUpper(toks[i].text)
	if op == "WITH" {
		if j := mainVerb(toks, i+1); j >= 0 {
			op = strings.ToUpper(toks[j].text)
		}
	}
	if len(op) > maxNameLen {
		return ""
	}
	return op
}

func firstWord(toks []token) int {
	for i, t := range toks {
		switch t.kind {
		case tokWord:
			return i
		case tokPunct:
			if t.text == "(" {
				continue
			}
		}
		return -1
	}
	return -1
}

// mainVerb finds the first DML verb at parenthesis depth zero.
func mainVerb(toks []token, from int) int {
	depth := 0
	for i := from; i < len(toks); i++ {
		switch t := toks[i]; {
		case t.text == "(":
			depth++
		case t.text == ")":
			depth--
		case depth == 0 && t.kind == tokWord && isDMLVerb(t.text):
			return i
		}
	}
	return -1
}

func isDMLVerb(w string) bool {
	for _, v := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE"} {
		if strings.EqualFold(w, v) {
			return true
		}
	}
	return false
}

// collectionOf returns the first table the statement names: after FROM
// for SELECT and DELETE, after INTO for INSERT, REPLACE and MERGE, the
// next name for UPDATE, and after TABLE for DDL.
func collectionOf(toks []token) string {
	op := operationOf(toks)
	start := firstWord(toks)
	if op == "" || start < 0 {
		return ""
	}
	var after string
	switch op {
	case "SELECT", "DELETE":
		after = "FROM"
	case "INSERT", "REPLACE", "MERGE":
		after = "INTO"
	case "UPDATE":
		if !isWord(toks[start], "WITH") {
			return nameAt(toks, start+1, false)
		}
		after = "UPDATE"
	case "CREATE", "ALTER", "DROP", "TRUNCATE":
		after = "TABLE"
	default:
		return ""
	}
	for i := start; i < len(toks); i++ {
		if isWord(toks[i], after) {
			if name := nameAt(toks, skipTableModifiers(toks, i+1), after == "FROM"); name != "" {
				return name
			}
		}
	}
	return ""
}

// skipTableModifiers skips IF [NOT] EXISTS and ONLY before a table name.
func skipTableModifiers(toks []token, i int) int {
	for i < len(toks) && (isWord(toks[i], "IF") || isWord(toks[i], "NOT") ||
		isWord(toks[i], "EXISTS") || isWord(toks[i], "ONLY")) {
		i++
	}
	return i
}

// nameAt reads a possibly qualified name (schema.table) at toks[i], with
// identifier quotes removed. After FROM (fromList), a name followed by "("
// is a function call (FROM generate_series(...)), not a table, and yields
// ""; after INTO or TABLE the parenthesis opens a column list.
func nameAt(toks []token, i int, fromList bool) string {
	var b strings.Builder
	for ; i < len(toks); i += 2 {
		t := toks[i]
		switch t.kind {
		case tokWord:
			b.WriteString(t.text)
		case tokQuotedIdent:
			b.WriteString(strings.Trim(t.text, "\"`"))
		default:
			return limitName(b.String())
		}
		if fromList && i+1 < len(toks) && toks[i+1].text == "(" && toks[i+1].kind == tokPunct {
			return ""
		}
		if i+1 >= len(toks) || toks[i+1].text != "." || toks[i+1].space {
			break
		}
		b.WriteByte('.')
	}
	return limitName(b.String())
}

func limitName(s string) string {
	if len(s) > maxNameLen {
		return ""
	}
	return s
}

func isWord(t token, w string) bool {
	return t.kind == tokWord && strings.EqualFold(t.text, w)
}

func at(q string, i int) byte {
	if i < len(q) {
		return q[i]
	}
	return 0
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }
