package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/sigv4"
	"github.com/opensts/opensts/token"
)

// Keys is the session-token key ring as the authenticator needs it.
type Keys interface {
	Ring() *token.Ring
	// RefreshForKey reloads the ring (rate-limited) when it lacks key id and
	// reports whether the ring now holds it.
	RefreshForKey(ctx context.Context, id uint32) bool
}

// Credentials is the part of the store that authentication reads.
type Credentials interface {
	GetAccessKey(ctx context.Context, id string) (opensts.AccessKey, error)
	GetUserByID(ctx context.Context, accountID, userID string) (opensts.User, error)
	GetRoleByID(ctx context.Context, accountID, roleID string) (opensts.Role, error)
	GetOIDCProviderByID(ctx context.Context, accountID, id string) (opensts.OIDCProvider, error)
	GetSAMLProviderByID(ctx context.Context, accountID, id string) (opensts.SAMLProvider, error)
}

// AuthenticatorConfig wires an Authenticator.
type AuthenticatorConfig struct {
	Store    Credentials
	Box      *atrest.Box
	Keys     Keys
	Verifier *sigv4.Verifier
	Now      func() time.Time
	Logger   *slog.Logger
	// CacheTTL bounds how long credentials read from the store are reused;
	// zero takes DefaultCredentialCacheTTL, negative disables the cache.
	CacheTTL time.Duration
}

// Authenticator resolves who signed a request.
type Authenticator struct {
	cfg   AuthenticatorConfig
	cache *credentialCache
}

// NewAuthenticator returns an Authenticator.
func NewAuthenticator(cfg AuthenticatorConfig) (*Authenticator, error) {
	if cfg.Store == nil || cfg.Box == nil || cfg.Keys == nil {
		return nil, errors.New("access: Store, Box and Keys are required")
	}
	if cfg.Verifier == nil {
		cfg.Verifier = sigv4.NewVerifier(4096)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCredentialCacheTTL
	}
	return &Authenticator{cfg: cfg, cache: newCredentialCache(cfg.CacheTTL, 100_000)}, nil
}

// Invalidate forgets what this node cached about a long-term key, or about
// every key when id is empty. The IAM service calls it after each change to
// keys or users, so changes made through this node apply at once.
func (a *Authenticator) Invalidate(id string) { a.cache.invalidate(id) }

var (
	errInvalidToken = &opensts.Error{Kind: opensts.ErrInvalidClientToken, Message: "The security token included in the request is invalid."}
	errExpiredToken = &opensts.Error{Kind: opensts.ErrExpiredToken, Message: "The security token included in the request is expired"}
)

// invalid returns AWS's InvalidClientTokenId with an internal reason that is
// logged, never sent.
func invalid(reason string) error {
	return &opensts.Error{Kind: opensts.ErrInvalidClientToken, Message: errInvalidToken.Message, Err: errors.New(reason)}
}

// Authenticate verifies the request's signature and returns the principal
// that made it, in AWS's order of checks (spec §5.8): signature syntax,
// request time, credential scope (service must be service unless empty),
// key lookup, session token, signature. The parsed signature is returned
// whenever it parsed, for debug logging of the canonical request.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte, service string) (*opensts.Principal, *sigv4.Request, error) {
	sig, err := sigv4.Parse(r, body)
	if err != nil {
		return nil, nil, err
	}
	if err := sig.CheckTime(a.cfg.Now()); err != nil {
		return nil, sig, err
	}
	if service != "" {
		if err := sig.CheckService(service); err != nil {
			return nil, sig, err
		}
	}
	var p *opensts.Principal
	if strings.HasPrefix(sig.AccessKeyID, opensts.PrefixTemporaryKey) {
		p, err = a.temporary(ctx, sig)
	} else {
		p, err = a.longTerm(ctx, sig)
	}
	if err != nil {
		return nil, sig, err
	}
	return p, sig, nil
}

