package opensts

import (
	"context"
	"strings"
	"time"
)

// IAM's OIDC provider quotas and bounds (roles-spec §3.3).
const (
	MaxOIDCProviders         = 100 // per account
	MaxOIDCClientIDs         = 100 // per provider
	MaxOIDCThumbprints       = 5   // per provider
	PrefixOIDCProvider       = "OIDP"
	oidcProviderARNSeparator = ":oidc-provider/"
)

// OIDCProvider is an IAM OpenID Connect identity provider: an issuer whose
// ID tokens AssumeRoleWithWebIdentity accepts for the roles that trust it.
// An account has at most one provider per URL; URLs compare exactly, with
// their case (roles-spec §3.3).
type OIDCProvider struct {
	AccountID string
	// ID is OpenSTS's own unique id (OIDP + 17 characters), which role
	// sessions issued through the provider carry: a provider deleted and
	// created again under the same URL is another provider, whose
	// predecessor's sessions end. IAM's API never shows it.
	ID string
	// URL is the issuer, exactly the tokens' iss claim: https://, a host, an
	// optional path; no port, query or fragment.
	URL string
	// ClientIDs are the audiences accepted (ClientIDList), in the order
	// they were added, without duplicates.
	ClientIDs []string
	// Thumbprints are SHA-1 fingerprints (40 hexadecimal characters) of
	// certificates the issuer's HTTPS endpoints may present when their
	// chain is not trusted otherwise (ThumbprintList).
	Thumbprints []string
	Tags        []Tag
	CreatedAt   time.Time
}

// ARN returns the provider's ARN, arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH.
func (p OIDCProvider) ARN() string { return OIDCProviderARN(p.AccountID, p.URL) }

// Host is the URL without its scheme: the ARN's resource part and the
// prefix of the provider's condition keys (<host/path>:sub, :aud).
func (p OIDCProvider) Host() string { return strings.TrimPrefix(p.URL, "https://") }

// OIDCProviderARN is the ARN of the account's provider for an issuer URL.
func OIDCProviderARN(accountID, url string) string {
	return "arn:aws:iam::" + accountID + oidcProviderARNSeparator + strings.TrimPrefix(url, "https://")
}

// ParseOIDCProviderARN returns the account and issuer URL an OIDC provider
// ARN names; ok is false for anything else.
func ParseOIDCProviderARN(arn string) (accountID, url string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", false
	}
	acct, host, found := strings.Cut(rest, oidcProviderARNSeparator)
	if !found || acct == "" || strings.Contains(acct, ":") || host == "" {
		return "", "", false
	}
	return acct, "https://" + host, true
}

// OIDCProviders persists IAM OpenID Connect providers.
type OIDCProviders interface {
	// CreateOIDCProvider fails with ErrAlreadyExists when the account has a
	// provider with the same URL (compared exactly) and ErrLimitExceeded
	// when it already has maxProviders providers.
	CreateOIDCProvider(ctx context.Context, p OIDCProvider, maxProviders int) error
	// GetOIDCProvider looks a provider up by its exact URL.
	GetOIDCProvider(ctx context.Context, accountID, url string) (OIDCProvider, error)
	GetOIDCProviderByID(ctx context.Context, accountID, id string) (OIDCProvider, error)
	// ListOIDCProviders lists the account's providers in URL order (IAM's
	// listing is not paged: at most MaxOIDCProviders).
	ListOIDCProviders(ctx context.Context, accountID string) ([]OIDCProvider, error)
	// UpdateOIDCProvider changes client ids, thumbprints and tags; fn may
	// not change AccountID, ID, URL or CreatedAt.
	UpdateOIDCProvider(ctx context.Context, accountID, id string, fn func(*OIDCProvider) error) error
	DeleteOIDCProvider(ctx context.Context, accountID, id string) error
}
