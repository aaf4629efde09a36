// Package issuer holds the STS use cases: GetSessionToken,
// GetFederationToken, GetCallerIdentity and GetAccessKeyInfo. It validates
// input with AWS's constraints (seeds/GetSessionTokenInput.txt,
// seeds/GetFederationTokenInput.txt), applies the duration rules, proves MFA
// through an MFAVerifier, asks an opensts.Authorizer for permission, and
// seals the session into a stateless token (package token). Issuing a
// session writes nothing to the store.
//
// Imports the root package, policy and token; never net/http.
package issuer
