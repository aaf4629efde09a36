package iam

import (
	"context"
	"errors"
	"fmt"

	"github.com/opensts/opensts"
)

// CreateUserInput mirrors IAM CreateUser.
type CreateUserInput struct {
	UserName            *string
	Path                *string
	PermissionsBoundary *string
	Tags                []TagInput
}

// Validate: UserName 1–64 of [\w+=,.@-]+; Path 1–512; boundary ARN 20–2048;
// at most 50 tags.
func (in CreateUserInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("path", in.Path, rulePath)
	v.CheckString("userName", in.UserName, ruleUserName)
	v.CheckString("permissionsBoundary", in.PermissionsBoundary, ruleARN)
	validateTags(&v, in.Tags)
	return v.Err()
}

// CreateUser creates an IAM user. Names are unique case-insensitively.
func (s *Service) CreateUser(ctx context.Context, caller *opensts.Principal, in CreateUserInput) (opensts.User, error) {
	if err := in.Validate(); err != nil {
		return opensts.User{}, err
	}
	u := opensts.User{
		AccountID: caller.AccountID,
		ID:        opensts.NewID(opensts.PrefixUser, 17),
		Name:      *in.UserName,
		Path:      "/",
		CreatedAt: s.now(),
	}
	if in.Path != nil {
		u.Path = *in.Path
	}
	req := opensts.RequestFacts{Tags: requestTags(in.Tags)}
	if in.PermissionsBoundary != nil {
		req.PermissionsBoundary = *in.PermissionsBoundary
	}
	if err := s.authorizeWith(ctx, caller, "CreateUser", u.ARN(), req); err != nil {
		return opensts.User{}, err
	}
	tags, err := toTags(in.Tags)
	if err != nil {
		return opensts.User{}, err
	}
	u.Tags = tags
	if in.PermissionsBoundary != nil {
		if _, err := s.boundaryPolicy(ctx, caller.AccountID, *in.PermissionsBoundary); err != nil {
			return opensts.User{}, err
		}
		u.PermissionsBoundary = *in.PermissionsBoundary
	}
	switch err := s.cfg.Store.CreateUser(ctx, u, MaxUsersPerAccount); {
	case errors.Is(err, opensts.ErrAlreadyExists):
		return opensts.User{}, opensts.Errorf(opensts.ErrAlreadyExists, "User with name %s already exists.", u.Name)
	case errors.Is(err, opensts.ErrLimitExceeded):
		return opensts.User{}, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for UsersPerAccount: %d", MaxUsersPerAccount)
	case err != nil:
		return opensts.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// UserRef names a user, or (nil) the caller.
type UserRef struct {
	UserName *string
}

// Validate: UserName 1–128 when present.
func (in UserRef) Validate() error {
	var v opensts.ValidationError
	v.CheckString("userName", in.UserName, ruleExistingUserName)
	return v.Err()
}

// target is the user an IAM action applies to: a named user, or the caller
// itself (root or IAM user) when the name is omitted.
type target struct {
	root bool
	user opensts.User
}

func (t target) arn(accountID string) string {
	if t.root {
		return opensts.RootARN(accountID)
	}
	return t.user.ARN()
}

// facts adds what the target user contributes to a request's condition
// keys to req: its tags (as the resource's) and, unless the request sets
// one, its current permissions boundary. The root has neither.
func (t target) facts(req opensts.RequestFacts) opensts.RequestFacts {
	if t.root {
		return req
	}
	req.ResourceTags = t.user.Tags
	if req.PermissionsBoundary == "" {
		req.PermissionsBoundary = t.user.PermissionsBoundary
	}
	return req
}

// ownerID is the id access keys and MFA devices of the target are stored under.
func (t target) ownerID(accountID string) string {
	if t.root {
		return accountID
	}
	return t.user.ID
}

// resolve finds the target user. A named user must exist (NoSuchEntity); an
// omitted name means the caller.
func (s *Service) resolve(ctx context.Context, caller *opensts.Principal, name *string) (target, error) {
	if name == nil {
		switch caller.Type {
		case opensts.HolderRoot:
			return target{root: true}, nil
		case opensts.HolderUser:
			u, err := s.cfg.Store.GetUserByID(ctx, caller.AccountID, caller.ID)
			if err != nil {
				return target{}, fmt.Errorf("get calling user: %w", err)
			}
			return target{user: u}, nil
		default:
			return target{}, opensts.Errorf(opensts.ErrInvalidRequest, "Must specify userName when calling with non-User credentials")
		}
	}
	u, err := s.cfg.Store.GetUser(ctx, caller.AccountID, *name)
	if errors.Is(err, opensts.ErrNotFound) {
		return target{}, noSuchUser(*name)
	}
	if err != nil {
		return target{}, err // the store's error names what it looked up
	}
	return target{user: u}, nil
}

// UserView is GetUser's answer: an IAM user, or the account root (Root set,
// only Account, ARN and CreatedAt meaningful).
type UserView struct {
	Root bool
	opensts.User
	ARN string
}

// GetUser describes a user, or the caller when the name is omitted.
func (s *Service) GetUser(ctx context.Context, caller *opensts.Principal, in UserRef) (UserView, error) {
	if err := in.Validate(); err != nil {
		return UserView{}, err
	}
	t, err := s.resolve(ctx, caller, in.UserName)
	if err != nil {
		return UserView{}, err
	}
	if err := s.authorizeWith(ctx, caller, "GetUser", t.arn(caller.AccountID), t.facts(opensts.RequestFacts{})); err != nil {
		return UserView{}, err
	}
	if t.root {
		acct, err := s.cfg.Store.GetAccount(ctx, caller.AccountID)
		if err != nil {
			return UserView{}, fmt.Errorf("get account: %w", err)
		}
		return UserView{Root: true, User: opensts.User{AccountID: acct.ID, ID: acct.ID, CreatedAt: acct.CreatedAt}, ARN: opensts.RootARN(acct.ID)}, nil
	}
	return UserView{User: t.user, ARN: t.user.ARN()}, nil
}

// ListUsersInput mirrors IAM ListUsers.
type ListUsersInput struct {
	PathPrefix *string
	ListInput
}

// Validate: PathPrefix 1–512; Marker 1–320; MaxItems 1–1000.
func (in ListUsersInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("pathPrefix", in.PathPrefix, rulePathPrefix)
	in.validate(&v)
	return v.Err()
}

// ListUsers lists the account's users by name.
func (s *Service) ListUsers(ctx context.Context, caller *opensts.Principal, in ListUsersInput) (opensts.Page[opensts.User], error) {
	if err := in.Validate(); err != nil {
		return opensts.Page[opensts.User]{}, err
	}
	if err := s.authorize(ctx, caller, "ListUsers", "arn:aws:iam::"+caller.AccountID+":user/"); err != nil {
		return opensts.Page[opensts.User]{}, err
	}
	page, err := s.cfg.Store.ListUsers(ctx, caller.AccountID, in.options(in.PathPrefix))
	if err != nil {
		return page, listError(err)
	}
	return page, nil
}

// listError turns a store's refusal of a marker into InvalidInput.
func listError(err error) error {
	if errors.Is(err, opensts.ErrInvalidInput) {
		return opensts.Errorf(opensts.ErrInvalidInput, "Invalid Marker.")
	}
	return fmt.Errorf("list: %w", err)
}

// DeleteUserInput mirrors IAM DeleteUser.
type DeleteUserInput struct {
	UserName *string
}

// Validate: UserName required, 1–128.
func (in DeleteUserInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("userName", in.UserName, required(ruleExistingUserName))
	return v.Err()
}

// deleteConflictMessages are IAM's DeleteConflict texts per dependent.
var deleteConflictMessages = map[opensts.Dependent]string{
	opensts.DependentAccessKeys:       "Cannot delete entity, must delete access keys first.",
	opensts.DependentMFADevices:       "Cannot delete entity, must delete MFA device first.",
	opensts.DependentInlinePolicies:   "Cannot delete entity, must delete policies first.",
	opensts.DependentAttachedPolicies: "Cannot delete entity, must detach all policies first.",
	opensts.DependentGroups:           "Cannot delete entity, must remove from all groups first.",
	opensts.DependentMembers:          "Cannot delete entity, must remove users from group first.",
	opensts.DependentAttachments:      "Cannot delete a policy attached to entities.",
	opensts.DependentVersions:         "Cannot delete a policy with non-default versions. Delete the versions first.",
}

func deleteConflict(err error) error {
	var dc *opensts.DeleteConflictError
	if errors.As(err, &dc) {
		if msg, ok := deleteConflictMessages[dc.Dependent]; ok {
			return &opensts.Error{Kind: opensts.ErrDeleteConflict, Message: msg, Err: err}
		}
	}
	return nil
}

// DeleteUser deletes a user that has no access keys, MFA devices, policies
// or group memberships left (IAM's DeleteConflict otherwise).
func (s *Service) DeleteUser(ctx context.Context, caller *opensts.Principal, in DeleteUserInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	t, err := s.resolve(ctx, caller, in.UserName)
	if err != nil {
		return err
	}
	if err := s.authorizeWith(ctx, caller, "DeleteUser", t.arn(caller.AccountID), t.facts(opensts.RequestFacts{})); err != nil {
		return err
	}
	err = s.cfg.Store.DeleteUser(ctx, caller.AccountID, t.user.ID)
	s.changed("")
	if dc := deleteConflict(err); dc != nil {
		return dc
	}
	if errors.Is(err, opensts.ErrNotFound) {
		return noSuchUser(*in.UserName)
	}
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}