func (a *Authenticator) longTerm(ctx context.Context, sig *sigv4.Request) (*opensts.Principal, error) {
	if sig.SecurityToken != "" {
		return nil, invalid("security token sent with long-term access key")
	}
	cr, err := a.credentials(ctx, sig.AccessKeyID)
	if err != nil {
		return nil, err
	}
	secret, err := a.cfg.Box.Open(cr.key.SealedSecret, cr.aad)
	if err != nil {
		return nil, fmt.Errorf("open secret of access key %s: %w", cr.key.ID, err)
	}
	err = a.cfg.Verifier.VerifyBytes(sig, secret)
	clear(secret)
	if err != nil {
		return nil, err
	}
	return cr.principal(), nil
}

// credentials returns an active long-term key and its owner, from the cache
// or the store; InvalidClientTokenId when the key is unknown or inactive or
// its user is gone.
func (a *Authenticator) credentials(ctx context.Context, id string) (credentials, error) {
	now := a.cfg.Now()
	if cr, ok := a.cache.get(id, now); ok {
		return cr, nil
	}
	key, err := a.cfg.Store.GetAccessKey(ctx, id)
	if errors.Is(err, opensts.ErrNotFound) {
		return credentials{}, invalid("unknown access key")
	}
	if err != nil {
		return credentials{}, err // the store's error names what it looked up
	}
	if key.Status != opensts.AccessKeyActive {
		return credentials{}, invalid("access key is inactive")
	}
	cr := credentials{key: key, aad: key.SecretAAD(), root: key.IsRoot(), fetched: now}
	if !cr.root {
		cr.user, err = a.cfg.Store.GetUserByID(ctx, key.AccountID, key.UserID)
		if errors.Is(err, opensts.ErrNotFound) {
			return credentials{}, invalid("owner of access key no longer exists")
		}
		if err != nil {
			return credentials{}, fmt.Errorf("get user of access key %s: %w", key.ID, err)
		}
	}
	a.cache.put(id, cr)
	return cr, nil
}

// principal is the root or IAM user owning the key, signing with it.
func (cr credentials) principal() *opensts.Principal {
	h := opensts.Holder{Type: opensts.HolderRoot, AccountID: cr.key.AccountID, ID: cr.key.UserID}
	if !cr.root {
		h.Type = opensts.HolderUser
		h.Name, h.Path, h.Tags = cr.user.Name, cr.user.Path, cr.user.Tags
	}
	return &opensts.Principal{Holder: h, AccessKeyID: cr.key.ID}
}

func (a *Authenticator) temporary(ctx context.Context, sig *sigv4.Request) (*opensts.Principal, error) {
	if sig.SecurityToken == "" {
		return nil, invalid("temporary access key without security token")
	}
	claims, err := token.Open(a.cfg.Keys.Ring(), sig.SecurityToken, a.cfg.Now())
	if errors.Is(err, token.ErrUnknownKey) {
		// Another node may have rotated the ring since this one last loaded it.
		if id, kerr := token.KeyID(sig.SecurityToken); kerr == nil && a.cfg.Keys.RefreshForKey(ctx, id) {
			claims, err = token.Open(a.cfg.Keys.Ring(), sig.SecurityToken, a.cfg.Now())
		}
	}
	switch {
	case errors.Is(err, token.ErrExpired):
		return nil, errExpiredToken
	case err != nil:
		return nil, &opensts.Error{Kind: opensts.ErrInvalidClientToken, Message: errInvalidToken.Message, Err: err}
	}
	if claims.AccessKeyID != sig.AccessKeyID {
		return nil, invalid("session token belongs to another access key")
	}
	if err := a.cfg.Verifier.Verify(sig, claims.SecretAccessKey); err != nil {
		return nil, err
	}
	var p *opensts.Principal
	switch claims.Holder {
	case token.Root, token.User:
		// The session lives only as long as the long-term key and user
		// behind it, and acts with their permissions as they are now.
		cr, err := a.credentials(ctx, claims.SourceAccessKeyID)
		if err != nil {
			return nil, err
		}
		if cr.key.UserID != claims.HolderID || cr.key.AccountID != claims.AccountID {
			return nil, invalid("session's source key changed owner")
		}
		p = cr.principal()
	case token.Role:
		// A role session lives as long as its role and, when a long-term key
		// requested it (directly or through a chain), that key; it acts with
		// the role's permissions as they are now.
		if claims.SourceAccessKeyID != "" {
			if _, err := a.credentials(ctx, claims.SourceAccessKeyID); err != nil {
				return nil, err
			}
		}
		r, err := a.cfg.Store.GetRoleByID(ctx, claims.AccountID, claims.HolderID)
		if errors.Is(err, opensts.ErrNotFound) {
			return nil, invalid("role of the session no longer exists")
		}
		if err != nil {
			return nil, err // the store's error names what it looked up
		}
		p = &opensts.Principal{Holder: opensts.Holder{Type: opensts.HolderRole, AccountID: r.AccountID, ID: r.ID, Name: r.Name, Path: r.Path, Tags: r.Tags}}
	default:
		return nil, invalid("session of a holder this node does not serve: " + claims.Holder.String())
	}
	p.AccessKeyID = claims.AccessKeyID
	p.Session = sessionOf(claims)
	if claims.ProviderID != "" {
		fp, err := a.provider(ctx, claims)
		if err != nil {
			return nil, err
		}
		p.Session.Provider = fp
	}
	return p, nil
}

