package iam

import (
	"context"
	"errors"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
)

// Role quotas (roles-spec §1.9).
const (
	MaxRolesPerAccount = 1000
	// MaxTrustPolicySize is ACLSizePerRole: a trust policy's characters
	// other than whitespace.
	MaxTrustPolicySize = 2048
	MinSessionDuration = 3600
	MaxSessionDuration = 43200
)

// Role model rules (botocore iam service-2.json).
var (
	ruleRoleName        = opensts.StringRule{Required: true, Min: 1, Max: 64, Pattern: &opensts.PatternNameNonEmpty}
	ruleRoleDescription = opensts.StringRule{Max: 1000, Pattern: &patternRoleDescription}

	patternRoleDescription = opensts.NewPattern(`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`,
		`[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*`)
)

func noSuchRole(name string) error {
	return opensts.Errorf(opensts.ErrNotFound, "The role with name %s cannot be found.", name)
}

// role finds a role by name (case-insensitively, as IAM does).
func (s *Service) role(ctx context.Context, accountID, name string) (opensts.Role, error) {
	r, err := s.cfg.Store.GetRole(ctx, accountID, name)
	if errors.Is(err, opensts.ErrNotFound) {
		return r, noSuchRole(name)
	}
	if err != nil {
		return r, err // the store's error names what it looked up
	}
	return r, nil
}

// roleFacts adds what a role contributes to a request's condition keys:
// its tags (as the resource's) and, unless the request sets one, its
// current permissions boundary.
func roleFacts(r opensts.Role, req opensts.RequestFacts) opensts.RequestFacts {
	req.ResourceTags = r.Tags
	if req.PermissionsBoundary == "" {
		req.PermissionsBoundary = r.PermissionsBoundary
	}
	return req
}

// namedRole validates the role name, resolves the role and authorizes
// iam:action on it with its condition keys and those req sets.
func (s *Service) namedRole(ctx context.Context, caller *opensts.Principal, name *string, action string, extra func(*opensts.ValidationError), req opensts.RequestFacts) (opensts.Role, error) {
	var v opensts.ValidationError
	v.CheckString("roleName", name, ruleRoleName)
	if extra != nil {
		extra(&v)
	}
	if err := v.Err(); err != nil {
		return opensts.Role{}, err
	}
	r, err := s.role(ctx, caller.AccountID, *name)
	if err != nil {
		return r, err
	}
	return r, s.authorizeWith(ctx, caller, action, r.ARN(), roleFacts(r, req))
}

// updateRole stores fn's change to a role, NoSuchEntity if it is gone.
func (s *Service) updateRole(ctx context.Context, r opensts.Role, fn func(*opensts.Role) error) error {
	err := s.cfg.Store.UpdateRole(ctx, r.AccountID, r.ID, fn)
	switch {
	case errors.Is(err, opensts.ErrNotFound):
		return noSuchRole(r.Name)
	case err != nil:
		var de *opensts.Error
		if errors.As(err, &de) {
			return err
		}
		return fmt.Errorf("update role %s: %w", r.Name, err)
	}
	return nil
}

// checkTrustPolicy parses a trust policy with AWS's grammar for them,
// checks its size against ACLSizePerRole, and resolves the users and roles
// of the account it names as principals: each must exist (AWS's "Invalid
// principal in policy"), and its unique id is returned by ARN, for the
// role to keep (opensts.Role.TrustedIDs).
func (s *Service) checkTrustPolicy(ctx context.Context, accountID, doc string) (map[string]string, error) {
	d, err := policy.Parse(doc, policy.Trust)
	if err != nil {
		return nil, err
	}
	if n := policy.Size(doc); n > MaxTrustPolicySize {
		return nil, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for ACLSizePerRole: %d", MaxTrustPolicySize)
	}
	var ids map[string]string
	for _, arn := range d.EntityPrincipals() {
		acct, kind, path, name, ok := opensts.ParseIAMARN(arn)
		if !ok {
			return nil, policy.InvalidPrincipal("AWS", arn)
		}
		if acct != accountID {
			continue // another account's entities are its own to check
		}
		id := ""
		switch kind {
		case "user":
			u, err := s.cfg.Store.GetUser(ctx, acct, name)
			if err != nil && !errors.Is(err, opensts.ErrNotFound) {
				return nil, fmt.Errorf("check principal %s: %w", arn, err)
			}
			if err == nil && u.Path == path && u.Name == name {
				id = u.ID
			}
		case "role":
			r, err := s.cfg.Store.GetRole(ctx, acct, name)
			if err != nil && !errors.Is(err, opensts.ErrNotFound) {
				return nil, fmt.Errorf("check principal %s: %w", arn, err)
			}
			if err == nil && r.Path == path && r.Name == name {
				id = r.ID
			}
		}
		if id == "" {
			return nil, policy.InvalidPrincipal("AWS", arn)
		}
		if ids == nil {
			ids = map[string]string{}
		}
		ids[arn] = id
	}
	return ids, nil
}

