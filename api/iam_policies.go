package api

import (
	"context"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/iam"
)

// ownerParam is the request parameter naming the policy owner.
func ownerParam(kind opensts.OwnerKind) string {
	switch kind {
	case opensts.OwnerGroup:
		return "GroupName"
	case opensts.OwnerRole:
		return "RoleName"
	}
	return "UserName"
}

type handler = func(s *Server, ctx context.Context, c *call) (*node, error)

func inlineInput(kind opensts.OwnerKind, p params) iam.InlinePolicyInput {
	return iam.InlinePolicyInput{Owner: kind, OwnerName: p.get(ownerParam(kind)), PolicyName: p.get("PolicyName"), PolicyDocument: p.get("PolicyDocument")}
}

func putInline(kind opensts.OwnerKind) handler {
	return func(s *Server, ctx context.Context, c *call) (*node, error) {
		return nil, s.cfg.IAM.PutInlinePolicy(ctx, c.caller, inlineInput(kind, c.p))
	}
}

func getInline(kind opensts.OwnerKind) handler {
	return func(s *Server, ctx context.Context, c *call) (*node, error) {
		pol, owner, err := s.cfg.IAM.GetInlinePolicy(ctx, c.caller, inlineInput(kind, c.p))
		if err != nil {
			return nil, err
		}
		return el("", leaf(ownerParam(kind), owner), leaf("PolicyName", pol.Name), leaf("PolicyDocument", iam.EncodeDocument(pol.Document))), nil
	}
}

func deleteInline(kind opensts.OwnerKind) handler {
	return func(s *Server, ctx context.Context, c *call) (*node, error) {
		return nil, s.cfg.IAM.DeleteInlinePolicy(ctx, c.caller, inlineInput(kind, c.p))
	}
}

func listOwned(kind opensts.OwnerKind, p params) (iam.ListOwnedInput, error) {
	li, err := listInput(p)
	return iam.ListOwnedInput{Owner: kind, OwnerName: p.get(ownerParam(kind)), PathPrefix: p.get("PathPrefix"), ListInput: li}, err
}

func listInline(kind opensts.OwnerKind) handler {
	return func(s *Server, ctx context.Context, c *call) (*node, error) {
		in, err := listOwned(kind, c.p)
		if err != nil {
			return nil, err
		}
		in.PathPrefix = nil
		page, err := s.cfg.IAM.ListInlinePolicies(ctx, c.caller, in)
		if err != nil {
			return nil, err
		}
		members := make([]*node, 0, len(page.Items))
		for _, n := range page.Items {
			members = append(members, leaf("", n))
		}
		return pageNodes(el("", list("PolicyNames", members)), page.Marker), nil
	}
}

func attach(kind opensts.OwnerKind, on bool) handler {
	return func(s *Server, ctx context.Context, c *call) (*node, error) {
		in := iam.AttachInput{Owner: kind, OwnerName: c.p.get(ownerParam(kind)), PolicyRef: iam.PolicyRef{PolicyArn: c.p.get("PolicyArn")}}
		if on {
			return nil, s.cfg.IAM.AttachPolicy(ctx, c.caller, in)
		}
		return nil, s.cfg.IAM.DetachPolicy(ctx, c.caller, in)
	}
}

func listAttached(kind opensts.OwnerKind) handler {
	return func(s *Server, ctx context.Context, c *call) (*node, error) {
		in, err := listOwned(kind, c.p)
		if err != nil {
			return nil, err
		}
		page, err := s.cfg.IAM.ListAttachedPolicies(ctx, c.caller, in)
		if err != nil {
			return nil, err
		}
		members := make([]*node, 0, len(page.Items))
		for _, a := range page.Items {
			members = append(members, el("", leaf("PolicyName", a.Name), leaf("PolicyArn", a.ARN)))
		}
		return pageNodes(el("", list("AttachedPolicies", members)), page.Marker), nil
	}
}

