package iam

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/opensts/opensts"
)

// ---- ListEntitiesForPolicy ----

// ListEntitiesInput mirrors IAM ListEntitiesForPolicy.
type ListEntitiesInput struct {
	PolicyRef
	EntityFilter      *string
	PathPrefix        *string
	PolicyUsageFilter *string
	ListInput
}

// kindOrder is the order of ListEntitiesForPolicy's listing, which pages
// through groups, then users, then roles, each by case-folded name.
var kindOrder = map[opensts.OwnerKind]string{opensts.OwnerGroup: "1", opensts.OwnerUser: "2", opensts.OwnerRole: "3"}

// ListEntitiesForPolicy lists the groups, users and roles of the account
// that use a managed policy: attached to them (PolicyUsageFilter
// PermissionsPolicy), as their permissions boundary (PermissionsBoundary),
// or either (no filter). EntityFilter keeps one kind; its values
// LocalManagedPolicy and AWSManagedPolicy name no entity that can use a
// policy, so nothing matches them. PathPrefix filters on the entities'
// paths.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, caller *opensts.Principal, in ListEntitiesInput) (opensts.Page[opensts.PolicyEntity], error) {
	var page opensts.Page[opensts.PolicyEntity]
	p, err := s.managedFor(ctx, caller, in.PolicyRef, "ListEntitiesForPolicy", func(v *opensts.ValidationError) {
		v.CheckEnum("entityFilter", in.EntityFilter, false, "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
		v.CheckString("pathPrefix", in.PathPrefix, rulePathPrefix)
		v.CheckEnum("policyUsageFilter", in.PolicyUsageFilter, false, "PermissionsPolicy", "PermissionsBoundary")
		in.ListInput.validate(v)
	})
	if err != nil {
		return page, err
	}
	es, err := s.cfg.Store.PolicyEntities(ctx, caller.AccountID, p.ID, p.ARN())
	if err != nil {
		return page, fmt.Errorf("list entities for policy: %w", err)
	}
	var kind opensts.OwnerKind
	if in.EntityFilter != nil {
		kind = map[string]opensts.OwnerKind{"User": opensts.OwnerUser, "Role": opensts.OwnerRole, "Group": opensts.OwnerGroup}[*in.EntityFilter]
		if kind == "" {
			return page, nil
		}
	}
	prefix := ""
	if in.PathPrefix != nil {
		prefix = *in.PathPrefix
	}
	key := func(e opensts.PolicyEntity) string { return kindOrder[e.Kind] + strings.ToLower(e.Name) }
	kept := es[:0]
	for _, e := range es {
		if kind != "" && e.Kind != kind || !strings.HasPrefix(e.Path, prefix) {
			continue
		}
		if in.PolicyUsageFilter != nil && e.Boundary != (*in.PolicyUsageFilter == "PermissionsBoundary") {
			continue
		}
		kept = append(kept, e)
	}
	slices.SortFunc(kept, func(a, b opensts.PolicyEntity) int { return cmp.Compare(key(a), key(b)) })
	// An entity that has the policy attached and as its boundary is listed
	// once.
	kept = slices.CompactFunc(kept, func(a, b opensts.PolicyEntity) bool { return a.Kind == b.Kind && a.ID == b.ID })
	return pageOf(kept, key, in.ListInput)
}

// ---- GetAccountAuthorizationDetails ----

// EntityDetails is a user, group or role with its policies, as
// GetAccountAuthorizationDetails reports it. Exactly one of User, Group and
// Role is set.
type EntityDetails struct {
	User     *opensts.User
	Group    *opensts.Group
	Role     *opensts.Role
	Inline   []opensts.InlinePolicy
	Attached []opensts.AttachedPolicy
	Groups   []string // a user's groups, by name
}

// PolicyDetails is a managed policy with its usage counts and versions.
type PolicyDetails struct {
	Policy   opensts.ManagedPolicy
	Versions []opensts.PolicyVersion
}

