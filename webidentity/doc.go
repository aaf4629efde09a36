// Package webidentity validates the OpenID Connect ID tokens that
// AssumeRoleWithWebIdentity accepts, the way AWS STS does (roles-spec §3.4,
// §3.6, §3.10): a compact JWS signed RS256/RS384/RS512/ES256/ES384/ES512 with
// a key from the issuer's JWKS, found through
// <issuer>/.well-known/openid-configuration, fetched over HTTPS whose
// certificate chains to a trusted root or matches one of the provider's
// SHA-1 thumbprints; then iss, exp, iat, nbf, aud/azp and sub, and the
// session tags and source identity AWS reads from the token.
//
// It owns fetching and caching the issuers' keys: a JWKS per issuer (and
// thumbprint set) trusted for Config.KeyTTL, refreshed for an unknown kid at
// most once per Config.RefreshInterval, concurrent fetches shared, failures
// remembered for Config.RetryInterval, at most Config.MaxIssuers issuers.
//
// Every error is an *opensts.Error of kind ErrInvalidIdentityToken,
// ErrIdentityTokenExpired or ErrIDPCommunication whose Message is AWS's text
// (or OpenSTS's where AWS's is unknown, docs/compatibility.md) and never
// contains the token; the cause, when there is one, is in Err.
//
// It imports the root package, go-jose (JWS and JWK) and x/sync's
// singleflight; it makes outbound HTTPS requests itself and knows nothing of
// roles, trust policies or the STS wire format.
package webidentity