// CreateRoleInput mirrors IAM CreateRole.
type CreateRoleInput struct {
	RoleName                 *string
	Path                     *string
	AssumeRolePolicyDocument *string
	Description              *string
	MaxSessionDuration       *int64
	PermissionsBoundary      *string
	Tags                     []TagInput
}

// Validate: RoleName 1–64; Path 1–512; trust policy 1–131072 of the policy
// character set; Description ≤ 1000; MaxSessionDuration 3600–43200;
// boundary ARN 20–2048; at most 50 tags.
func (in CreateRoleInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("path", in.Path, rulePath)
	v.CheckString("roleName", in.RoleName, ruleRoleName)
	v.CheckString("assumeRolePolicyDocument", in.AssumeRolePolicyDocument, rulePolicyDocument)
	v.CheckString("description", in.Description, ruleRoleDescription)
	v.CheckInt("maxSessionDuration", in.MaxSessionDuration, false, MinSessionDuration, MaxSessionDuration)
	v.CheckString("permissionsBoundary", in.PermissionsBoundary, ruleARN)
	validateTags(&v, in.Tags)
	return v.Err()
}

// CreateRole creates a role. Names are unique case-insensitively.
func (s *Service) CreateRole(ctx context.Context, caller *opensts.Principal, in CreateRoleInput) (opensts.Role, error) {
	if err := in.Validate(); err != nil {
		return opensts.Role{}, err
	}
	r := opensts.Role{
		AccountID:   caller.AccountID,
		ID:          opensts.NewID(opensts.PrefixRole, 17),
		Name:        *in.RoleName,
		Path:        "/",
		TrustPolicy: *in.AssumeRolePolicyDocument,
		CreatedAt:   s.now(),
	}
	if in.Path != nil {
		r.Path = *in.Path
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = int(*in.MaxSessionDuration)
	}
	req := opensts.RequestFacts{Tags: requestTags(in.Tags)}
	if in.PermissionsBoundary != nil {
		req.PermissionsBoundary = *in.PermissionsBoundary
	}
	if err := s.authorizeWith(ctx, caller, "CreateRole", r.ARN(), req); err != nil {
		return opensts.Role{}, err
	}
	trusted, err := s.checkTrustPolicy(ctx, caller.AccountID, r.TrustPolicy)
	if err != nil {
		return opensts.Role{}, err
	}
	r.TrustedIDs = trusted
	tags, err := toTags(in.Tags)
	if err != nil {
		return opensts.Role{}, err
	}
	r.Tags = tags
	if in.PermissionsBoundary != nil {
		if _, err := s.boundaryPolicy(ctx, caller.AccountID, *in.PermissionsBoundary); err != nil {
			return opensts.Role{}, err
		}
		r.PermissionsBoundary = *in.PermissionsBoundary
	}
	switch err := s.cfg.Store.CreateRole(ctx, r, MaxRolesPerAccount); {
	case errors.Is(err, opensts.ErrAlreadyExists):
		return opensts.Role{}, opensts.Errorf(opensts.ErrAlreadyExists, "Role with name %s already exists.", r.Name)
	case errors.Is(err, opensts.ErrLimitExceeded):
		return opensts.Role{}, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for RolesPerAccount: %d", MaxRolesPerAccount)
	case err != nil:
		return opensts.Role{}, fmt.Errorf("create role: %w", err)
	}
	return r, nil
}