// AuthorizationDetails is one page of GetAccountAuthorizationDetails.
type AuthorizationDetails struct {
	Users, Groups, Roles []EntityDetails
	Policies             []PolicyDetails
	Marker               string
}

// AuthorizationDetailsInput mirrors IAM GetAccountAuthorizationDetails.
// Filter holds each Filter.member.N; nil members were absent.
type AuthorizationDetailsInput struct {
	Filter []*string
	ListInput
}

// The sections of GetAccountAuthorizationDetails, in the order it pages
// through them. A marker is the section's letter, a dot, and the marker
// within the section ("" for its start).
var detailSections = []struct{ filter, letter string }{
	{"User", "u"}, {"Group", "g"}, {"Role", "r"}, {"LocalManagedPolicy", "l"}, {"AWSManagedPolicy", "a"},
}

// GetAccountAuthorizationDetails reports the account's users, groups and
// roles with their inline policies, attached policies, groups and
// boundaries, and its managed policies with every version: the customer
// managed policies, and the AWS managed policies that are attached to or
// bound something. MaxItems counts entries of all the lists together.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, caller *opensts.Principal, in AuthorizationDetailsInput) (AuthorizationDetails, error) {
	var out AuthorizationDetails
	var v opensts.ValidationError
	want := map[string]bool{}
	for i, f := range in.Filter {
		v.CheckEnum("filter."+fmt.Sprint(i+1)+".member", f, true, "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
		if f != nil {
			want[*f] = true
		}
	}
	in.validate(&v)
	if err := v.Err(); err != nil {
		return out, err
	}
	if err := s.authorize(ctx, caller, "GetAccountAuthorizationDetails", "*"); err != nil {
		return out, err
	}
	opt := in.options(nil)
	limit := opt.Limit()
	first, inner := 0, ""
	if opt.Marker != "" {
		letter, rest, ok := strings.Cut(opt.Marker, ".")
		first = slices.IndexFunc(detailSections, func(d struct{ filter, letter string }) bool { return d.letter == letter })
		if !ok || first < 0 {
			return out, opensts.Errorf(opensts.ErrInvalidInput, "Invalid Marker.")
		}
		inner = rest
	}
	taken := 0
	for i := first; i < len(detailSections) && out.Marker == ""; i++ {
		sec := detailSections[i]
		if len(want) > 0 && !want[sec.filter] {
			inner = ""
			continue
		}
		if taken == limit {
			out.Marker = sec.letter + "."
			break
		}
		sopt := opensts.ListOptions{Marker: inner, MaxItems: limit - taken}
		inner = ""
		n, next, err := s.detailSection(ctx, caller.AccountID, sec.letter, sopt, &out)
		if err != nil {
			return AuthorizationDetails{}, err
		}
		taken += n
		if next != "" {
			out.Marker = sec.letter + "." + next
		}
	}
	return out, nil
}

