package api

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/opensts/opensts"
)

// authorizedAs names the action an operation is authorized as, where it is
// not the service's own prefix and the operation's name.
var authorizedAs = map[string]string{"sts:AuthorizeRequest": "opensts:AuthorizeRequest"}

// TestConditionKeys_Documented: docs/compatibility.md lists, for every
// action OpenSTS serves (and sts:TagSession, which GetFederationToken
// authorizes), exactly the condition keys of opensts.ActionKeys.
func TestConditionKeys_Documented(t *testing.T) {
	want := map[string]string{}
	add := func(action string) {
		names := opensts.ActionKeys(action).Names()
		for i, n := range names {
			names[i] = "`" + n + "`"
		}
		if len(names) == 0 {
			names = []string{"—"}
		}
		want[action] = strings.Join(names, ", ")
	}
	for _, svc := range []*service{iamService, stsService} {
		for name := range svc.ops {
			action := svc.name + ":" + name
			if a, ok := authorizedAs[action]; ok {
				action = a
			}
			add(action)
		}
	}
	for _, action := range opensts.KeyedActions() {
		add(action)
	}

	doc, err := os.ReadFile("../docs/compatibility.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Condition keys per action")
	if !ok {
		t.Fatal("docs/compatibility.md has no condition-key section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	got := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) != 2 || !strings.HasPrefix(cells[0], "| `") {
			continue
		}
		got[strings.Trim(cells[0], "| `")] = strings.TrimSuffix(cells[1], " |")
	}
	for _, action := range slices.Sorted(maps.Keys(want)) {
		if got[action] != want[action] {
			t.Errorf("%s: documented %q, the table has %q", action, got[action], want[action])
		}
	}
	for action := range got {
		if _, ok := want[action]; !ok {
			t.Errorf("%s is documented but neither served nor keyed", action)
		}
	}
}
