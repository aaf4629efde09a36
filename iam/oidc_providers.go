package iam

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/opensts/opensts"
)

// OIDC provider model rules (botocore iam service-2.json:
// OpenIDConnectProviderUrlType, clientIDType, thumbprintType, arnType).
var (
	ruleOIDCURL      = opensts.StringRule{Required: true, Min: 1, Max: 255}
	ruleOIDCClientID = opensts.StringRule{Min: 1, Max: 255}
	ruleThumbprint   = opensts.StringRule{Min: 40, Max: 40}
	ruleOIDCARN      = required(ruleARN)
)

// errInvalidOIDCURL is the refusal of an issuer URL that is not
// https://HOST[/PATH] (AWS's text is unknown; moto's, roles-spec §3.3).
var errInvalidOIDCURL = opensts.Errorf(opensts.ErrInvalidInput, "Invalid Open ID Connect Provider URL")

// ValidOIDCProviderURL reports whether u can be an IAM OIDC provider's URL
// (roles-spec §3.3): https:// (in lower case), a host, an optional path;
// no port, user information, query or fragment, no spaces or control
// characters. The URL is otherwise kept as given: it must equal the
// tokens' iss claim byte for byte. The error is InvalidInput.
func ValidOIDCProviderURL(u string) error {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok || rest == "" || strings.ContainsAny(rest, "?#@\\") {
		return errInvalidOIDCURL
	}
	for _, r := range rest {
		if r <= ' ' || r == 0x7f {
			return errInvalidOIDCURL
		}
	}
	host, _, _ := strings.Cut(rest, "/")
	if host == "" || strings.Contains(host, ":") {
		return errInvalidOIDCURL
	}
	p, err := url.Parse(u)
	if err != nil || p.Host != host || p.Port() != "" || p.User != nil || p.RawQuery != "" || p.ForceQuery || p.Fragment != "" {
		return errInvalidOIDCURL
	}
	return nil
}

func noSuchOIDCProvider(arn string) error {
	return opensts.Errorf(opensts.ErrNotFound, "OpenIDConnect Provider not found for arn %s", arn)
}

func oidcClientIDQuota() error {
	return opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", opensts.MaxOIDCClientIDs)
}

// checkClientIDs validates a ClientIDList (each 1–255 characters).
func checkClientIDs(v *opensts.ValidationError, field string, ids []string) {
	for i, id := range ids {
		v.CheckString(fmt.Sprintf("%s.%d.member", field, i+1), &id, ruleOIDCClientID)
	}
}

// checkThumbprints validates a ThumbprintList: each exactly 40 characters.
func checkThumbprints(v *opensts.ValidationError, list []string) {
	for i, tp := range list {
		v.CheckString(fmt.Sprintf("thumbprintList.%d.member", i+1), &tp, ruleThumbprint)
	}
}

// thumbprints checks what the model does not: at most MaxOIDCThumbprints,
// each hexadecimal (a SHA-1 fingerprint, either case). It returns the list
// as given without repeats (compared case-insensitively).
func thumbprints(list []string) ([]string, error) {
	var out []string
	for _, tp := range list {
		if strings.Trim(tp, "0123456789abcdefABCDEF") != "" {
			return nil, opensts.Errorf(opensts.ErrInvalidInput, "Thumbprint %s is not a hexadecimal SHA-1 fingerprint.", tp)
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, tp) }) {
			out = append(out, tp)
		}
	}
	if len(out) > opensts.MaxOIDCThumbprints {
		return nil, opensts.Errorf(opensts.ErrInvalidInput, "Thumbprint list must contain fewer than %d entries.", opensts.MaxOIDCThumbprints)
	}
	return out, nil
}

