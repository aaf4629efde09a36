package api

import (
	"context"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/iam"
)

// listInput decodes Marker and MaxItems.
func listInput(p params) (iam.ListInput, error) {
	n, err := p.int32("MaxItems")
	return iam.ListInput{Marker: p.get("Marker"), MaxItems: n}, err
}

// pageNodes appends IsTruncated and, when truncated, Marker.
func pageNodes(res *node, marker string) *node {
	res.kids = append(res.kids, boolLeaf("IsTruncated", marker != ""))
	if marker != "" {
		res.kids = append(res.kids, leaf("Marker", marker))
	}
	return res
}

func tagsNode(tags []opensts.Tag) *node {
	if len(tags) == 0 {
		return nil
	}
	members := make([]*node, 0, len(tags))
	for _, t := range tags {
		members = append(members, el("", leaf("Key", t.Key), leaf("Value", t.Value)))
	}
	return list("Tags", members)
}

func tagInputs(p params) []iam.TagInput {
	var out []iam.TagInput
	for _, m := range p.structs("Tags", "Key", "Value") {
		out = append(out, iam.TagInput{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

// userNode renders an IAM User; full adds the members only GetUser and
// CreateUser return (boundary, tags).
func userNode(name string, u opensts.User, full bool) *node {
	n := el(name, leaf("Path", u.Path), leaf("UserName", u.Name), leaf("UserId", u.ID), leaf("Arn", u.ARN()), timeLeaf("CreateDate", u.CreatedAt))
	if full {
		n.kids = compact(append(n.kids, boundaryNode(u.PermissionsBoundary), tagsNode(u.Tags)))
	}
	return n
}

func (s *Server) createUser(ctx context.Context, c *call) (*node, error) {
	u, err := s.cfg.IAM.CreateUser(ctx, c.caller, iam.CreateUserInput{
		UserName: c.p.get("UserName"), Path: c.p.get("Path"),
		PermissionsBoundary: c.p.get("PermissionsBoundary"), Tags: tagInputs(c.p),
	})
	if err != nil {
		return nil, err
	}
	return el("", userNode("User", u, true)), nil
}

func (s *Server) getUser(ctx context.Context, c *call) (*node, error) {
	v, err := s.cfg.IAM.GetUser(ctx, c.caller, iam.UserRef{UserName: c.p.get("UserName")})
	if err != nil {
		return nil, err
	}
	if v.Root {
		return el("", el("User", leaf("UserId", v.ID), leaf("Arn", v.ARN), timeLeaf("CreateDate", v.CreatedAt))), nil
	}
	return el("", userNode("User", v.User, true)), nil
}

func (s *Server) listUsers(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListUsers(ctx, c.caller, iam.ListUsersInput{PathPrefix: c.p.get("PathPrefix"), ListInput: li})
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(page.Items))
	for _, u := range page.Items {
		members = append(members, userNode("", u, false))
	}
	return pageNodes(el("", list("Users", members)), page.Marker), nil
}

func (s *Server) deleteUser(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteUser(ctx, c.caller, iam.DeleteUserInput{UserName: c.p.get("UserName")})
}

func (s *Server) createAccessKey(ctx context.Context, c *call) (*node, error) {
	k, err := s.cfg.IAM.CreateAccessKey(ctx, c.caller, iam.UserRef{UserName: c.p.get("UserName")})
	if err != nil {
		return nil, err
	}
	return el("", el("AccessKey",
		optLeaf("UserName", nonEmpty(k.UserName)),
		leaf("AccessKeyId", k.ID),
		leaf("Status", string(k.Status)),
		leaf("SecretAccessKey", k.Secret),
		timeLeaf("CreateDate", k.CreatedAt))), nil
}

func (s *Server) listAccessKeys(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListAccessKeys(ctx, c.caller, iam.ListAccessKeysInput{UserRef: iam.UserRef{UserName: c.p.get("UserName")}, ListInput: li})
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(page.Items))
	for _, k := range page.Items {
		members = append(members, el("",
			optLeaf("UserName", nonEmpty(k.UserName)),
			leaf("AccessKeyId", k.ID),
			leaf("Status", string(k.Status)),
			timeLeaf("CreateDate", k.CreatedAt)))
	}
	return pageNodes(el("", list("AccessKeyMetadata", members)), page.Marker), nil
}

func accessKeyRef(p params) iam.AccessKeyRef {
	return iam.AccessKeyRef{AccessKeyID: p.get("AccessKeyId"), UserRef: iam.UserRef{UserName: p.get("UserName")}}
}

func (s *Server) updateAccessKey(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.UpdateAccessKey(ctx, c.caller, iam.UpdateAccessKeyInput{AccessKeyRef: accessKeyRef(c.p), Status: c.p.get("Status")})
}

func (s *Server) deleteAccessKey(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteAccessKey(ctx, c.caller, iam.DeleteAccessKeyInput{AccessKeyRef: accessKeyRef(c.p)})
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
