package docs_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readme is the repository's README, whose quick start is checked like the
// guides' samples.
const readme = "../README.md"

// guides returns every guide of docs/ and the repository's README: all of
// their Go samples must be compiled code.
func guides(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append(names, readme)
}

// compiledSources hold the code that the samples are taken from.
var compiledSources = []string{
	"examples_test.go",
	"../examples/quickstart/main.go",
}

// notCompiled marks a sample that needs a module vigil does not depend on
// (chi, gorilla/mux). Its first line must name the module, which go.mod
// must not require, and the guide must show a compiled equivalent.
const notCompiled = "// not compiled: needs "

// sample is one fenced Go block of a guide.
type sample struct {
	file  string
	line  int // of the opening fence
	lines []string
}

// TestSamplesAreCompiled fails when a Go sample of a guide or of the README
// is not, line for line, part of a compiled source: a sample edited in the
// Markdown but not in examples_test.go fails here.
func TestSamplesAreCompiled(t *testing.T) {
	code := compiledLines(t)
	required := requiredModules(t)
	for _, name := range guides(t) {
		for _, s := range goSamples(t, name) {
			if len(s.lines) == 0 {
				t.Errorf("%s:%d: empty Go sample", s.file, s.line)
				continue
			}
			if module, ok := strings.CutPrefix(s.lines[0], notCompiled); ok {
				if module == "" || strings.ContainsAny(module, " \t") {
					t.Errorf("%s:%d: %q must be followed by one module path",
						s.file, s.line, notCompiled)
				} else if required[module] {
					t.Errorf("%s:%d: vigil depends on %s, so the sample can be compiled",
						s.file, s.line, module)
				}
				continue
			}
			if n, ok := longestRun(code, s.lines); !ok {
				t.Errorf("%s:%d: Go sample is not in %v; its line %d differs: %q",
					s.file, s.line, compiledSources, n+1, s.lines[n])
			}
		}
	}
}

// TestGuidesHaveSamples guards the check itself: the extraction must find
// the samples the guides are known to contain.
func TestGuidesHaveSamples(t *testing.T) {
	for _, name := range []string{"getting-started.md", "routers.md",
		"migrating.md", "production.md", "configuration.md", "telemetry.md",
		"middleware.md", "dbsql.md", "health.md", "resilience.md", readme} {
		if len(goSamples(t, name)) == 0 {
			t.Errorf("%s: no Go sample found", name)
		}
	}
}

// requiredModules returns the module paths go.mod requires.
func requiredModules(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	block := false
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case block && f[0] == ")":
			block = false
		case block:
			out[f[0]] = true
		case f[0] == "require" && len(f) > 1 && f[1] == "(":
			block = true
		case f[0] == "require" && len(f) > 1:
			out[f[1]] = true
		}
	}
	if len(out) == 0 {
		t.Fatal("../go.mod: no required module found")
	}
	return out
}

// TestLinksResolve checks that every relative link of the guides and the
// README points at a file that exists.
func TestLinksResolve(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)#]+)(#[^)]*)?\)`)
	for _, name := range guides(t) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(prose(string(data)), -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(name), target)); err != nil {
				t.Errorf("%s: link to %s: %v", name, target, err)
			}
		}
	}
}

// prose returns text without its fenced code blocks, where "](x)" is
// code, not a link.
func prose(text string) string {
	var b strings.Builder
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestIndexListsEveryGuide checks that docs/README.md links every guide.
func TestIndexListsEveryGuide(t *testing.T) {
	index, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	guides, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range guides {
		if name != "README.md" && !strings.Contains(string(index), "("+name+")") {
			t.Errorf("README.md does not link %s", name)
		}
	}
}

// goSamples returns the ```go blocks of a guide, each line without its
// leading indentation and without blank lines.
func goSamples(t *testing.T, name string) []sample {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out []sample
		cur *sample
		n   int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		fence := strings.TrimSpace(line)
		switch {
		case cur == nil && fence == "```go":
			cur = &sample{file: name, line: n}
		case cur != nil && fence == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			if l := normalize(line); l != "" {
				cur.lines = append(cur.lines, l)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Errorf("%s:%d: unterminated Go sample", name, cur.line)
	}
	return out
}

// compiledLines returns the normalized, non-blank lines of each compiled
// source.
func compiledLines(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	for _, name := range compiledSources {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			if l = normalize(l); l != "" {
				lines = append(lines, l)
			}
		}
		out = append(out, lines)
	}
	return out
}

// normalize drops leading indentation and trailing space.
func normalize(line string) string {
	return strings.TrimRight(strings.TrimLeft(line, " \t"), " \t\r")
}

// longestRun looks for want as consecutive lines of one of the sources. It
// reports whether it found them and, when not, how many leading lines of
// want the best partial match had.
func longestRun(sources [][]string, want []string) (int, bool) {
	best := 0
	for _, src := range sources {
		for i := range src {
			n := 0
			for n < len(want) && i+n < len(src) && src[i+n] == want[n] {
				n++
			}
			if n == len(want) {
				return n, true
			}
			best = max(best, n)
		}
	}
	return best, false
}
