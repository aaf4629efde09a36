package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/opensts/opensts"
)

// test is one subtest: it gets a fresh, empty store.
type test struct {
	name string
	run  func(t *testing.T, s opensts.Store)
}

// suite lists every subtest by entity.
var suite = []struct {
	name  string
	tests []test
}{
	{"Accounts", accountTests},
	{"Users", userTests},
	{"Groups", groupTests},
	{"Roles", roleTests},
	{"OIDCProviders", oidcProviderTests},
	{"SAMLProviders", samlProviderTests},
	{"AccessKeys", accessKeyTests},
	{"MFADevices", mfaTests},
	{"Policies", policyTests},
	{"InlinePolicies", inlinePolicyTests},
	{"Attachments", attachmentTests},
	{"AWSManagedPolicies", awsPolicyTests},
	{"IdentityPolicies", identityPolicyTests},
	{"KeyRing", keyRingTests},
	{"SigningKeys", signingKeyTests},
	{"OutboundFederation", outboundFederationTests},
	{"Store", storeTests},
}

// Run runs the conformance suite. newStore must return a fresh, empty store
// for every call and arrange its own Close (and any cleanup) with t.Cleanup;
// subtests never share a store and never depend on each other's order.
func Run(t *testing.T, newStore func(t *testing.T) opensts.Store) {
	for _, g := range suite {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, newStore(t))
				})
			}
		})
	}
}

var storeTests = []test{
	{"Ping", func(t *testing.T, s opensts.Store) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	}},
}

// noLimit is a quota no subtest reaches.
const noLimit = 1 << 30

// zone is the non-UTC location of every fixture time: a store must return
// the same instant, in UTC.
var zone = time.FixedZone("UTC+05:30", 5*3600+30*60)

// at returns a fixture time sec seconds after a fixed instant. Its 789 ns
// below the microsecond may be dropped (truncated or rounded) by the store;
// anything coarser fails the comparison.
func at(sec int) time.Time {
	return time.Date(2024, 3, 1, 12, 0, 0, 123456789, zone).Add(time.Duration(sec) * time.Second)
}

// cmpOpts compares store values: nil and empty slices are equal, and times
// are equal when they are the same instant to the microsecond (the location
// does not matter here; checkUTC checks it).
var cmpOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b time.Time) bool {
		d := a.Sub(b)
		if d < 0 {
			d = -d
		}
		return d < time.Microsecond
	}),
}

// diff fails t when got differs from want.
func diff(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
	checkUTC(t, what, got)
}

// checkUTC fails t for every non-zero time.Time in v whose location is not
// time.UTC.
func checkUTC(t testing.TB, what string, v any) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if !v.IsValid() {
			return
		}
		if v.Type() == reflect.TypeFor[time.Time]() {
			if !v.CanInterface() {
				return
			}
			if tm := v.Interface().(time.Time); !tm.IsZero() && tm.Location() != time.UTC {
				t.Errorf("%s%s = %v: location %q, want UTC", what, path, tm, tm.Location())
			}
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(path+"."+v.Type().Field(i).Name, v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		}
	}
	walk("", reflect.ValueOf(v))
}

// must fails t now when err is not nil.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantErr fails t unless errors.Is(err, target).
func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// wantConflict fails t unless err is a *DeleteConflictError naming dep that
// also matches ErrDeleteConflict.
func wantConflict(t testing.TB, what string, err error, dep opensts.Dependent) {
	t.Helper()
	var dc *opensts.DeleteConflictError
	if !errors.As(err, &dc) {
		t.Errorf("%s: error %v, want *DeleteConflictError(%s)", what, err, dep)
		return
	}
	if dc.Dependent != dep {
		t.Errorf("%s: conflict over %q, want %q", what, dc.Dependent, dep)
	}
	if !errors.Is(err, opensts.ErrDeleteConflict) {
		t.Errorf("%s: %v does not match ErrDeleteConflict", what, err)
	}
}

// errStop is what updater functions return to abort.
var errStop = errors.New("updater aborts")

// lowerLess orders names case-folded, byte by byte: the listing order.
func lowerLess(a, b string) bool { return strings.ToLower(a) < strings.ToLower(b) }

// collect pages through a listing with MaxItems max, checking every page
// against the paging contract, and returns all items in order.
func collect[T any](t testing.TB, what string, max int, list func(opensts.ListOptions) (opensts.Page[T], error), base opensts.ListOptions) []T {
	t.Helper()
	opt := base
	opt.MaxItems = max
	var all []T
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatalf("%s: listing does not end", what)
		}
		p, err := list(opt)
		if err != nil {
			t.Fatalf("%s: page %d: %v", what, pages, err)
		}
		if len(p.Items) > opt.Limit() {
			t.Fatalf("%s: page %d has %d items, MaxItems %d", what, pages, len(p.Items), opt.Limit())
		}
		if pages > 0 && len(p.Items) == 0 {
			t.Fatalf("%s: page %d is empty after a non-empty marker", what, pages)
		}
		all = append(all, p.Items...)
		if p.Marker == "" {
			return all
		}
		if p.Marker == opt.Marker {
			t.Fatalf("%s: page %d returns its own marker %q", what, pages, p.Marker)
		}
		opt.Marker = p.Marker
	}
}

// checkPaging lists with several page sizes and compares each result with want.
func checkPaging[T any](t testing.TB, what string, want []T, list func(opensts.ListOptions) (opensts.Page[T], error), base opensts.ListOptions) {
	t.Helper()
	sizes := []int{0, 1, 2, 3, 7}
	if n := len(want); n > 1 {
		sizes = append(sizes, n-1, n, n+1)
	}
	for _, max := range sizes {
		got := collect(t, what, max, list, base)
		diff(t, fmt.Sprintf("%s (MaxItems %d)", what, max), want, got)
	}
}