// RoleRef names a role.
type RoleRef struct {
	RoleName *string
}

// GetRole describes a role.
func (s *Service) GetRole(ctx context.Context, caller *opensts.Principal, in RoleRef) (opensts.Role, error) {
	return s.namedRole(ctx, caller, in.RoleName, "GetRole", nil, opensts.RequestFacts{})
}

// ListRolesInput mirrors IAM ListRoles.
type ListRolesInput struct {
	PathPrefix *string
	ListInput
}

// ListRoles lists the account's roles by name.
func (s *Service) ListRoles(ctx context.Context, caller *opensts.Principal, in ListRolesInput) (opensts.Page[opensts.Role], error) {
	var v opensts.ValidationError
	v.CheckString("pathPrefix", in.PathPrefix, rulePathPrefix)
	in.validate(&v)
	if err := v.Err(); err != nil {
		return opensts.Page[opensts.Role]{}, err
	}
	if err := s.authorize(ctx, caller, "ListRoles", "arn:aws:iam::"+caller.AccountID+":role/"); err != nil {
		return opensts.Page[opensts.Role]{}, err
	}
	page, err := s.cfg.Store.ListRoles(ctx, caller.AccountID, in.options(in.PathPrefix))
	if err != nil {
		return page, listError(err)
	}
	return page, nil
}

// UpdateRoleInput mirrors UpdateRole and UpdateRoleDescription.
type UpdateRoleInput struct {
	RoleName           *string
	Description        *string
	MaxSessionDuration *int64
}

// UpdateRole changes the description and maximum session duration that
// are given; an absent member keeps its value (roles-spec §1.3: AWS's
// documented reset of an omitted MaxSessionDuration is unconfirmed, and a
// silent reset would cut long sessions short).
func (s *Service) UpdateRole(ctx context.Context, caller *opensts.Principal, in UpdateRoleInput) error {
	r, err := s.namedRole(ctx, caller, in.RoleName, "UpdateRole", func(v *opensts.ValidationError) {
		v.CheckString("description", in.Description, ruleRoleDescription)
		v.CheckInt("maxSessionDuration", in.MaxSessionDuration, false, MinSessionDuration, MaxSessionDuration)
	}, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	return s.updateRole(ctx, r, func(cur *opensts.Role) error {
		if in.Description != nil {
			cur.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			cur.MaxSessionDuration = int(*in.MaxSessionDuration)
		}
		return nil
	})
}

// UpdateRoleDescription sets the description (empty clears it) and returns
// the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, caller *opensts.Principal, in UpdateRoleInput) (opensts.Role, error) {
	r, err := s.namedRole(ctx, caller, in.RoleName, "UpdateRoleDescription", func(v *opensts.ValidationError) {
		v.CheckString("description", in.Description, required(ruleRoleDescription))
	}, opensts.RequestFacts{})
	if err != nil {
		return r, err
	}
	if err := s.updateRole(ctx, r, func(cur *opensts.Role) error { cur.Description = *in.Description; return nil }); err != nil {
		return r, err
	}
	return s.role(ctx, caller.AccountID, r.Name)
}

// TrustPolicyInput mirrors UpdateAssumeRolePolicy.
type TrustPolicyInput struct {
	RoleName       *string
	PolicyDocument *string
}

// UpdateAssumeRolePolicy replaces the role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, caller *opensts.Principal, in TrustPolicyInput) error {
	r, err := s.namedRole(ctx, caller, in.RoleName, "UpdateAssumeRolePolicy", func(v *opensts.ValidationError) {
		v.CheckString("policyDocument", in.PolicyDocument, rulePolicyDocument)
	}, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	ids, err := s.checkTrustPolicy(ctx, caller.AccountID, *in.PolicyDocument)
	if err != nil {
		return err
	}
	return s.updateRole(ctx, r, func(cur *opensts.Role) error {
		cur.TrustPolicy, cur.TrustedIDs = *in.PolicyDocument, ids
		return nil
	})
}

