package opensts_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/opensts/opensts"

// rule is what one package's non-test code may import besides the standard
// library: other packages of the module (by path below the module, "" for
// the root) and third-party modules (by prefix). http forbids net/http.
type rule struct {
	module     []string
	thirdParty []string
	noHTTP     bool
	any        bool // wiring and tools: anything but cmd/
}

// layering is STYLE.md §1: the domain at the root, one package per concern
// importing only what its doc.go says, protocol vocabulary (net/http) at the
// edge, and nothing importing cmd/. A package missing from this table fails
// the test, so every new package states its place.
var layering = map[string]rule{
	"":                  {noHTTP: true},
	"atrest":            {noHTTP: true},
	"sigv4":             {},
	"token":             {noHTTP: true},
	"policy":            {noHTTP: true},
	"totp":              {noHTTP: true},
	"certs":             {noHTTP: true},
	"certs/certstest":   {noHTTP: true},
	"throttle":          {thirdParty: []string{"golang.org/x/time/rate"}, noHTTP: true},
	"audit":             {module: []string{"", "internal/jsonw"}, noHTTP: true},
	"keyring":           {module: []string{"", "atrest", "token"}, noHTTP: true},
	"jwtkeys":           {module: []string{"", "atrest"}, thirdParty: []string{"github.com/go-jose/go-jose/v4"}, noHTTP: true},
	"issuer":            {module: []string{"", "policy", "samlidentity", "token", "webidentity"}, noHTTP: true},
	"iam":               {module: []string{"", "atrest", "policy", "samlidentity", "totp"}, thirdParty: []string{"github.com/skip2/go-qrcode"}, noHTTP: true},
	"access":            {module: []string{"", "atrest", "sigv4", "token", "policy"}},
	"api":               {module: []string{"", "access", "iam", "internal/jsonw", "issuer", "policy", "sigv4", "throttle"}, thirdParty: []string{"github.com/prometheus/client_golang/"}},
	"guard":             {module: []string{"sigv4"}},
	"internal/backend":  {module: []string{""}, noHTTP: true},
	"internal/clock":    {noHTTP: true},
	"internal/jsonw":    {noHTTP: true},
	"internal/oidctest": {module: []string{"webidentity"}, thirdParty: []string{"github.com/go-jose/go-jose/v4"}},
	"internal/samltest": {thirdParty: []string{"github.com/crewjam/saml", "github.com/beevik/etree"}},
	"internal/pgtest":   {thirdParty: []string{"github.com/jackc/pgx/v5"}, noHTTP: true},
	"sqlite":            {module: []string{"", "internal/backend"}, thirdParty: []string{"modernc.org/sqlite"}, noHTTP: true},
	"postgres":          {module: []string{"", "internal/backend"}, thirdParty: []string{"github.com/jackc/pgx/v5"}, noHTTP: true},
	"storetest":         {module: []string{""}, thirdParty: []string{"github.com/google/go-cmp/"}, noHTTP: true},
	"node":              {any: true},
	"cmd/opensts":       {any: true},
	"bench/load":        {any: true},
	"examples/guarded":  {module: []string{"guard"}},
	"webidentity":       {module: []string{""}, thirdParty: []string{"github.com/go-jose/go-jose/v4", "golang.org/x/sync/singleflight"}},
	"samlidentity":      {module: []string{""}, thirdParty: []string{"github.com/russellhaering/goxmldsig", "github.com/beevik/etree"}, noHTTP: true},
	"e2e":               {any: true}, // tests only
}

func TestImportLayering(t *testing.T) {
	imports := map[string][]string{} // package dir → imports of its non-test files
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && p != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(p))
		if dir == "." {
			dir = ""
		}
		if _, seen := imports[dir]; !seen {
			imports[dir] = nil
		}
		for _, imp := range f.Imports {
			v, _ := strconv.Unquote(imp.Path.Value)
			imports[dir] = append(imports[dir], v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for dir := range imports {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		r, ok := layering[dir]
		if !ok {
			t.Errorf("package %q is not in the layering table: state what it may import", dir)
			continue
		}
		for _, imp := range imports[dir] {
			if msg := r.check(imp); msg != "" {
				t.Errorf("package %q imports %s: %s", dir, imp, msg)
			}
		}
	}
	for dir := range layering {
		if _, ok := imports[dir]; !ok {
			t.Errorf("the layering table names %q, which has no Go files", dir)
		}
	}
}

func (r rule) check(imp string) string {
	if imp == module+"/cmd" || strings.HasPrefix(imp, module+"/cmd/") {
		return "nothing imports cmd/"
	}
	if r.any {
		return ""
	}
	if imp == "net/http" && r.noHTTP {
		return "HTTP belongs to the edge (api, access, sigv4) and the wiring"
	}
	if imp == module || strings.HasPrefix(imp, module+"/") {
		rel := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
		for _, m := range r.module {
			if rel == m {
				return ""
			}
		}
		return "not among the packages it may import"
	}
	if first, _, _ := strings.Cut(imp, "/"); !strings.Contains(first, ".") {
		return "" // the standard library
	}
	for _, p := range r.thirdParty {
		if imp == p || strings.HasPrefix(imp, p) || strings.HasPrefix(imp, strings.TrimSuffix(p, "/")+"/") {
			return ""
		}
	}
	return "third-party module not allowed here"
}
