package api

import (
	"context"

	"github.com/opensts/opensts/iam"
)

// IAM SAML provider operations (roles-spec §4.2).

func samlProviderRef(p params) iam.SAMLProviderRef {
	return iam.SAMLProviderRef{SAMLProviderArn: p.get("SAMLProviderArn")}
}

func (s *Server) createSAMLProvider(ctx context.Context, c *call) (*node, error) {
	p, err := s.cfg.IAM.CreateSAMLProvider(ctx, c.caller, iam.CreateSAMLProviderInput{
		SAMLMetadataDocument: c.p.get("SAMLMetadataDocument"), Name: c.p.get("Name"), Tags: tagInputs(c.p),
		AssertionEncryptionMode: c.p.get("AssertionEncryptionMode"), AddPrivateKey: c.p.get("AddPrivateKey"),
	})
	if err != nil {
		return nil, err
	}
	return el("", leaf("SAMLProviderArn", p.ARN()), tagsNode(p.Tags)), nil
}

// getSAMLProvider reports AssertionEncryptionMode Allowed, AWS's mode for
// a provider without private keys (plain assertions accepted).
func (s *Server) getSAMLProvider(ctx context.Context, c *call) (*node, error) {
	p, err := s.cfg.IAM.GetSAMLProvider(ctx, c.caller, samlProviderRef(c.p))
	if err != nil {
		return nil, err
	}
	return el("", leaf("SAMLProviderUUID", p.UUID), leaf("SAMLMetadataDocument", p.MetadataDocument),
		timeLeaf("CreateDate", p.CreatedAt), timeLeaf("ValidUntil", p.ValidUntil), tagsNode(p.Tags),
		leaf("AssertionEncryptionMode", "Allowed")), nil
}

func (s *Server) listSAMLProviders(ctx context.Context, c *call) (*node, error) {
	providers, err := s.cfg.IAM.ListSAMLProviders(ctx, c.caller)
	if err != nil {
		return nil, err
	}
	members := make([]*node, 0, len(providers))
	for _, p := range providers {
		members = append(members, el("", leaf("Arn", p.ARN()), timeLeaf("ValidUntil", p.ValidUntil), timeLeaf("CreateDate", p.CreatedAt)))
	}
	return el("", list("SAMLProviderList", members)), nil
}

func (s *Server) updateSAMLProvider(ctx context.Context, c *call) (*node, error) {
	p, err := s.cfg.IAM.UpdateSAMLProvider(ctx, c.caller, iam.UpdateSAMLProviderInput{
		SAMLProviderArn: c.p.get("SAMLProviderArn"), SAMLMetadataDocument: c.p.get("SAMLMetadataDocument"),
		AssertionEncryptionMode: c.p.get("AssertionEncryptionMode"), AddPrivateKey: c.p.get("AddPrivateKey"),
		RemovePrivateKey: c.p.get("RemovePrivateKey"),
	})
	if err != nil {
		return nil, err
	}
	return el("", leaf("SAMLProviderArn", p.ARN())), nil
}

func (s *Server) deleteSAMLProvider(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DeleteSAMLProvider(ctx, c.caller, samlProviderRef(c.p))
}

func (s *Server) tagSAMLProvider(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.TagSAMLProvider(ctx, c.caller, iam.TagSAMLProviderInput{
		SAMLProviderArn: c.p.get("SAMLProviderArn"), Tags: tagInputs(c.p),
	})
}

func (s *Server) untagSAMLProvider(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.UntagSAMLProvider(ctx, c.caller, iam.TagSAMLProviderInput{
		SAMLProviderArn: c.p.get("SAMLProviderArn"), TagKeys: c.p.list("TagKeys"),
	})
}

func (s *Server) listSAMLProviderTags(ctx context.Context, c *call) (*node, error) {
	li, err := listInput(c.p)
	if err != nil {
		return nil, err
	}
	page, err := s.cfg.IAM.ListSAMLProviderTags(ctx, c.caller, samlProviderRef(c.p), li)
	if err != nil {
		return nil, err
	}
	return pageNodes(el("", tagsNodeAlways(page.Items)), page.Marker), nil
}