// DeleteRole deletes a role that holds no policies: AWS's DeleteConflict
// texts name what must go first (roles-spec §1.4).
func (s *Service) DeleteRole(ctx context.Context, caller *opensts.Principal, in RoleRef) error {
	r, err := s.namedRole(ctx, caller, in.RoleName, "DeleteRole", nil, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	err = s.cfg.Store.DeleteRole(ctx, r.AccountID, r.ID)
	var dc *opensts.DeleteConflictError
	switch {
	case errors.As(err, &dc) && dc.Dependent == opensts.DependentAttachedPolicies:
		return opensts.Errorf(opensts.ErrDeleteConflict, "Cannot delete entity, must detach all policies first.")
	case errors.As(err, &dc):
		return opensts.Errorf(opensts.ErrDeleteConflict, "Cannot delete entity, must delete policies first.")
	case errors.Is(err, opensts.ErrNotFound):
		return noSuchRole(r.Name)
	case err != nil:
		return fmt.Errorf("delete role: %w", err)
	}
	return nil
}

// RoleBoundaryInput mirrors Put/DeleteRolePermissionsBoundary.
type RoleBoundaryInput struct {
	RoleName            *string
	PermissionsBoundary *string
}

// PutRolePermissionsBoundary sets a managed policy as the role's boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, caller *opensts.Principal, in RoleBoundaryInput) error {
	var req opensts.RequestFacts
	if in.PermissionsBoundary != nil {
		req.PermissionsBoundary = *in.PermissionsBoundary
	}
	r, err := s.namedRole(ctx, caller, in.RoleName, "PutRolePermissionsBoundary", func(v *opensts.ValidationError) {
		v.CheckString("permissionsBoundary", in.PermissionsBoundary, required(ruleARN))
	}, req)
	if err != nil {
		return err
	}
	if _, err := s.boundaryPolicy(ctx, caller.AccountID, *in.PermissionsBoundary); err != nil {
		return err
	}
	return s.updateRole(ctx, r, func(cur *opensts.Role) error { cur.PermissionsBoundary = *in.PermissionsBoundary; return nil })
}

// DeleteRolePermissionsBoundary removes the role's boundary; a role
// without one is left as it is (roles-spec §1.7 recommends success).
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, caller *opensts.Principal, in RoleBoundaryInput) error {
	r, err := s.namedRole(ctx, caller, in.RoleName, "DeleteRolePermissionsBoundary", nil, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	return s.updateRole(ctx, r, func(cur *opensts.Role) error { cur.PermissionsBoundary = ""; return nil })
}

// TagRoleInput mirrors TagRole / UntagRole.
type TagRoleInput struct {
	RoleName *string
	Tags     []TagInput // TagRole
	TagKeys  []string   // UntagRole
}

// TagRole adds or overwrites tags; a role has at most 50.
func (s *Service) TagRole(ctx context.Context, caller *opensts.Principal, in TagRoleInput) error {
	return s.taggedRoles().tag(ctx, caller, in.RoleName, "TagRole", in.Tags)
}

// UntagRole removes tags by key; absent keys are ignored.
func (s *Service) UntagRole(ctx context.Context, caller *opensts.Principal, in TagRoleInput) error {
	return s.taggedRoles().untag(ctx, caller, in.RoleName, "UntagRole", in.TagKeys)
}

// ListRoleTags pages through a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, caller *opensts.Principal, in RoleRef, li ListInput) (opensts.Page[opensts.Tag], error) {
	return s.taggedRoles().list(ctx, caller, in.RoleName, "ListRoleTags", li)
}

// ListInstanceProfilesForRole lists the instance profiles a role is in.
// OpenSTS has no instance profiles (there are no instances to give a role
// to), so the list is empty; the call exists because Terraform's
// aws_iam_role makes it before deleting a role.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, caller *opensts.Principal, in RoleRef, li ListInput) (opensts.Page[string], error) {
	if _, err := s.namedRole(ctx, caller, in.RoleName, "ListInstanceProfilesForRole", li.validate, opensts.RequestFacts{}); err != nil {
		return opensts.Page[string]{}, err
	}
	return pageOf([]string(nil), func(s string) string { return s }, li)
}
