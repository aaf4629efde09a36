package api

import (
	"context"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/iam"
)

func groupNode(name string, g opensts.Group) *node {
	return el(name, leaf("Path", g.Path), leaf("GroupName", g.Name), leaf("GroupId", g.ID), leaf("Arn", g.ARN()), timeLeaf("CreateDate", g.CreatedAt))
}

func groupsNode(name string, gs []opensts.Group) *node {
	members := make([]*node, 0, len(gs))
	for _, g := range gs {
		members = append(members, groupNode("", g))
	}
	return list(name, members)
}

func groupInput(p params) iam.GroupInput {
	return iam.GroupInput{GroupName: p.get("GroupName"), Path: p.get("Path"), UserName: p.get("UserName")}
}

func (s *Server) createGroup(ctx context.Context, c *call) (*node, error) {
	g, err := s.cfg.IAM.CreateGroup(ctx, c.caller, groupInput(c.p))
	if err != nil {
		return nil, err
	}
	return el("", groupNode("Group", g)), nil
}

func (s *Server) getGroup(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	g, page, err := s.cfg.IAM.GetGroup(ctx, c.caller, groupInput(c.p), li)
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(page.Items))
	for _, u := range page.Items {
		members = append(members, userNode("", u, false))
	}
	return pageNodes(el("", groupNode("Group", g), list("Users", members)), page.Marker), nil
}

func (s *Server) deleteGroup(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteGroup(ctx, c.caller, groupInput(c.p))
}

func (s *Server) listGroups(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListGroups(ctx, c.caller, iam.ListGroupsInput{PathPrefix: c.p.get("PathPrefix"), ListInput: li})
	if err != nil {
		return nil, err
	}
	return pageNodes(el("", groupsNode("Groups", page.Items)), page.Marker), nil
}

func (s *Server) addUserToGroup(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.AddUserToGroup(ctx, c.caller, groupInput(c.p))
}

func (s *Server) removeUserFromGroup(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.RemoveUserFromGroup(ctx, c.caller, groupInput(c.p))
}

func (s *Server) listGroupsForUser(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListGroupsForUser(ctx, c.caller, iam.UserRef{UserName: c.p.get("UserName")}, li)
	if err != nil {
		return nil, err
	}
	return pageNodes(el("", groupsNode("Groups", page.Items)), page.Marker), nil
}

func boundaryInput(p params) iam.BoundaryInput {
	return iam.BoundaryInput{UserName: p.get("UserName"), PermissionsBoundary: p.get("PermissionsBoundary")}
}

func (s *Server) putUserPermissionsBoundary(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.PutUserPermissionsBoundary(ctx, c.caller, boundaryInput(c.p))
}

func (s *Server) deleteUserPermissionsBoundary(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteUserPermissionsBoundary(ctx, c.caller, boundaryInput(c.p))
}

func (s *Server) tagUser(ctx context.Context, c *call) (*node, error) {
	in := iam.TagUserInput{UserName: c.p.get("UserName"), Tags: tagInputs(c.p)}
	if in.Tags == nil && c.p.get("Tags") != nil {
		in.Tags = []iam.TagInput{} // "Tags=" is an empty list
	}
	return nil, s.cfg.IAM.TagUser(ctx, c.caller, in)
}

func (s *Server) untagUser(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.UntagUser(ctx, c.caller, iam.TagUserInput{UserName: c.p.get("UserName"), TagKeys: listOrEmpty(c.p, "TagKeys")})
}

func (s *Server) listUserTags(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListUserTags(ctx, c.caller, iam.UserRef{UserName: c.p.get("UserName")}, li)
	if err != nil {
		return nil, err
	}
	return pageNodes(el("", tagsNodeAlways(page.Items)), page.Marker), nil
}

// tagsNodeAlways renders Tags even when empty (ListUserTags requires it).
func tagsNodeAlways(tags []opensts.Tag) *node {
	if n := tagsNode(tags); n != nil {
		return n
	}
	return list("Tags", nil)
}
