package certs

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the non-test code of certs and certstest on the
// standard library, and HTTP out of both (doc.go).
func TestImports(t *testing.T) {
	for _, dir := range []string{".", "certstest"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		checked := 0
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
					t.Errorf("fail/%s imports %s: only the standard library is allowed", name, path)
				}
				if strings.HasPrefix(path, "net/http") {
					t.Errorf("fail/%s imports %s: the server wiring belongs to cmd", name, path)
				}
			}
			checked++
		}
		if checked == 0 {
			t.Fatalf("no source files found in %s", dir)
		}
	}
}
