package iam

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/samlidentity"
)

// SAML provider model rules (botocore iam service-2.json:
// SAMLMetadataDocumentType, SAMLProviderNameType, privateKeyType,
// privateKeyIdType, arnType).
var (
	ruleSAMLMetadata   = opensts.StringRule{Min: opensts.MinSAMLMetadataLen, Max: opensts.MaxSAMLMetadataLen}
	ruleSAMLName       = opensts.StringRule{Required: true, Min: 1, Max: 128, Pattern: &patternSAMLName}
	ruleSAMLPrivateKey = opensts.StringRule{Min: 1, Max: 16384, Pattern: &opensts.PatternPolicyText, Sensitive: true}
	ruleSAMLKeyID      = opensts.StringRule{Min: 22, Max: 64, Pattern: &patternSAMLKeyID}
	ruleSAMLARN        = required(ruleARN)

	patternSAMLName  = opensts.NewPattern(`[\w._-]+`, `[\w._-]+`)
	patternSAMLKeyID = opensts.NewPattern(`[A-Z0-9]+`, `[A-Z0-9]+`)
)

// samlValidForYears is how long a provider is valid when its metadata carries
// no validUntil: AWS's CLI example shows 100 years (roles-spec §4.2).
const samlValidForYears = 100

// samlMetadataError is IAM's refusal of a metadata document it cannot use
// (roles-spec §4.2; the code is not published, 400 InvalidInput is ours).
// The parser's reason is logged, never sent.
func samlMetadataError(cause error) error {
	return &opensts.Error{Kind: opensts.ErrInvalidInput, Message: "Could not parse metadata.", Err: cause}
}

// newUUID returns IAM's SAMLProviderUUID: a random (version 4) UUID
// written as 32 upper-case hexadecimal digits without dashes, as the model
// requires of it (botocore privateKeyIdType: 22–64 of [A-Z0-9]).
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X", b)
}

// errSAMLEncryption refuses what OpenSTS does not support: encrypted
// assertions, so no private keys to decrypt them and no Required mode.
var errSAMLEncryption = opensts.Errorf(opensts.ErrInvalidInput,
	"Encrypted SAML assertions are not supported by OpenSTS: AssertionEncryptionMode Required, AddPrivateKey and RemovePrivateKey are refused.")

func noSuchSAMLProvider(arn string) error {
	return opensts.Errorf(opensts.ErrNotFound, "Manifest not found for arn %s", arn)
}

// checkSAMLEncryption validates the encryption parameters against the
// model: AssertionEncryptionMode Required|Allowed, AddPrivateKey 1–16384,
// RemovePrivateKey 22–64 of [A-Z0-9].
func checkSAMLEncryption(v *opensts.ValidationError, mode, addKey, removeKey *string) {
	v.CheckEnum("assertionEncryptionMode", mode, false, "Required", "Allowed")
	v.CheckString("addPrivateKey", addKey, ruleSAMLPrivateKey)
	v.CheckString("removePrivateKey", removeKey, ruleSAMLKeyID)
}

// refuseSAMLEncryption refuses encrypted assertions: a private key to add
// or remove, or Required. Allowed is accepted: it is what OpenSTS reports.
func refuseSAMLEncryption(mode, addKey, removeKey *string) error {
	if addKey != nil || removeKey != nil || mode != nil && *mode == "Required" {
		return errSAMLEncryption
	}
	return nil
}

// readSAMLMetadata parses a metadata document and sets p's metadata,
// entity id and validity (the metadata's validUntil, else 100 years after
// p's creation).
func readSAMLMetadata(p *opensts.SAMLProvider, doc string) error {
	md, err := samlidentity.ParseMetadata(doc)
	if err != nil {
		return samlMetadataError(err)
	}
	p.MetadataDocument, p.EntityID, p.ValidUntil = doc, md.EntityID, md.ValidUntil
	if p.ValidUntil.IsZero() {
		p.ValidUntil = p.CreatedAt.AddDate(samlValidForYears, 0, 0)
	}
	return nil
}

// samlProvider finds the provider an ARN names in the caller's account.
// An ARN of another kind or account names no provider of the account:
// NoSuchEntity, as for one that does not exist.
func (s *Service) samlProvider(ctx context.Context, accountID, arn string) (opensts.SAMLProvider, error) {
	acct, name, ok := opensts.ParseSAMLProviderARN(arn)
	if !ok || acct != accountID {
		return opensts.SAMLProvider{}, noSuchSAMLProvider(arn)
	}
	p, err := s.cfg.Store.GetSAMLProvider(ctx, accountID, name)
	if errors.Is(err, opensts.ErrNotFound) {
		return p, noSuchSAMLProvider(arn)
	}
	if err != nil {
		return p, fmt.Errorf("get SAML provider %s: %w", arn, err)
	}
	return p, nil
}

