package api

import (
	"context"
	"strings"

	"github.com/opensts/opensts/iam"
)

// IAM OpenID Connect provider operations (roles-spec §3.3).

func oidcProviderRef(p params) iam.OIDCProviderRef {
	return iam.OIDCProviderRef{OpenIDConnectProviderArn: p.get("OpenIDConnectProviderArn")}
}

// stringsNode renders a list of strings, empty or not.
func stringsNode(name string, items []string) *node {
	members := make([]*node, 0, len(items))
	for _, s := range items {
		members = append(members, leaf("", s))
	}
	return list(name, members)
}

func (s *Server) createOpenIDConnectProvider(ctx context.Context, c *call) (*node, error) {
	p, err := s.cfg.IAM.CreateOpenIDConnectProvider(ctx, c.caller, iam.CreateOIDCProviderInput{
		Url: c.p.get("Url"), ClientIDList: c.p.list("ClientIDList"), ThumbprintList: c.p.list("ThumbprintList"),
		Tags: tagInputs(c.p),
	})
	if err != nil {
		return nil, err
	}
	return el("", leaf("OpenIDConnectProviderArn", p.ARN()), tagsNode(p.Tags)), nil
}

// getOpenIDConnectProvider returns the Url without its scheme, as IAM does.
func (s *Server) getOpenIDConnectProvider(ctx context.Context, c *call) (*node, error) {
	p, err := s.cfg.IAM.GetOpenIDConnectProvider(ctx, c.caller, oidcProviderRef(c.p))
	if err != nil {
		return nil, err
	}
	return el("", leaf("Url", strings.TrimPrefix(p.URL, "https://")), stringsNode("ClientIDList", p.ClientIDs),
		stringsNode("ThumbprintList", p.Thumbprints), timeLeaf("CreateDate", p.CreatedAt), tagsNode(p.Tags)), nil
}

func (s *Server) listOpenIDConnectProviders(ctx context.Context, c *call) (*node, error) {
	providers, err := s.cfg.IAM.ListOpenIDConnectProviders(ctx, c.caller)
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(providers))
	for _, p := range providers {
		members = append(members, el("", leaf("Arn", p.ARN())))
	}
	return el("", list("OpenIDConnectProviderList", members)), nil
}

func (s *Server) deleteOpenIDConnectProvider(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteOpenIDConnectProvider(ctx, c.caller, oidcProviderRef(c.p))
}

func oidcClientIDInput(p params) iam.OIDCClientIDInput {
	return iam.OIDCClientIDInput{OpenIDConnectProviderArn: p.get("OpenIDConnectProviderArn"), ClientID: p.get("ClientID")}
}

func (s *Server) addClientIDToOpenIDConnectProvider(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.AddClientIDToOpenIDConnectProvider(ctx, c.caller, oidcClientIDInput(c.p))
}

func (s *Server) removeClientIDFromOpenIDConnectProvider(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.RemoveClientIDFromOpenIDConnectProvider(ctx, c.caller, oidcClientIDInput(c.p))
}

func (s *Server) updateOpenIDConnectProviderThumbprint(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.UpdateOpenIDConnectProviderThumbprint(ctx, c.caller, iam.OIDCThumbprintInput{
		OpenIDConnectProviderArn: c.p.get("OpenIDConnectProviderArn"), ThumbprintList: listOrEmpty(c.p, "ThumbprintList"),
	})
}

func (s *Server) tagOpenIDConnectProvider(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.TagOpenIDConnectProvider(ctx, c.caller, iam.TagOIDCProviderInput{
		OpenIDConnectProviderArn: c.p.get("OpenIDConnectProviderArn"), Tags: tagInputs(c.p),
	})
}

func (s *Server) untagOpenIDConnectProvider(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.UntagOpenIDConnectProvider(ctx, c.caller, iam.TagOIDCProviderInput{
		OpenIDConnectProviderArn: c.p.get("OpenIDConnectProviderArn"), TagKeys: c.p.list("TagKeys"),
	})
}

func (s *Server) listOpenIDConnectProviderTags(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListOpenIDConnectProviderTags(ctx, c.caller, oidcProviderRef(c.p), li)
	if err != nil {
		return nil, err
	}
	return pageNodes(el("", tagsNodeAlways(page.Items)), page.Marker), nil
}