// dedupe returns list without repeats, first occurrences in order.
func dedupe(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// oidcProvider finds the provider an ARN names in the caller's account.
// An ARN of another kind or account names no provider of the account:
// NoSuchEntity, as for one that does not exist.
func (s *Service) oidcProvider(ctx context.Context, accountID, arn string) (opensts.OIDCProvider, error) {
	acct, u, ok := opensts.ParseOIDCProviderARN(arn)
	if !ok || acct != accountID {
		return opensts.OIDCProvider{}, noSuchOIDCProvider(arn)
	}
	p, err := s.cfg.Store.GetOIDCProvider(ctx, accountID, u)
	if errors.Is(err, opensts.ErrNotFound) {
		return p, noSuchOIDCProvider(arn)
	}
	if err != nil {
		return p, fmt.Errorf("get OIDC provider %s: %w", arn, err)
	}
	return p, nil
}

// namedOIDCProvider validates the ARN and extra's members, resolves the
// provider and authorizes iam:action on it with its tags as the
// resource's and the facts req adds.
func (s *Service) namedOIDCProvider(ctx context.Context, caller *opensts.Principal, arn *string, action string, extra func(*opensts.ValidationError), req opensts.RequestFacts) (opensts.OIDCProvider, error) {
	var v opensts.ValidationError
	v.CheckString("openIDConnectProviderArn", arn, ruleOIDCARN)
	if extra != nil {
		extra(&v)
	}
	if err := v.Err(); err != nil {
		return opensts.OIDCProvider{}, err
	}
	p, err := s.oidcProvider(ctx, caller.AccountID, *arn)
	if err != nil {
		return p, err
	}
	req.ResourceTags = p.Tags
	return p, s.authorizeWith(ctx, caller, action, p.ARN(), req)
}

// updateOIDCProvider stores fn's change to a provider, NoSuchEntity if it
// is gone.
func (s *Service) updateOIDCProvider(ctx context.Context, p opensts.OIDCProvider, fn func(*opensts.OIDCProvider) error) error {
	err := s.cfg.Store.UpdateOIDCProvider(ctx, p.AccountID, p.ID, fn)
	switch {
	case errors.Is(err, opensts.ErrNotFound):
		return noSuchOIDCProvider(p.ARN())
	case err != nil:
		var de *opensts.Error
		if errors.As(err, &de) {
			return err
		}
		return fmt.Errorf("update OIDC provider %s: %w", p.ARN(), err)
	}
	return nil
}

// CreateOIDCProviderInput mirrors IAM CreateOpenIDConnectProvider.
type CreateOIDCProviderInput struct {
	Url            *string
	ClientIDList   []string
	ThumbprintList []string
	Tags           []TagInput
}

// Validate: Url 1–255; each client id 1–255; each thumbprint 40
// characters; at most 50 tags. The URL's form is checked after these
// (ValidOIDCProviderURL).
func (in CreateOIDCProviderInput) Validate() error {
	var v opensts.ValidationError
	v.CheckString("url", in.Url, ruleOIDCURL)
	checkClientIDs(&v, "clientIDList", in.ClientIDList)
	checkThumbprints(&v, in.ThumbprintList)
	validateTags(&v, in.Tags)
	return v.Err()
}

// CreateOpenIDConnectProvider creates an OIDC provider. The thumbprint list
// is optional (botocore 1.34.83): OpenSTS does not fetch one, it verifies
// the issuer's certificate against the system's trusted roots when none is
// given. Repeated client ids and thumbprints are kept once.
func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, caller *opensts.Principal, in CreateOIDCProviderInput) (opensts.OIDCProvider, error) {
	if err := in.Validate(); err != nil {
		return opensts.OIDCProvider{}, err
	}
	if err := ValidOIDCProviderURL(*in.Url); err != nil {
		return opensts.OIDCProvider{}, err
	}
	p := opensts.OIDCProvider{
		AccountID: caller.AccountID,
		ID:        opensts.NewID(opensts.PrefixOIDCProvider, 17),
		URL:       *in.Url,
		ClientIDs: dedupe(in.ClientIDList),
		CreatedAt: s.now(),
	}
	if err := s.authorizeWith(ctx, caller, "CreateOpenIDConnectProvider", p.ARN(), opensts.RequestFacts{Tags: requestTags(in.Tags)}); err != nil {
		return opensts.OIDCProvider{}, err
	}
	if len(p.ClientIDs) > opensts.MaxOIDCClientIDs {
		return opensts.OIDCProvider{}, oidcClientIDQuota()
	}
	var err error
	if p.Thumbprints, err = thumbprints(in.ThumbprintList); err != nil {
		return opensts.OIDCProvider{}, err
	}
	if p.Tags, err = toTags(in.Tags); err != nil {
		return opensts.OIDCProvider{}, err
	}
	switch err := s.cfg.Store.CreateOIDCProvider(ctx, p, opensts.MaxOIDCProviders); {
	case errors.Is(err, opensts.ErrAlreadyExists):
		return opensts.OIDCProvider{}, opensts.Errorf(opensts.ErrAlreadyExists, "Provider with url %s already exists.", p.URL)
	case errors.Is(err, opensts.ErrLimitExceeded):
		return opensts.OIDCProvider{}, opensts.Errorf(opensts.ErrLimitExceeded, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", opensts.MaxOIDCProviders)
	case err != nil:
		return opensts.OIDCProvider{}, fmt.Errorf("create OIDC provider: %w", err)
	}
	return p, nil
}

// OIDCProviderRef names a provider by its ARN.
type OIDCProviderRef struct {
	OpenIDConnectProviderArn *string
}

// GetOpenIDConnectProvider describes a provider.
func (s *Service) GetOpenIDConnectProvider(ctx context.Context, caller *opensts.Principal, in OIDCProviderRef) (opensts.OIDCProvider, error) {
	return s.namedOIDCProvider(ctx, caller, in.OpenIDConnectProviderArn, "GetOpenIDConnectProvider", nil, opensts.RequestFacts{})
}

// ListOpenIDConnectProviders lists the account's providers by URL (IAM's
// listing is not paged).
func (s *Service) ListOpenIDConnectProviders(ctx context.Context, caller *opensts.Principal) ([]opensts.OIDCProvider, error) {
	if err := s.authorize(ctx, caller, "ListOpenIDConnectProviders", "arn:aws:iam::"+caller.AccountID+":oidc-provider/"); err != nil {
		return nil, err
	}
	list, err := s.cfg.Store.ListOIDCProviders(ctx, caller.AccountID)
	if err != nil {
		return nil, fmt.Errorf("list OIDC providers: %w", err)
	}
	return list, nil
}

// DeleteOpenIDConnectProvider deletes a provider. Roles that trust it keep
// their trust policies; web identity tokens of its issuer stop working.
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, caller *opensts.Principal, in OIDCProviderRef) error {
	p, err := s.namedOIDCProvider(ctx, caller, in.OpenIDConnectProviderArn, "DeleteOpenIDConnectProvider", nil, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	switch err := s.cfg.Store.DeleteOIDCProvider(ctx, p.AccountID, p.ID); {
	case errors.Is(err, opensts.ErrNotFound):
		return noSuchOIDCProvider(p.ARN())
	case err != nil:
		return fmt.Errorf("delete OIDC provider: %w", err)
	}
	return nil
}

// OIDCClientIDInput mirrors Add/RemoveClientIDFromOpenIDConnectProvider.
type OIDCClientIDInput struct {
	OpenIDConnectProviderArn *string
	ClientID                 *string
}

// AddClientIDToOpenIDConnectProvider adds an audience; one already there
// is left as it is.
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, caller *opensts.Principal, in OIDCClientIDInput) error {
	p, err := s.namedOIDCProvider(ctx, caller, in.OpenIDConnectProviderArn, "AddClientIDToOpenIDConnectProvider", func(v *opensts.ValidationError) {
		v.CheckString("clientID", in.ClientID, required(ruleOIDCClientID))
	}, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	return s.updateOIDCProvider(ctx, p, func(cur *opensts.OIDCProvider) error {
		if slices.Contains(cur.ClientIDs, *in.ClientID) {
			return nil
		}
		if len(cur.ClientIDs) >= opensts.MaxOIDCClientIDs {
			return oidcClientIDQuota()
		}
		cur.ClientIDs = append(slices.Clone(cur.ClientIDs), *in.ClientID)
		return nil
	})
}

// RemoveClientIDFromOpenIDConnectProvider removes an audience; one that is
// not there is ignored.
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, caller *opensts.Principal, in OIDCClientIDInput) error {
	p, err := s.namedOIDCProvider(ctx, caller, in.OpenIDConnectProviderArn, "RemoveClientIDFromOpenIDConnectProvider", func(v *opensts.ValidationError) {
		v.CheckString("clientID", in.ClientID, required(ruleOIDCClientID))
	}, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	return s.updateOIDCProvider(ctx, p, func(cur *opensts.OIDCProvider) error {
		cur.ClientIDs = slices.DeleteFunc(slices.Clone(cur.ClientIDs), func(id string) bool { return id == *in.ClientID })
		return nil
	})
}

// OIDCThumbprintInput mirrors UpdateOpenIDConnectProviderThumbprint.
type OIDCThumbprintInput struct {
	OpenIDConnectProviderArn *string
	// ThumbprintList is nil when absent (refused) and empty for
	// "ThumbprintList=", which clears the list.
	ThumbprintList []string
}

// UpdateOpenIDConnectProviderThumbprint replaces the whole thumbprint list.
func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, caller *opensts.Principal, in OIDCThumbprintInput) error {
	p, err := s.namedOIDCProvider(ctx, caller, in.OpenIDConnectProviderArn, "UpdateOpenIDConnectProviderThumbprint", func(v *opensts.ValidationError) {
		if in.ThumbprintList == nil {
			v.Add("thumbprintList", nil, "not be null")
		}
		checkThumbprints(v, in.ThumbprintList)
	}, opensts.RequestFacts{})
	if err != nil {
		return err
	}
	list, err := thumbprints(in.ThumbprintList)
	if err != nil {
		return err
	}
	return s.updateOIDCProvider(ctx, p, func(cur *opensts.OIDCProvider) error {
		cur.Thumbprints = list
		return nil
	})
}

