package iam

import (
	"context"
	"errors"
	"fmt"

	"github.com/opensts/opensts"
)

// BoundaryInput mirrors PutUserPermissionsBoundary / DeleteUserPermissionsBoundary.
type BoundaryInput struct {
	UserName            *string
	PermissionsBoundary *string
}

// namedUser validates, resolves and authorizes an action on a named user;
// req is what the request sets, for its condition keys.
func (s *Service) namedUser(ctx context.Context, caller *opensts.Principal, name *string, action string, extra func(*opensts.ValidationError), req opensts.RequestFacts) (opensts.User, error) {
	var v opensts.ValidationError
	v.CheckString("userName", name, required(ruleExistingUserName))
	if extra != nil {
		extra(&v)
	}
	if err := v.Err(); err != nil {
		return opensts.User{}, err
	}
	t, err := s.resolve(ctx, caller, name)
	if err != nil {
		return opensts.User{}, err
	}
	return t.user, s.authorizeWith(ctx, caller, action, t.user.ARN(), t.facts(req))
}

func (s *Service) updateUser(ctx context.Context, u opensts.User, fn func(*opensts.User) error) error {
	err := s.cfg.Store.UpdateUser(ctx, u.AccountID, u.ID, fn)
	s.changed("")
	if errors.Is(err, opensts.ErrNotFound) {
		return noSuchUser(u.Name)
	}
	var de *opensts.Error
	if errors.As(err, &de) {
		return err
	}
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	return nil
}

// PutUserPermissionsBoundary sets a managed policy as the user's boundary.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, caller *opensts.Principal, in BoundaryInput) error {
	var req opensts.RequestFacts
	if in.PermissionsBoundary != nil {
		req.PermissionsBoundary = *in.PermissionsBoundary
	}
	u, err := s.namedUser(ctx, caller, in.UserName, "PutUserPermissionsBoundary", func(v *opensts.ValidationError) {
		v.CheckString("permissionsBoundary", in.PermissionsBoundary, required(ruleARN))
	}, req)
	if err != nil {
		return err
	}
	if _, err := s.boundaryPolicy(ctx, caller.AccountID, *in.PermissionsBoundary); err != nil {
		return err
	}
	return s.updateUser(ctx, u, func(u *opensts.User) error {
		u.PermissionsBoundary = *in.PermissionsBoundary
		return nil
	})
}

// DeleteUserPermissionsBoundary removes the user's boundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, caller *opensts.Principal, in BoundaryInput) error {
	u, err := s.namedUser(ctx, caller, in.UserName, "DeleteUserPermissionsBoundary", nil, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	if u.PermissionsBoundary == "" {
		return opensts.Errorf(opensts.ErrNotFound, "The user with name %s does not have a permissions boundary.", u.Name)
	}
	return s.updateUser(ctx, u, func(u *opensts.User) error {
		u.PermissionsBoundary = ""
		return nil
	})
}

// TagUserInput mirrors TagUser / UntagUser.
type TagUserInput struct {
	UserName *string
	Tags     []TagInput // TagUser
	TagKeys  []string   // UntagUser
}

// TagUser adds or overwrites tags (keys compare case-insensitively); a user
// has at most 50.
func (s *Service) TagUser(ctx context.Context, caller *opensts.Principal, in TagUserInput) error {
	return s.taggedUsers().tag(ctx, caller, in.UserName, "TagUser", in.Tags)
}

// UntagUser removes tags by key (case-insensitively); absent keys are ignored.
func (s *Service) UntagUser(ctx context.Context, caller *opensts.Principal, in TagUserInput) error {
	return s.taggedUsers().untag(ctx, caller, in.UserName, "UntagUser", in.TagKeys)
}

// ListUserTags pages through a user's tags.
func (s *Service) ListUserTags(ctx context.Context, caller *opensts.Principal, in UserRef, li ListInput) (opensts.Page[opensts.Tag], error) {
	return s.taggedUsers().list(ctx, caller, in.UserName, "ListUserTags", li)
}
