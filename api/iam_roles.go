package api

import (
	"context"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/iam"
)

// roleNode renders an IAM Role as an operation returns it (roles-spec
// §1.2): CreateRole carries MaxSessionDuration only when the request set
// it; GetRole and UpdateRoleDescription always, with RoleLastUsed, the
// boundary and the tags; ListRoles neither the boundary, the tags nor
// RoleLastUsed.
type roleView int

const (
	roleCreated roleView = iota
	roleFull
	roleListed
)

func roleNode(name string, r opensts.Role, view roleView) *node {
	n := el(name, leaf("Path", r.Path), leaf("RoleName", r.Name), leaf("RoleId", r.ID), leaf("Arn", r.ARN()),
		timeLeaf("CreateDate", r.CreatedAt), leaf("AssumeRolePolicyDocument", iam.EncodeDocument(r.TrustPolicy)))
	if r.Description != "" {
		n.kids = append(n.kids, leaf("Description", r.Description))
	}
	if view != roleCreated || r.MaxSessionDuration != 0 {
		n.kids = append(n.kids, intLeaf("MaxSessionDuration", r.SessionLimit()))
	}
	if view == roleListed {
		return n
	}
	n.kids = compact(append(n.kids, boundaryNode(r.PermissionsBoundary), tagsNode(r.Tags)))
	if view == roleFull {
		n.kids = append(n.kids, lastUsedNode(r))
	}
	return n
}

// lastUsedNode is a role's RoleLastUsed element (empty while never used).
func lastUsedNode(r opensts.Role) *node {
	used := el("RoleLastUsed")
	if !r.LastUsed.IsZero() {
		used.kids = append(used.kids, timeLeaf("LastUsedDate", r.LastUsed), leaf("Region", r.LastUsedRegion))
	}
	return used
}

func roleRef(p params) iam.RoleRef { return iam.RoleRef{RoleName: p.get("RoleName")} }

func (s *Server) createRole(ctx context.Context, c *call) (*node, error) {
	d, err := c.p.int32("MaxSessionDuration")
	if err != nil {
		return nil, err
	}
	r, err := s.cfg.IAM.CreateRole(ctx, c.caller, iam.CreateRoleInput{
		RoleName: c.p.get("RoleName"), Path: c.p.get("Path"), AssumeRolePolicyDocument: c.p.get("AssumeRolePolicyDocument"),
		Description: c.p.get("Description"), MaxSessionDuration: d, PermissionsBoundary: c.p.get("PermissionsBoundary"),
		Tags: tagInputs(c.p),
	})
	if err != nil {
		return nil, err
	}
	return el("", roleNode("Role", r, roleCreated)), nil
}

func (s *Server) getRole(ctx context.Context, c *call) (*node, error) {
	r, err := s.cfg.IAM.GetRole(ctx, c.caller, roleRef(c.p))
	if err != nil {
		return nil, err
	}
	return el("", roleNode("Role", r, roleFull)), nil
}

func (s *Server) listRoles(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListRoles(ctx, c.caller, iam.ListRolesInput{PathPrefix: c.p.get("PathPrefix"), ListInput: li})
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(page.Items))
	for _, r := range page.Items {
		members = append(members, roleNode("", r, roleListed))
	}
	return pageNodes(el("", list("Roles", members)), page.Marker), nil
}

func updateRoleInput(p params) (iam.UpdateRoleInput, error) {
	d, err := p.int32("MaxSessionDuration")
	return iam.UpdateRoleInput{RoleName: p.get("RoleName"), Description: p.get("Description"), MaxSessionDuration: d}, err
}

func (s *Server) updateRole(ctx context.Context, c *call) (*node, error) {
	in, err := updateRoleInput(c.p)
	if err != nil {
		return nil, err
	}
	return el(""), s.cfg.IAM.UpdateRole(ctx, c.caller, in)
}

func (s *Server) updateRoleDescription(ctx context.Context, c *call) (*node, error) {
	in, err := updateRoleInput(c.p)
	if err != nil {
		return nil, err
	}
	in.MaxSessionDuration = nil
	r, err := s.cfg.IAM.UpdateRoleDescription(ctx, c.caller, in)
	if err != nil {
		return nil, err
	}
	return el("", roleNode("Role", r, roleFull)), nil
}

func (s *Server) updateAssumeRolePolicy(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.UpdateAssumeRolePolicy(ctx, c.caller, iam.TrustPolicyInput{RoleName: c.p.get("RoleName"), PolicyDocument: c.p.get("PolicyDocument")})
}

func (s *Server) deleteRole(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteRole(ctx, c.caller, roleRef(c.p))
}

func (s *Server) putRolePermissionsBoundary(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.PutRolePermissionsBoundary(ctx, c.caller, iam.RoleBoundaryInput{RoleName: c.p.get("RoleName"), PermissionsBoundary: c.p.get("PermissionsBoundary")})
}

func (s *Server) deleteRolePermissionsBoundary(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteRolePermissionsBoundary(ctx, c.caller, iam.RoleBoundaryInput{RoleName: c.p.get("RoleName")})
}

func (s *Server) tagRole(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.TagRole(ctx, c.caller, iam.TagRoleInput{RoleName: c.p.get("RoleName"), Tags: tagInputs(c.p)})
}

func (s *Server) untagRole(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.UntagRole(ctx, c.caller, iam.TagRoleInput{RoleName: c.p.get("RoleName"), TagKeys: c.p.list("TagKeys")})
}

func (s *Server) listRoleTags(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListRoleTags(ctx, c.caller, roleRef(c.p), li)
	if err != nil {
		return nil, err
	}
	return pageNodes(el("", tagsNodeAlways(page.Items)), page.Marker), nil
}

func (s *Server) listInstanceProfilesForRole(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListInstanceProfilesForRole(ctx, c.caller, roleRef(c.p), li)
	if err != nil {
		return nil, err
	}
	return pageNodes(el("", list("InstanceProfiles", nil)), page.Marker), nil
}