// TagOIDCProviderInput mirrors Tag/UntagOpenIDConnectProvider.
type TagOIDCProviderInput struct {
	OpenIDConnectProviderArn *string
	Tags                     []TagInput // TagOpenIDConnectProvider
	TagKeys                  []string   // UntagOpenIDConnectProvider
}

// TagOpenIDConnectProvider adds or overwrites tags; a provider has at most 50.
func (s *Service) TagOpenIDConnectProvider(ctx context.Context, caller *opensts.Principal, in TagOIDCProviderInput) error {
	return s.taggedOIDCProviders().tag(ctx, caller, in.OpenIDConnectProviderArn, "TagOpenIDConnectProvider", in.Tags)
}

// UntagOpenIDConnectProvider removes tags by key; absent keys are ignored.
func (s *Service) UntagOpenIDConnectProvider(ctx context.Context, caller *opensts.Principal, in TagOIDCProviderInput) error {
	return s.taggedOIDCProviders().untag(ctx, caller, in.OpenIDConnectProviderArn, "UntagOpenIDConnectProvider", in.TagKeys)
}

// ListOpenIDConnectProviderTags pages through a provider's tags.
func (s *Service) ListOpenIDConnectProviderTags(ctx context.Context, caller *opensts.Principal, in OIDCProviderRef, li ListInput) (opensts.Page[opensts.Tag], error) {
	return s.taggedOIDCProviders().list(ctx, caller, in.OpenIDConnectProviderArn, "ListOpenIDConnectProviderTags", li)
}
