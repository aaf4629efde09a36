package opensts

import "strings"

// OutboundIssuer is the issuer of an account's web identity tokens
// (GetWebIdentityToken; IAM's IssuerIdentifier): the URL OpenSTS is
// reached at, then the account id. Its discovery document is
// <issuer>/.well-known/openid-configuration and its keys
// <issuer>/.well-known/jwks.json.
func OutboundIssuer(baseURL, accountID string) string {
	return strings.TrimSuffix(baseURL, "/") + "/" + accountID
}
