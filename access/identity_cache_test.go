package access

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opensts/opensts"
)

// countingPolicies counts IdentityPolicies reads and can run a hook in the
// middle of one, to play an IAM change racing with the read.
type countingPolicies struct {
	memPolicies
	reads  atomic.Int32
	during func()
}

func (c *countingPolicies) IdentityPolicies(ctx context.Context, acct string, o opensts.Owner) (opensts.IdentityPolicies, error) {
	c.reads.Add(1)
	if c.during != nil {
		c.during()
	}
	return c.memPolicies.IdentityPolicies(ctx, acct, o)
}

func TestIdentityCache(t *testing.T) {
	doc := opensts.IdentityPolicies{Documents: []opensts.PolicyDocument{{Source: opensts.SourceUserInline, ID: "s3", Document: allow("s3:*", "*")}}}
	alice := opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDAALICE"}
	bob := opensts.Owner{Kind: opensts.OwnerUser, ID: "AIDABOB"}
	ctx := context.Background()
	read := func(t *testing.T, a *Authorizer, o opensts.Owner) {
		t.Helper()
		in, err := a.IdentityInput(ctx, acct, o)
		if err != nil || len(in.Identity) != 1 {
			t.Fatalf("IdentityInput = %+v, %v", in, err)
		}
	}
	newAuthorizer := func(t *testing.T, ttl time.Duration) (*Authorizer, *countingPolicies) {
		store := &countingPolicies{memPolicies: memPolicies{identity: doc}}
		a, err := NewAuthorizer(AuthorizerConfig{Store: store, IdentityTTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		return a, store
	}

	cases := []struct {
		name  string
		ttl   time.Duration
		steps func(a *Authorizer, s *countingPolicies)
		reads int32
	}{
		{"reused within the TTL, per owner", time.Minute, func(a *Authorizer, _ *countingPolicies) {
			read(t, a, alice)
			read(t, a, alice)
			read(t, a, bob)
			read(t, a, bob)
		}, 2},
		{"Invalidate forgets", time.Minute, func(a *Authorizer, _ *countingPolicies) {
			read(t, a, alice)
			a.Invalidate()
			read(t, a, alice)
			read(t, a, alice)
		}, 2},
		{"expired after the TTL", time.Millisecond, func(a *Authorizer, _ *countingPolicies) {
			read(t, a, alice)
			time.Sleep(5 * time.Millisecond)
			read(t, a, alice)
		}, 2},
		{"negative TTL: no cache", -1, func(a *Authorizer, _ *countingPolicies) {
			read(t, a, alice)
			read(t, a, alice)
		}, 2},
		// A change invalidating while a read is in flight: what that read
		// returns may predate the change, so it is not kept.
		{"a read that raced with a change is not kept", time.Minute, func(a *Authorizer, s *countingPolicies) {
			s.during = a.Invalidate
			read(t, a, alice)
			s.during = nil
			read(t, a, alice)
			read(t, a, alice)
		}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, s := newAuthorizer(t, tc.ttl)
			tc.steps(a, s)
			if got := s.reads.Load(); got != tc.reads {
				t.Errorf("store reads = %d, want %d", got, tc.reads)
			}
		})
	}

	// Appending to a cached input (the simulator does) leaves the cache alone.
	a, _ := newAuthorizer(t, time.Minute)
	in, _ := a.IdentityInput(ctx, acct, alice)
	_ = append(in.Identity, in.Identity[0])
	again, _ := a.IdentityInput(ctx, acct, alice)
	if len(again.Identity) != 1 || cap(again.Identity) != 1 {
		t.Errorf("cached input changed: %d policies, capacity %d", len(again.Identity), cap(again.Identity))
	}
}

type countingRoles struct{ reads atomic.Int32 }

func (c *countingRoles) GetRole(_ context.Context, acct, name string) (opensts.Role, error) {
	c.reads.Add(1)
	if name == "missing" {
		return opensts.Role{}, opensts.ErrNotFound
	}
	return opensts.Role{AccountID: acct, Name: name, ID: "AROA" + name}, nil
}

// GetRole shares the cache's rules: reused by name (any case), forgotten
// on Invalidate, and a missing role is read again every time.
func TestRoleCache(t *testing.T) {
	roles := &countingRoles{}
	a, err := NewAuthorizer(AuthorizerConfig{Store: memPolicies{}, Roles: roles, IdentityTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{"Deploy", "deploy", "Deploy"} {
		if r, err := a.GetRole(ctx, acct, name); err != nil || r.ID != "AROADeploy" {
			t.Fatalf("GetRole(%s) = %+v, %v", name, r, err)
		}
	}
	a.Invalidate()
	a.GetRole(ctx, acct, "Deploy")
	for range 2 {
		if _, err := a.GetRole(ctx, acct, "missing"); err == nil {
			t.Fatal("GetRole of a missing role succeeded")
		}
	}
	if got := roles.reads.Load(); got != 4 {
		t.Errorf("store reads = %d, want 4 (one, one after Invalidate, two of the missing role)", got)
	}
	if _, err := (&Authorizer{}).GetRole(ctx, acct, "Deploy"); err == nil {
		t.Error("GetRole without Roles succeeded")
	}
}