// namedSAMLProvider validates the ARN and extra's members, resolves the
// provider and authorizes iam:action on it with its tags as the
// resource's and the facts req adds.
func (s *Service) namedSAMLProvider(ctx context.Context, caller *opensts.Principal, arn *string, action string, extra func(*opensts.ValidationError), req opensts.RequestFacts) (opensts.SAMLProvider, error) {
	var v opensts.ValidationError
	v.CheckString("sAMLProviderArn", arn, ruleSAMLARN)
	if extra != nil {
		extra(&v)
	}
	if err := v.Err(); err != nil {
		return opensts.SAMLProvider{}, err
	}
	p, err := s.samlProvider(ctx, caller.AccountID, *arn)
	if err != nil {
		return p, err
	}
	req.ResourceTags = p.Tags
	return p, s.authorizeWith(ctx, caller, action, p.ARN(), req)
}

// updateSAMLProvider stores fn's change to a provider, NoSuchEntity if it
// is gone.
func (s *Service) updateSAMLProvider(ctx context.Context, p opensts.SAMLProvider, fn func(*opensts.SAMLProvider) error) error {
	err := s.cfg.Store.UpdateSAMLProvider(ctx, p.AccountID, p.ID, fn)
	switch {
	case errors.Is(err, opensts.ErrNotFound):
		return noSuchSAMLProvider(p.ARN())
	case err != nil:
		var de *opensts.Error
		if errors.As(err, &de) {
			return err
		}
		return fmt.Errorf("update SAML provider %s: %w", p.ARN(), err)
	}
	return nil
}

// CreateSAMLProviderInput mirrors IAM CreateSAMLProvider.
type CreateSAMLProviderInput struct {
	SAMLMetadataDocument    *string
	Name                    *string
	Tags                    []TagInput
	AssertionEncryptionMode *string
	AddPrivateKey           *string
}

// Validate: SAMLMetadataDocument 1000–10,000,000 characters; Name 1–128 of
// [\w._-]; at most 50 tags; AssertionEncryptionMode Required|Allowed;
// AddPrivateKey 1–16384.
func (in CreateSAMLProviderInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("sAMLMetadataDocument", in.SAMLMetadataDocument, required(ruleSAMLMetadata))
	v.CheckString("name", in.Name, ruleSAMLName)
	validateTags(&v, in.Tags)
	checkSAMLEncryption(&v, in.AssertionEncryptionMode, in.AddPrivateKey, nil)
	return v.Err()
}

// CreateSAMLProvider creates a SAML provider from an IdP's metadata
// (roles-spec §4.2). Encrypted assertions are not supported: Required and
// a private key are refused with InvalidInput.
func (s *Service) CreateSAMLProvider(ctx context.Context, caller *opensts.Principal, in CreateSAMLProviderInput) (opensts.SAMLProvider, error) {
	if err := in.Validate(); err != nil {
		return opensts.SAMLProvider{}, err
	}
	p := opensts.SAMLProvider{
		AccountID: caller.AccountID,
		ID:        opensts.NewID(opensts.PrefixSAMLProvider, 17),
		UUID:      newUUID(),
		Name:      *in.Name,
		CreatedAt: s.now(),
	}
	if err := s.authorizeWith(ctx, caller, "CreateSAMLProvider", p.ARN(), opensts.RequestFacts{Tags: requestTags(in.Tags)}); err != nil {
		return opensts.SAMLProvider{}, err
	}
	if err := refuseSAMLEncryption(in.AssertionEncryptionMode, in.AddPrivateKey, nil); err != nil {
		return opensts.SAMLProvider{}, err
	}
	if err := readSAMLMetadata(&p, *in.SAMLMetadataDocument); err != nil {
		return opensts.SAMLProvider{}, err
	}
	var err error
	if p.Tags, err = toTags(in.Tags); err != nil {
		return opensts.SAMLProvider{}, err
	}
	switch err := s.cfg.Store.CreateSAMLProvider(ctx, p, opensts.MaxSAMLProviders); {
	case errors.Is(err, opensts.ErrAlreadyExists):
		return opensts.SAMLProvider{}, opensts.Errorf(opensts.ErrAlreadyExists, "SAMLProvider with name %s already exists.", p.Name)
	case errors.Is(err, opensts.ErrLimitExceeded):
		return opensts.SAMLProvider{}, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for SAMLProvidersPerAccount: %d", opensts.MaxSAMLProviders)
	case err != nil:
		return opensts.SAMLProvider{}, fmt.Errorf("create SAML provider: %w", err)
	}
	return p, nil
}

// SAMLProviderRef names a provider by its ARN.
type SAMLProviderRef struct {
	SAMLProviderArn *string
}

