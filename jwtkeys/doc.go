// Package jwtkeys keeps the keys OpenSTS signs web identity tokens with
// (GetWebIdentityToken, outbound web identity federation, roles-spec §6.4):
// one RSA 2048 key for RS256 and one P-384 key for ES384 at a time, their
// private halves sealed under the master key in the store and opened only in
// memory. It creates the first keys, rotates them (by call or on a
// schedule), publishes a new key PublishAhead before it signs, keeps a
// retired key published until every token it signed has expired, prunes it
// then, renders the JWKS, and picks up other nodes' rotations by refreshing
// periodically.
//
// It imports the root package, atrest and go-jose (JWS and JWK); it does not
// import net/http: the discovery and JWKS handlers serve Manager.JWKS.
package jwtkeys
