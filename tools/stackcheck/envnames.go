package stackcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// StringLiterals returns the string literals of the non-test Go files
// under root, skipping the directories for which skip returns true.
func StringLiterals(root string, skip func(dir string) bool) (map[string]bool, error) {
	lits := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || skip(path)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				if s, err := strconv.Unquote(bl.Value); err == nil {
					lits[s] = true
				}
			}
			return true
		})
		return nil
	})
	return lits, err
}

// ReadsName reports whether a program whose string literals are lits can
// read the environment variable name: some literal is the name, or a
// literal prefix and a literal rest join into it (as in
// os.Getenv("VIGIL_CHAOS_" + key)).
func ReadsName(lits map[string]bool, name string) bool {
	if lits[name] {
		return true
	}
	for i := 1; i < len(name); i++ {
		if lits[name[:i]] && lits[name[i:]] {
			return true
		}
	}
	return false
}
