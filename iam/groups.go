package iam

import (
	"context"
	"errors"
	"fmt"

	"github.com/opensts/opensts"
)

// GroupInput names a group (and, for membership changes, a user).
type GroupInput struct {
	GroupName *string
	Path      *string // CreateGroup
	UserName  *string // AddUserToGroup, RemoveUserFromGroup
}

// CreateGroup creates a group; names are unique case-insensitively.
func (s *Service) CreateGroup(ctx context.Context, caller *opensts.Principal, in GroupInput) (opensts.Group, error) {
	var v opensts.ValidationError
	v.CheckString("path", in.Path, rulePath)
	v.CheckString("groupName", in.GroupName, ruleGroupName)
	if err := v.Err(); err != nil {
		return opensts.Group{}, err
	}
	g := opensts.Group{AccountID: caller.AccountID, ID: opensts.NewID(opensts.PrefixGroup, 17), Name: *in.GroupName, Path: "/", CreatedAt: s.now()}
	if in.Path != nil {
		g.Path = *in.Path
	}
	if err := s.authorize(ctx, caller, "CreateGroup", g.ARN()); err != nil {
		return opensts.Group{}, err
	}
	switch err := s.cfg.Store.CreateGroup(ctx, g, MaxGroupsPerAccount); {
	case errors.Is(err, opensts.ErrAlreadyExists):
		return opensts.Group{}, opensts.Errorf(opensts.ErrAlreadyExists, "Group with name %s already exists.", g.Name)
	case errors.Is(err, opensts.ErrLimitExceeded):
		return opensts.Group{}, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for GroupsPerAccount: %d", MaxGroupsPerAccount)
	case err != nil:
		return opensts.Group{}, fmt.Errorf("create group: %w", err)
	}
	return g, nil
}

func (s *Service) groupFor(ctx context.Context, caller *opensts.Principal, in GroupInput, action string, withUser bool) (opensts.Group, opensts.User, error) {
	var v opensts.ValidationError
	v.CheckString("groupName", in.GroupName, ruleGroupName)
	if withUser {
		v.CheckString("userName", in.UserName, required(ruleExistingUserName))
	}
	if err := v.Err(); err != nil {
		return opensts.Group{}, opensts.User{}, err
	}
	g, err := s.group(ctx, caller, *in.GroupName)
	if err != nil {
		return g, opensts.User{}, err
	}
	var u opensts.User
	if withUser {
		t, err := s.resolve(ctx, caller, in.UserName)
		if err != nil {
			return g, u, err
		}
		u = t.user
	}
	return g, u, s.authorize(ctx, caller, action, g.ARN())
}

// GetGroup describes a group and pages through its members.
func (s *Service) GetGroup(ctx context.Context, caller *opensts.Principal, in GroupInput, li ListInput) (opensts.Group, opensts.Page[opensts.User], error) {
	var v opensts.ValidationError
	li.validate(&v)
	if err := v.Err(); err != nil {
		return opensts.Group{}, opensts.Page[opensts.User]{}, err
	}
	g, _, err := s.groupFor(ctx, caller, in, "GetGroup", false)
	if err != nil {
		return g, opensts.Page[opensts.User]{}, err
	}
	page, err := s.cfg.Store.ListGroupMembers(ctx, caller.AccountID, g.ID, li.options(nil))
	if err != nil {
		return g, page, listError(err)
	}
	return g, page, nil
}

// DeleteGroup deletes a group without members or policies.
func (s *Service) DeleteGroup(ctx context.Context, caller *opensts.Principal, in GroupInput) error {
	g, _, err := s.groupFor(ctx, caller, in, "DeleteGroup", false)
	if err != nil {
		return err
	}
	err = s.cfg.Store.DeleteGroup(ctx, caller.AccountID, g.ID)
	if dc := deleteConflict(err); dc != nil {
		return dc
	}
	if errors.Is(err, opensts.ErrNotFound) {
		return noSuchGroup(g.Name)
	}
	if err != nil {
		return fmt.Errorf("delete group: %w", err)
	}
	return nil
}

// ListGroupsInput mirrors IAM ListGroups.
type ListGroupsInput struct {
	PathPrefix *string
	ListInput
}

// ListGroups lists the account's groups by name.
func (s *Service) ListGroups(ctx context.Context, caller *opensts.Principal, in ListGroupsInput) (opensts.Page[opensts.Group], error) {
	var v opensts.ValidationError
	v.CheckString("pathPrefix", in.PathPrefix, rulePathPrefix)
	in.validate(&v)
	if err := v.Err(); err != nil {
		return opensts.Page[opensts.Group]{}, err
	}
	if err := s.authorize(ctx, caller, "ListGroups", "arn:aws:iam::"+caller.AccountID+":group/"); err != nil {
		return opensts.Page[opensts.Group]{}, err
	}
	page, err := s.cfg.Store.ListGroups(ctx, caller.AccountID, in.options(in.PathPrefix))
	if err != nil {
		return page, listError(err)
	}
	return page, nil
}

// AddUserToGroup adds a user to a group (at most ten groups per user).
func (s *Service) AddUserToGroup(ctx context.Context, caller *opensts.Principal, in GroupInput) error {
	g, u, err := s.groupFor(ctx, caller, in, "AddUserToGroup", true)
	if err != nil {
		return err
	}
	err = s.cfg.Store.AddUserToGroup(ctx, caller.AccountID, g.ID, u.ID, MaxGroupsPerUser)
	if errors.Is(err, opensts.ErrLimitExceeded) {
		return opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for GroupsPerUser: %d", MaxGroupsPerUser)
	}
	if err != nil {
		return fmt.Errorf("add user to group: %w", err)
	}
	return nil
}

// RemoveUserFromGroup removes a member.
func (s *Service) RemoveUserFromGroup(ctx context.Context, caller *opensts.Principal, in GroupInput) error {
	g, u, err := s.groupFor(ctx, caller, in, "RemoveUserFromGroup", true)
	if err != nil {
		return err
	}
	err = s.cfg.Store.RemoveUserFromGroup(ctx, caller.AccountID, g.ID, u.ID)
	if errors.Is(err, opensts.ErrNotFound) {
		return opensts.Errorf(opensts.ErrNotFound, "User %s is not in group %s.", u.Name, g.Name)
	}
	if err != nil {
		return fmt.Errorf("remove user from group: %w", err)
	}
	return nil
}

// ListGroupsForUser lists the groups a user belongs to.
func (s *Service) ListGroupsForUser(ctx context.Context, caller *opensts.Principal, in UserRef, li ListInput) (opensts.Page[opensts.Group], error) {
	var v opensts.ValidationError
	v.CheckString("userName", in.UserName, required(ruleExistingUserName))
	li.validate(&v)
	if err := v.Err(); err != nil {
		return opensts.Page[opensts.Group]{}, err
	}
	t, err := s.resolve(ctx, caller, in.UserName)
	if err != nil {
		return opensts.Page[opensts.Group]{}, err
	}
	if err := s.authorizeWith(ctx, caller, "ListGroupsForUser", t.arn(caller.AccountID), t.facts(opensts.RequestFacts{})); err != nil {
		return opensts.Page[opensts.Group]{}, err
	}
	page, err := s.cfg.Store.ListGroupsForUser(ctx, caller.AccountID, t.user.ID, li.options(nil))
	if err != nil {
		return page, listError(err)
	}
	return page, nil
}
