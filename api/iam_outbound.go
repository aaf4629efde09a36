package api

import "context"

func (s *Server) enableOutboundWebIdentityFederation(ctx context.Context, c *call) (*node, error) {
	issuer, err := s.cfg.IAM.EnableOutboundWebIdentityFederation(ctx, c.caller)
	if err != nil {
		return nil, err
	}
	return el("", leaf("IssuerIdentifier", issuer)), nil
}

func (s *Server) disableOutboundWebIdentityFederation(ctx context.Context, c *call) (*node, error) {
	return nil, s.cfg.IAM.DisableOutboundWebIdentityFederation(ctx, c.caller)
}

func (s *Server) getOutboundWebIdentityFederationInfo(ctx context.Context, c *call) (*node, error) {
	info, err := s.cfg.IAM.GetOutboundWebIdentityFederationInfo(ctx, c.caller)
	if err != nil {
		return nil, err
	}
	res := el("")
	if info.IssuerIdentifier != "" {
		res.kids = append(res.kids, leaf("IssuerIdentifier", info.IssuerIdentifier))
	}
	res.kids = append(res.kids, boolLeaf("JwtVendingEnabled", info.Enabled))
	return res, nil
}
