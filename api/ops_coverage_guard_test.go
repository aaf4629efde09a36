package api

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// Every operation in stsOperations and iamOperations is exercised through
// the protocol by some test above the store: an api test sending it with the
// harness (sts("X", …), iamForm("X", …), a table row []string{"X", …}) or
// decoding it with the SDK, or an e2e test calling it with aws-sdk-go-v2
// (c.X(ctx, &iam.XInput{…})) or a command line client (aws iam x-y …). A new
// operation without such a test fails here, and the message names it.
func TestOperations_EveryOneHasAProtocolTest(t *testing.T) {
	sources := testSources(t, ".", filepath.Join("..", "e2e"))
	if len(sources) < 10 {
		t.Fatalf("found only %d test files; is the working directory the api package?", len(sources))
	}
	var names []string
	for _, op := range append(append([]*operation{}, stsOperations...), iamOperations...) {
		names = append(names, op.name)
	}
	if missing := untestedOperations(names, sources); len(missing) > 0 {
		t.Errorf("%d operations have no protocol-level test (in api/*_test.go with the harness or the SDK, or in e2e/*_test.go):\n\t%s",
			len(missing), strings.Join(missing, "\n\t"))
	}
}

// The check itself can fail: an operation that no source mentions as a
// request is reported, and mentions that are not requests (a policy's
// "iam:X" action, an audit count, a comment) do not count.
func TestOperations_UntestedOperationsReports(t *testing.T) {
	names := []string{"FrobnicateWidget", "ListWidgets", "ResetOpenIDWidget", "DeleteWidget", "TagWidget", "UntagWidget", "GetWidgetPolicy"}
	sources := map[string]string{
		"a_test.go": `r := h.do(root, iamForm("ListWidgets", "MaxItems", "1"))
			// DeleteWidget is tested elsewhere
			doc := ` + "`" + `{"Action":"iam:FrobnicateWidget"}` + "`" + `
			counts := map[string]int{"DeleteWidget": 2}
			{"fail/tag", []string{"TagWidget", "WidgetArn", arn}, 400}
			for _, o := range []struct{ kind, get string }{
				{"Widget", "GetWidgetPolicy"},
			}`,
		"b_test.go": `_, err := c.UntagWidget(ctx, &iam.UntagWidgetInput{})
			run(t, "aws", "iam", "reset-open-id-widget", "--name", "x")`,
	}
	got := untestedOperations(names, sources)
	if want := []string{"DeleteWidget", "FrobnicateWidget"}; !slices.Equal(got, want) {
		t.Fatalf("untestedOperations = %q, want %q", got, want)
	}
	if got := kebab("GetOpenIDConnectProvider") + " " + kebab("ListSAMLProviders"); got != "get-open-id-connect-provider list-saml-providers" {
		t.Fatalf("kebab = %q", got)
	}
	if got := untestedOperations(names, nil); len(got) != len(names) {
		t.Fatalf("with no sources, untestedOperations = %q, want every name", got)
	}
}

// untestedOperations returns, sorted, the names that no source sends as a
// request.
func untestedOperations(names []string, sources map[string]string) []string {
	var missing []string
	for _, name := range names {
		q := regexp.QuoteMeta(name)
		re := regexp.MustCompile(`(?m)` +
			// The harness: sts("X", iamForm("X", do("X" and table rows
			// ([]string{"X", …} or a row of a struct table that names the
			// action in a field, like {"User", …, "GetUserPolicy", …}).
			`\b(sts|iamForm|do)\(\s*"` + q + `"` + `|\[\]string\{\s*"` + q + `"` + `|^\s*\{?"[^"\n]*",.*[ \t]"` + q + `"[,}]` +
			// aws-sdk-go-v2: c.X(ctx, &iam.XInput{.
			`|\.` + q + `\(\s*[a-zA-Z.()]+,\s*&\w+\.` + q + `Input\{` +
			// The AWS CLI: "x-y".
			`|"` + regexp.QuoteMeta(kebab(name)) + `"`)
		found := false
		for _, src := range sources {
			if re.MatchString(src) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	return missing
}

// kebab is the AWS CLI's name of an operation: GetOpenIDConnectProvider is
// get-open-id-connect-provider, ListSAMLProviders list-saml-providers.
func kebab(name string) string {
	var b strings.Builder
	r := []rune(name)
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// testSources reads the *_test.go files of dirs, except this one.
func testSources(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if filepath.Base(f) == "ops_coverage_guard_test.go" {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(b)
		}
	}
	return out
}
