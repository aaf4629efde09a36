package api

import (
	"context"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/iam"
)

func (s *Server) listEntitiesForPolicy(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListEntitiesForPolicy(ctx, c.caller, iam.ListEntitiesInput{
		PolicyRef: policyRef(c.p), EntityFilter: c.p.get("EntityFilter"), PathPrefix: c.p.get("PathPrefix"),
		PolicyUsageFilter: c.p.get("PolicyUsageFilter"), ListInput: li,
	})
	if err != nil {
		return nil, err
	}
	var groups, users, roles []*node
	for _, e := range page.Items {
		switch e.Kind {
		case opensts.OwnerGroup:
			groups = append(groups, el("", leaf("GroupName", e.Name), leaf("GroupId", e.ID)))
		case opensts.OwnerUser:
			users = append(users, el("", leaf("UserName", e.Name), leaf("UserId", e.ID)))
		case opensts.OwnerRole:
			roles = append(roles, el("", leaf("RoleName", e.Name), leaf("RoleId", e.ID)))
		}
	}
	return pageNodes(el("", list("PolicyGroups", groups), list("PolicyUsers", users), list("PolicyRoles", roles)), page.Marker), nil
}

func (s *Server) getAccountAuthorizationDetails(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	var filter []*string
	for _, f := range c.p.list("Filter") {
		filter = append(filter, &f)
	}
	d, err := s.cfg.IAM.GetAccountAuthorizationDetails(ctx, c.caller, iam.AuthorizationDetailsInput{Filter: filter, ListInput: li})
	if err != nil {
		return nil, err
	}
	// Each detail is its entity's list element (userNode, groupNode) with
	// the entity's policies after it.
	users := make([]*node, 0, len(d.Users))
	for _, e := range d.Users {
		u := e.User
		groups := make([]*node, 0, len(e.Groups))
		for _, g := range e.Groups {
			groups = append(groups, leaf("", g))
		}
		n := userNode("", *u, false)
		n.kids = compact(append(n.kids, inlineDetails("UserPolicyList", e.Inline), list("GroupList", groups), attachedDetails(e.Attached),
			boundaryNode(u.PermissionsBoundary), tagsNode(u.Tags)))
		users = append(users, n)
	}
	groups := make([]*node, 0, len(d.Groups))
	for _, e := range d.Groups {
		n := groupNode("", *e.Group)
		n.kids = append(n.kids, inlineDetails("GroupPolicyList", e.Inline), attachedDetails(e.Attached))
		groups = append(groups, n)
	}
	roles := make([]*node, 0, len(d.Roles))
	for _, e := range d.Roles {
		// RoleDetail has no Description nor MaxSessionDuration: not roleNode.
		r := e.Role
		roles = append(roles, el("", leaf("Path", r.Path), leaf("RoleName", r.Name), leaf("RoleId", r.ID), leaf("Arn", r.ARN()),
			timeLeaf("CreateDate", r.CreatedAt), leaf("AssumeRolePolicyDocument", iam.EncodeDocument(r.TrustPolicy)),
			list("InstanceProfileList", nil), inlineDetails("RolePolicyList", e.Inline), attachedDetails(e.Attached),
			boundaryNode(r.PermissionsBoundary), tagsNode(r.Tags), lastUsedNode(*r)))
	}
	policies := make([]*node, 0, len(d.Policies))
	for _, pd := range d.Policies {
		p := pd.Policy
		p.Tags = nil // ManagedPolicyDetail has no Tags
		n := policyNode("", p, true)
		versions := make([]*node, 0, len(pd.Versions))
		for _, v := range pd.Versions {
			versions = append(versions, versionNode("", v, true))
		}
		n.kids = append(n.kids, list("PolicyVersionList", versions))
		policies = append(policies, n)
	}
	return pageNodes(el("", list("UserDetailList", users), list("GroupDetailList", groups), list("RoleDetailList", roles),
		list("Policies", policies)), d.Marker), nil
}

// inlineDetails is a PolicyDetail list: inline policies with their
// documents.
func inlineDetails(name string, ps []opensts.InlinePolicy) *node {
	members := make([]*node, 0, len(ps))
	for _, p := range ps {
		members = append(members, el("", leaf("PolicyName", p.Name), leaf("PolicyDocument", iam.EncodeDocument(p.Document))))
	}
	return list(name, members)
}

// attachedDetails is an AttachedManagedPolicies list.
func attachedDetails(ps []opensts.AttachedPolicy) *node {
	members := make([]*node, 0, len(ps))
	for _, a := range ps {
		members = append(members, el("", leaf("PolicyName", a.Name), leaf("PolicyArn", a.ARN)))
	}
	return list("AttachedManagedPolicies", members)
}

// boundaryNode is a PermissionsBoundary element, nil without a boundary.
func boundaryNode(arn string) *node {
	if arn == "" {
		return nil
	}
	return el("PermissionsBoundary", leaf("PermissionsBoundaryType", "PermissionsBoundaryPolicy"), leaf("PermissionsBoundaryArn", arn))
}