func policyNode(name string, p opensts.ManagedPolicy, full bool) *node {
	n := el(name,
		leaf("PolicyName", p.Name),
		leaf("PolicyId", p.ID),
		leaf("Arn", p.ARN()),
		leaf("Path", p.Path),
		leaf("DefaultVersionId", p.DefaultVersionID),
		intLeaf("AttachmentCount", p.AttachmentCount),
		intLeaf("PermissionsBoundaryUsageCount", p.BoundaryUsageCount),
		boolLeaf("IsAttachable", true))
	if full && p.Description != "" {
		n.kids = append(n.kids, leaf("Description", p.Description))
	}
	n.kids = append(n.kids, timeLeaf("CreateDate", p.CreatedAt), timeLeaf("UpdateDate", p.UpdatedAt))
	if full {
		if t := tagsNode(p.Tags); t != nil {
			n.kids = append(n.kids, t)
		}
	}
	return n
}

func policyRef(p params) iam.PolicyRef { return iam.PolicyRef{PolicyArn: p.get("PolicyArn")} }

func (s *Server) createPolicy(ctx context.Context, c *call) (*node, error) {
	p, err := s.cfg.IAM.CreatePolicy(ctx, c.caller, iam.CreatePolicyInput{
		PolicyName: c.p.get("PolicyName"), Path: c.p.get("Path"), PolicyDocument: c.p.get("PolicyDocument"),
		Description: c.p.get("Description"), Tags: tagInputs(c.p),
	})
	if err != nil {
		return nil, err
	}
	return el("", policyNode("Policy", p, true)), nil
}

func (s *Server) getPolicy(ctx context.Context, c *call) (*node, error) {
	p, err := s.cfg.IAM.GetPolicy(ctx, c.caller, policyRef(c.p))
	if err != nil {
		return nil, err
	}
	return el("", policyNode("Policy", p, true)), nil
}

func (s *Server) deletePolicy(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeletePolicy(ctx, c.caller, policyRef(c.p))
}

func (s *Server) listPolicies(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	onlyAttached, err := c.p.bool("OnlyAttached")
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListPolicies(ctx, c.caller, iam.ListPoliciesInput{
		Scope: c.p.get("Scope"), OnlyAttached: onlyAttached, PathPrefix: c.p.get("PathPrefix"), ListInput: li,
	})
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(page.Items))
	for _, p := range page.Items {
		members = append(members, policyNode("", p, false))
	}
	return pageNodes(el("", list("Policies", members)), page.Marker), nil
}

func versionNode(name string, v opensts.PolicyVersion, withDoc bool) *node {
	n := el(name)
	if withDoc {
		n.kids = append(n.kids, leaf("Document", iam.EncodeDocument(v.Document)))
	}
	n.kids = append(n.kids, leaf("VersionId", v.VersionID), boolLeaf("IsDefaultVersion", v.IsDefault), timeLeaf("CreateDate", v.CreatedAt))
	return n
}

func versionInput(p params) (iam.PolicyVersionInput, error) {
	setDefault, err := p.bool("SetAsDefault")
	return iam.PolicyVersionInput{PolicyRef: policyRef(p), VersionID: p.get("VersionId"), PolicyDocument: p.get("PolicyDocument"), SetAsDefault: setDefault}, err
}

func (s *Server) createPolicyVersion(ctx context.Context, c *call) (*node, error) {
	in, err := versionInput(c.p)
	if err != nil {
		return nil, err
	}
	v, err := s.cfg.IAM.CreatePolicyVersion(ctx, c.caller, in)
	if err != nil {
		return nil, err
	}
	return el("", versionNode("PolicyVersion", v, false)), nil
}

func (s *Server) getPolicyVersion(ctx context.Context, c *call) (*node, error) {
	in, err := versionInput(c.p)
	if err != nil {
		return nil, err
	}
	v, err := s.cfg.IAM.GetPolicyVersion(ctx, c.caller, in)
	if err != nil {
		return nil, err
	}
	return el("", versionNode("PolicyVersion", v, true)), nil
}

func (s *Server) listPolicyVersions(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListPolicyVersions(ctx, c.caller, policyRef(c.p), li)
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(page.Items))
	for _, v := range page.Items {
		members = append(members, versionNode("", v, false))
	}
	return pageNodes(el("", list("Versions", members)), page.Marker), nil
}

func (s *Server) deletePolicyVersion(ctx context.Context, c *call) (*node, error) {
	in, err := versionInput(c.p)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.IAM.DeletePolicyVersion(ctx, c.caller, in)
}

func (s *Server) setDefaultPolicyVersion(ctx context.Context, c *call) (*node, error) {
	in, err := versionInput(c.p)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.IAM.SetDefaultPolicyVersion(ctx, c.caller, in)
}
