// Package access answers the two questions asked of every request: who
// signed it (Authenticator: SigV4 verification, long-term keys from the
// store, temporary keys from their sealed session token) and is it allowed
// (Authorizer: the policy engine over the principal's identity, boundary and
// session policies, with the request context AWS defines).
//
// Imports the root package, atrest, sigv4, token, keyring and policy; never
// package api.
package access
