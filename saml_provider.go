package opensts

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"time"
)

// IAM's SAML provider quotas and bounds (roles-spec §4.2).
const (
	MaxSAMLProviders         = 100 // per account
	MaxSAMLMetadataLen       = 10_000_000
	MinSAMLMetadataLen       = 1000
	PrefixSAMLProvider       = "SAMP"
	samlProviderARNSeparator = ":saml-provider/"
)

// SAMLProvider is an IAM SAML 2.0 identity provider: an IdP whose signed
// assertions AssumeRoleWithSAML accepts for the roles that trust it. Names
// are unique in an account, compared without case as IAM's names are.
type SAMLProvider struct {
	AccountID string
	// ID is OpenSTS's own unique id (SAMP + 17 characters), which role
	// sessions issued through the provider carry: a provider deleted and
	// created again under the same name is another provider, whose
	// predecessor's sessions end. IAM's API never shows it.
	ID string
	// UUID is IAM's SAMLProviderUUID (GetSAMLProvider), a random UUID in
	// 32 upper-case hexadecimal digits (the model allows 22–64 of [A-Z0-9]).
	UUID string
	Name string // 1–128 of [\w._-]
	// MetadataDocument is the IdP's SAML metadata as uploaded; EntityID and
	// ValidUntil are read from it when it is set. The signing certificates
	// are read from the document where assertions are verified.
	MetadataDocument string
	EntityID         string
	// ValidUntil is the metadata's validUntil, or 100 years after the
	// upload when it has none (roles-spec §4.2).
	ValidUntil time.Time
	Tags       []Tag
	CreatedAt  time.Time
}

// ARN returns the provider's ARN, arn:aws:iam::ACCOUNT:saml-provider/NAME.
func (p SAMLProvider) ARN() string { return SAMLProviderARN(p.AccountID, p.Name) }

// NameQualifier is AssumeRoleWithSAML's NameQualifier and the
// saml:namequalifier key of the provider's sessions:
// Base64(SHA1(entity id + account id + "/" + provider name)) (roles-spec
// §4.5), which with saml:sub names a federated user uniquely.
func (p SAMLProvider) NameQualifier() string {
	sum := sha1.Sum([]byte(p.EntityID + p.AccountID + "/" + p.Name))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// SAMLProviderARN is the ARN of the account's SAML provider named name.
func SAMLProviderARN(accountID, name string) string {
	return "arn:aws:iam::" + accountID + samlProviderARNSeparator + name
}

// ParseSAMLProviderARN returns the account and name a SAML provider ARN
// names; ok is false for anything else.
func ParseSAMLProviderARN(arn string) (accountID, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:aws:iam::")
	if !found {
		return "", "", false
	}
	acct, name, found := strings.Cut(rest, samlProviderARNSeparator)
	if !found || acct == "" || strings.Contains(acct, ":") || name == "" || strings.Contains(name, "/") {
		return "", "", false
	}
	return acct, name, true
}

// SAMLProviders persists IAM SAML providers.
type SAMLProviders interface {
	// CreateSAMLProvider fails with ErrAlreadyExists when the account has a
	// provider of the same name (compared without case) and
	// ErrLimitExceeded when it already has maxProviders providers.
	CreateSAMLProvider(ctx context.Context, p SAMLProvider, maxProviders int) error
	// GetSAMLProvider looks a provider up by name, without case.
	GetSAMLProvider(ctx context.Context, accountID, name string) (SAMLProvider, error)
	GetSAMLProviderByID(ctx context.Context, accountID, id string) (SAMLProvider, error)
	// ListSAMLProviders lists the account's providers in name order (IAM's
	// listing is not paged: at most MaxSAMLProviders).
	ListSAMLProviders(ctx context.Context, accountID string) ([]SAMLProvider, error)
	// UpdateSAMLProvider changes the metadata (with EntityID and
	// ValidUntil) and tags; fn may not change AccountID, ID, UUID, Name or
	// CreatedAt.
	UpdateSAMLProvider(ctx context.Context, accountID, id string, fn func(*SAMLProvider) error) error
	DeleteSAMLProvider(ctx context.Context, accountID, id string) error
}