// detailSection adds one page of a section to out: how many entries, and
// the marker within the section when it goes on.
func (s *Service) detailSection(ctx context.Context, accountID, letter string, opt opensts.ListOptions, out *AuthorizationDetails) (int, string, error) {
	st := s.cfg.Store
	switch letter {
	case "u":
		page, err := st.ListUsers(ctx, accountID, opt)
		if err != nil {
			return 0, "", listError(err)
		}
		for _, u := range page.Items {
			d := EntityDetails{User: &u}
			if err := s.entityPolicies(ctx, accountID, opensts.Owner{Kind: opensts.OwnerUser, ID: u.ID}, &d); err != nil {
				return 0, "", err
			}
			groups, err := allPages(func(o opensts.ListOptions) (opensts.Page[opensts.Group], error) {
				return st.ListGroupsForUser(ctx, accountID, u.ID, o)
			})
			if err != nil {
				return 0, "", fmt.Errorf("groups of user %s: %w", u.Name, err)
			}
			for _, g := range groups {
				d.Groups = append(d.Groups, g.Name)
			}
			out.Users = append(out.Users, d)
		}
		return len(page.Items), page.Marker, nil
	case "g":
		page, err := st.ListGroups(ctx, accountID, opt)
		if err != nil {
			return 0, "", listError(err)
		}
		for _, g := range page.Items {
			d := EntityDetails{Group: &g}
			if err := s.entityPolicies(ctx, accountID, opensts.Owner{Kind: opensts.OwnerGroup, ID: g.ID}, &d); err != nil {
				return 0, "", err
			}
			out.Groups = append(out.Groups, d)
		}
		return len(page.Items), page.Marker, nil
	case "r":
		page, err := st.ListRoles(ctx, accountID, opt)
		if err != nil {
			return 0, "", listError(err)
		}
		for _, r := range page.Items {
			d := EntityDetails{Role: &r}
			if err := s.entityPolicies(ctx, accountID, opensts.Owner{Kind: opensts.OwnerRole, ID: r.ID}, &d); err != nil {
				return 0, "", err
			}
			out.Roles = append(out.Roles, d)
		}
		return len(page.Items), page.Marker, nil
	case "l":
		page, err := st.ListPolicies(ctx, accountID, false, opt)
		if err != nil {
			return 0, "", listError(err)
		}
		for _, p := range page.Items {
			es, err := st.PolicyEntities(ctx, accountID, p.ID, p.ARN())
			if err != nil {
				return 0, "", fmt.Errorf("policy %s: %w", p.Name, err)
			}
			p.AttachmentCount, p.BoundaryUsageCount = usageCounts(es)
			vs, err := st.ListPolicyVersions(ctx, accountID, p.ID)
			if err != nil {
				return 0, "", fmt.Errorf("versions of policy %s: %w", p.Name, err)
			}
			out.Policies = append(out.Policies, PolicyDetails{Policy: p, Versions: vs})
		}
		return len(page.Items), page.Marker, nil
	default: // "a": the AWS managed policies in use, few enough for one page
		all, err := s.awsPolicies(ctx, accountID, "", false)
		if err != nil {
			return 0, "", err
		}
		var used []opensts.ManagedPolicy
		for _, p := range all {
			if p.AttachmentCount+p.BoundaryUsageCount > 0 {
				used = append(used, p)
			}
		}
		page, err := pageItems(used, func(p opensts.ManagedPolicy) string { return p.Name }, opt)
		if err != nil {
			return 0, "", err
		}
		for _, p := range page.Items {
			out.Policies = append(out.Policies, PolicyDetails{Policy: p, Versions: []opensts.PolicyVersion{awsVersion(p)}})
		}
		return len(page.Items), page.Marker, nil
	}
}

// entityPolicies fills in an owner's inline policies and attached policies.
func (s *Service) entityPolicies(ctx context.Context, accountID string, owner opensts.Owner, d *EntityDetails) error {
	st := s.cfg.Store
	names, err := allPages(func(o opensts.ListOptions) (opensts.Page[string], error) {
		return st.ListInlinePolicies(ctx, accountID, owner, o)
	})
	if err != nil {
		return fmt.Errorf("inline policies of %s %s: %w", owner.Kind, owner.ID, err)
	}
	for _, name := range names {
		p, err := st.GetInlinePolicy(ctx, accountID, owner, name)
		if err != nil {
			return fmt.Errorf("inline policy %s of %s %s: %w", name, owner.Kind, owner.ID, err)
		}
		d.Inline = append(d.Inline, p)
	}
	d.Attached, err = allPages(func(o opensts.ListOptions) (opensts.Page[opensts.AttachedPolicy], error) {
		return st.ListAttachedPolicies(ctx, accountID, owner, o)
	})
	if err != nil {
		return fmt.Errorf("attached policies of %s %s: %w", owner.Kind, owner.ID, err)
	}
	return nil
}

// allPages reads a listing whose length a quota bounds to its end.
func allPages[T any](list func(opensts.ListOptions) (opensts.Page[T], error)) ([]T, error) {
	var out []T
	opt := opensts.ListOptions{MaxItems: 1000}
	for {
		page, err := list(opt)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Marker == "" {
			return out, nil
		}
		opt.Marker = page.Marker
	}
}