// provider resolves the identity provider that vouched for a federated
// session. The session lives only as long as the provider: one deleted
// (even if created again under the same URL, which makes another provider)
// ends the sessions issued through it, as a deleted role ends its own.
func (a *Authenticator) provider(ctx context.Context, c token.Claims) (*opensts.FederatedProvider, error) {
	var fp *opensts.FederatedProvider
	var err error
	switch c.Kind {
	case token.WebIdentity:
		var op opensts.OIDCProvider
		if op, err = a.cfg.Store.GetOIDCProviderByID(ctx, c.AccountID, c.ProviderID); err == nil {
			fp = &opensts.FederatedProvider{ARN: op.ARN(), KeyPrefix: op.Host(), Subject: c.Subject, Audience: c.Audience}
		}
	case token.SAML:
		var sp opensts.SAMLProvider
		if sp, err = a.cfg.Store.GetSAMLProviderByID(ctx, c.AccountID, c.ProviderID); err == nil {
			fp = &opensts.FederatedProvider{ARN: sp.ARN(), KeyPrefix: opensts.SAMLKeyPrefix, Subject: c.Subject, Audience: c.Audience,
				SubjectType: c.SubjectType, NameQualifier: sp.NameQualifier()}
		}
	default:
		return nil, invalid("session of a provider kind this node does not serve: " + c.Kind.String())
	}
	if errors.Is(err, opensts.ErrNotFound) {
		return nil, invalid("identity provider of the session no longer exists")
	}
	if err != nil {
		return nil, fmt.Errorf("get %s provider %s: %w", c.Kind, c.ProviderID, err)
	}
	return fp, nil
}

// sessionOf is the session a token's claims describe.
func sessionOf(c token.Claims) *opensts.Session {
	s := &opensts.Session{
		Kind:               sessionKind(c.Kind),
		Name:               c.SessionName,
		SourceAccessKeyID:  c.SourceAccessKeyID,
		IssuedAt:           c.IssuedAt,
		ExpiresAt:          c.ExpiresAt,
		MFAAuthenticatedAt: c.MFAAuthenticatedAt,
		Policy:             c.Policy,
		PolicyARNs:         c.PolicyARNs,
		SourceIdentity:     c.SourceIdentity,
	}
	for _, t := range c.Tags {
		s.Tags = append(s.Tags, opensts.Tag{Key: t.Key, Value: t.Value})
		if t.Transitive {
			s.TransitiveTagKeys = append(s.TransitiveTagKeys, t.Key)
		}
	}
	return s
}

// sessionKind is the domain's name for a token's session kind.
func sessionKind(k token.SessionKind) opensts.SessionKind {
	switch k {
	case token.SessionToken:
		return opensts.SessionToken
	case token.Federation:
		return opensts.SessionFederation
	case token.AssumedRole:
		return opensts.SessionAssumedRole
	case token.WebIdentity:
		return opensts.SessionWebIdentity
	case token.SAML:
		return opensts.SessionSAML
	}
	panic(fmt.Sprintf("access: unknown session kind %d", k)) // Open accepts no other
}
