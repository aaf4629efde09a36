package iam

import (
	"context"
	"fmt"

	"github.com/opensts/opensts"
)

// OutboundInfo is GetOutboundWebIdentityFederationInfo's answer.
type OutboundInfo struct {
	// IssuerIdentifier is the account's issuer URL; Enabled whether its
	// principals may call GetWebIdentityToken (JwtVendingEnabled).
	IssuerIdentifier string
	Enabled          bool
}

var (
	errNoIssuerURL = opensts.Errorf(opensts.ErrInvalidInput,
		"Outbound web identity federation needs the URL this OpenSTS deployment is reached at, which relying parties fetch its keys from: start it with --issuer-url.")
	errFeatureEnabled  = opensts.Errorf(opensts.ErrFeatureEnabled, "Outbound web identity federation is already enabled for this account.")
	errFeatureDisabled = opensts.Errorf(opensts.ErrFeatureDisabled, "Outbound web identity federation is already disabled for this account.")
)

// EnableOutboundWebIdentityFederation lets the account's principals call
// GetWebIdentityToken and publishes the account's issuer (roles-spec
// §6.4). It returns the issuer URL; enabling twice is FeatureEnabled.
func (s *Service) EnableOutboundWebIdentityFederation(ctx context.Context, caller *opensts.Principal) (string, error) {
	if err := s.authorize(ctx, caller, "EnableOutboundWebIdentityFederation", "*"); err != nil {
		return "", err
	}
	if s.cfg.IssuerURL == "" {
		return "", errNoIssuerURL
	}
	was, err := s.cfg.Store.SetOutboundFederation(ctx, caller.AccountID, true, s.cfg.Now())
	if err != nil {
		return "", fmt.Errorf("enable outbound federation: %w", err)
	}
	if was {
		return "", errFeatureEnabled
	}
	return opensts.OutboundIssuer(s.cfg.IssuerURL, caller.AccountID), nil
}

// DisableOutboundWebIdentityFederation stops GetWebIdentityToken for the
// account and its issuer's discovery document; tokens already issued stay
// verifiable until they expire (the keys stay published). Disabling twice
// is FeatureDisabled.
func (s *Service) DisableOutboundWebIdentityFederation(ctx context.Context, caller *opensts.Principal) error {
	if err := s.authorize(ctx, caller, "DisableOutboundWebIdentityFederation", "*"); err != nil {
		return err
	}
	was, err := s.cfg.Store.SetOutboundFederation(ctx, caller.AccountID, false, s.cfg.Now())
	if err != nil {
		return fmt.Errorf("disable outbound federation: %w", err)
	}
	if !was {
		return errFeatureDisabled
	}
	return nil
}

// GetOutboundWebIdentityFederationInfo reports the account's issuer and
// whether the feature is on.
func (s *Service) GetOutboundWebIdentityFederationInfo(ctx context.Context, caller *opensts.Principal) (OutboundInfo, error) {
	if err := s.authorize(ctx, caller, "GetOutboundWebIdentityFederationInfo", "*"); err != nil {
		return OutboundInfo{}, err
	}
	st, err := s.cfg.Store.GetOutboundFederation(ctx, caller.AccountID)
	if err != nil {
		return OutboundInfo{}, fmt.Errorf("get outbound federation: %w", err)
	}
	info := OutboundInfo{Enabled: st.Enabled}
	if s.cfg.IssuerURL != "" {
		info.IssuerIdentifier = opensts.OutboundIssuer(s.cfg.IssuerURL, caller.AccountID)
	}
	return info, nil
}
