package docs_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// checkedGuides are the guides whose Go samples must be compiled code.
// The per-package guides (telemetry, middleware, dbsql, health,
// resilience, stack) predate this check and show fragments that refer to
// variables they do not declare; TestPackageGuideSamples lists them.
var checkedGuides = []string{
	"README.md",
	"getting-started.md",
	"reference.md",
	"configuration.md",
	"routers.md",
	"migrating.md",
	"production.md",
}

// compiledSources hold the code that the samples are taken from.
var compiledSources = []string{
	"examples_test.go",
	"../examples/quickstart/main.go",
}

// notCompiled marks a sample that needs a module vigil does not depend on
// (chi, gorilla/mux). Its first line must say which one, and the guide
// must show a compiled equivalent.
const notCompiled = "// not compiled: needs "

// sample is one fenced Go block of a guide.
type sample struct {
	file  string
	line  int // of the opening fence
	lines []string
}

// TestSamplesAreCompiled fails when a Go sample of a checked guide is not,
// line for line, part of a compiled source: a sample edited in the
// Markdown but not in examples_test.go fails here.
func TestSamplesAreCompiled(t *testing.T) {
	code := compiledLines(t)
	for _, name := range checkedGuides {
		for _, s := range goSamples(t, name) {
			if len(s.lines) == 0 {
				t.Errorf("%s:%d: empty Go sample", s.file, s.line)
				continue
			}
			if strings.HasPrefix(s.lines[0], notCompiled) {
				continue
			}
			if !containsRun(code, s.lines) {
				t.Errorf("%s:%d: Go sample is not in %v; first line: %q",
					s.file, s.line, compiledSources, s.lines[0])
			}
		}
	}
}

// TestGuidesHaveSamples guards the check itself: the extraction must find
// the samples the guides are known to contain.
func TestGuidesHaveSamples(t *testing.T) {
	for _, name := range []string{"getting-started.md", "routers.md",
		"migrating.md", "production.md", "configuration.md"} {
		if len(goSamples(t, name)) == 0 {
			t.Errorf("%s: no Go sample found", name)
		}
	}
}

// TestPackageGuideSamples reports, without failing, which samples of the
// other guides are not compiled code (run with -v to see them).
func TestPackageGuideSamples(t *testing.T) {
	code := compiledLines(t)
	checked := map[string]bool{}
	for _, name := range checkedGuides {
		checked[name] = true
	}
	guides, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range guides {
		if checked[name] {
			continue
		}
		for _, s := range goSamples(t, name) {
			if !containsRun(code, s.lines) {
				t.Logf("%s:%d: not compiled: %q", s.file, s.line, first(s.lines))
			}
		}
	}
}

// TestLinksResolve checks that every relative link of the checked guides
// points at a file that exists.
func TestLinksResolve(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)#]+)(#[^)]*)?\)`)
	for _, name := range checkedGuides {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(prose(string(data)), -1) {
			target := m[1]
			if strings.Contains(target, "://") {
				continue
			}
			if _, err := os.Stat(target); err != nil {
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

// containsRun reports whether want appears as consecutive lines of one of
// the sources.
func containsRun(sources [][]string, want []string) bool {
	for _, src := range sources {
		for i := 0; i+len(want) <= len(src); i++ {
			if equal(src[i:i+len(want)], want) {
				return true
			}
		}
	}
	return false
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func first(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}