// GetSAMLProvider describes a provider.
func (s *Service) GetSAMLProvider(ctx context.Context, caller *opensts.Principal, in SAMLProviderRef) (opensts.SAMLProvider, error) {
	return s.namedSAMLProvider(ctx, caller, in.SAMLProviderArn, "GetSAMLProvider", nil, opensts.RequestFacts{})
}

// ListSAMLProviders lists the account's providers by name (IAM's listing
// is not paged).
func (s *Service) ListSAMLProviders(ctx context.Context, caller *opensts.Principal) ([]opensts.SAMLProvider, error) {
	if err := s.authorize(ctx, caller, "ListSAMLProviders", "arn:aws:iam::"+caller.AccountID+":saml-provider/"); err != nil {
		return nil, err
	}
	list, err := s.cfg.Store.ListSAMLProviders(ctx, caller.AccountID)
	if err != nil {
		return nil, fmt.Errorf("list SAML providers: %w", err)
	}
	return list, nil
}

// UpdateSAMLProviderInput mirrors IAM UpdateSAMLProvider.
type UpdateSAMLProviderInput struct {
	SAMLProviderArn         *string
	SAMLMetadataDocument    *string // optional since the encryption options came
	AssertionEncryptionMode *string
	AddPrivateKey           *string
	RemovePrivateKey        *string
}

// UpdateSAMLProvider replaces a provider's metadata; its entity id,
// certificates and validity are read from the new document. Without a
// document it changes nothing.
func (s *Service) UpdateSAMLProvider(ctx context.Context, caller *opensts.Principal, in UpdateSAMLProviderInput) (opensts.SAMLProvider, error) {
	p, err := s.namedSAMLProvider(ctx, caller, in.SAMLProviderArn, "UpdateSAMLProvider", func(v *opensts.ValidationError) {
		v.CheckString("sAMLMetadataDocument", in.SAMLMetadataDocument, ruleSAMLMetadata)
		checkSAMLEncryption(v, in.AssertionEncryptionMode, in.AddPrivateKey, in.RemovePrivateKey)
	}, opensts.RequestFacts{})
	if err != nil {
		return p, err
	}
	if err := refuseSAMLEncryption(in.AssertionEncryptionMode, in.AddPrivateKey, in.RemovePrivateKey); err != nil {
		return p, err
	}
	if in.SAMLMetadataDocument == nil {
		return p, nil
	}
	next := p
	if err := readSAMLMetadata(&next, *in.SAMLMetadataDocument); err != nil {
		return p, err
	}
	err = s.updateSAMLProvider(ctx, p, func(cur *opensts.SAMLProvider) error {
		cur.MetadataDocument, cur.EntityID, cur.ValidUntil = next.MetadataDocument, next.EntityID, next.ValidUntil
		return nil
	})
	return next, err
}

// DeleteSAMLProvider deletes a provider. Roles that trust it keep their
// trust policies; its assertions stop working.
func (s *Service) DeleteSAMLProvider(ctx context.Context, caller *opensts.Principal, in SAMLProviderRef) error {
	p, err := s.namedSAMLProvider(ctx, caller, in.SAMLProviderArn, "DeleteSAMLProvider", nil, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	switch err := s.cfg.Store.DeleteSAMLProvider(ctx, p.AccountID, p.ID); {
	case errors.Is(err, opensts.ErrNotFound):
		return noSuchSAMLProvider(p.ARN())
	case err != nil:
		return fmt.Errorf("delete SAML provider: %w", err)
	}
	return nil
}

// TagSAMLProviderInput mirrors Tag/UntagSAMLProvider.
type TagSAMLProviderInput struct {
	SAMLProviderArn *string
	Tags            []TagInput // TagSAMLProvider
	TagKeys         []string   // UntagSAMLProvider
}

// TagSAMLProvider adds or overwrites tags; a provider has at most 50.
func (s *Service) TagSAMLProvider(ctx context.Context, caller *opensts.Principal, in TagSAMLProviderInput) error {
	return s.taggedSAMLProviders().tag(ctx, caller, in.SAMLProviderArn, "TagSAMLProvider", in.Tags)
}

// UntagSAMLProvider removes tags by key; absent keys are ignored.
func (s *Service) UntagSAMLProvider(ctx context.Context, caller *opensts.Principal, in TagSAMLProviderInput) error {
	return s.taggedSAMLProviders().untag(ctx, caller, in.SAMLProviderArn, "UntagSAMLProvider", in.TagKeys)
}

// ListSAMLProviderTags pages through a provider's tags.
func (s *Service) ListSAMLProviderTags(ctx context.Context, caller *opensts.Principal, in SAMLProviderRef, li ListInput) (opensts.Page[opensts.Tag], error) {
	return s.taggedSAMLProviders().list(ctx, caller, in.SAMLProviderArn, "ListSAMLProviderTags", li)
}
