package webidentity

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/opensts/opensts"
)

// MaxTokenSize is the largest WebIdentityToken STS accepts (the model's
// bound since botocore 1.20.53, roles-spec §3.2).
const MaxTokenSize = 20000

// AWS's messages for InvalidIdentityToken (roles-spec §3.4, §3.8). The two
// spaces in msgNoKey are AWS's.
const (
	msgNotJWT     = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	msgNoProvider = "No OpenIDConnect provider found in your account for "
	msgNoKey      = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
	msgThumbprint = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
	msgAudience   = "Incorrect token audience"
	// OpenSTS's own where AWS's text is unknown (docs/compatibility.md).
	msgSignature = "Couldn't verify the signature of the ID token"
	msgIDP       = "Couldn't communicate with your identity provider, please try again"
)

// algorithms are the signature algorithms AWS accepts (roles-spec §3.2).
// Never none, never HMAC: a JWKS's public key must not become a MAC secret.
var algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.ES256, jose.ES384, jose.ES512,
}

// Token is a parsed, not yet verified, ID token.
type Token struct {
	raw string // as verified: trailing whitespace removed
	jws *jose.JSONWebSignature
	alg jose.SignatureAlgorithm
	kid string
	iss string
}

// Issuer is the token's iss claim, unverified: the URL of the IAM OIDC
// provider to look up before calling Verify.
func (t *Token) Issuer() string { return t.iss }

func invalid(msg string) error { return opensts.Errorf(opensts.ErrInvalidIdentityToken, "%s", msg) }

var b64 = base64.RawURLEncoding.Strict()

// Parse reads a compact JWS (three base64url parts, a JSON object header
// with alg, a JSON object payload with a string iss) of at most
// MaxTokenSize bytes, ignoring trailing whitespace (botocore sends the token
// file verbatim, roles-spec §3.9). The signature is not checked: Verify
// does that. Errors are of kind opensts.ErrInvalidIdentityToken.
func Parse(raw string) (*Token, error) {
	if len(raw) > MaxTokenSize {
		return nil, invalid(msgNotJWT)
	}
	raw = strings.TrimRight(raw, " \t\r\n")
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return nil, invalid(msgNotJWT)
	}
	var header map[string]json.RawMessage
	if !decodeSegment(parts[0], &header) {
		return nil, invalid(msgNotJWT)
	}
	var payload map[string]json.RawMessage
	if !decodeSegment(parts[1], &payload) {
		return nil, invalid(msgNotJWT)
	}
	if _, err := b64.DecodeString(parts[2]); err != nil {
		return nil, invalid(msgNotJWT)
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	hb, _ := b64.DecodeString(parts[0])
	if json.Unmarshal(hb, &h) != nil || h.Alg == "" {
		return nil, invalid(msgNotJWT)
	}
	alg := jose.SignatureAlgorithm(h.Alg)
	if !allowed(alg) {
		return nil, invalid(msgSignature)
	}
	// crit names extensions the verifier must understand (RFC 7515
	// §4.1.11); OpenSTS understands none, and b64 would change what is
	// signed (RFC 7797).
	if _, ok := header["crit"]; ok {
		return nil, invalid(msgSignature)
	}
	if _, ok := header["b64"]; ok {
		return nil, invalid(msgSignature)
	}
	var iss string
	if json.Unmarshal(payload["iss"], &iss) != nil || iss == "" {
		return nil, invalid(msgNotJWT)
	}
	jws, err := jose.ParseSignedCompact(raw, algorithms)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgNotJWT, Err: err}
	}
	// go-jose's reading of the header is what it verifies with; a header
	// that reads otherwise here (duplicate or differently cased names)
	// could choose a key for one algorithm and verify with another.
	if ph := jws.Signatures[0].Protected; ph.Algorithm != h.Alg || ph.KeyID != h.Kid {
		return nil, invalid(msgSignature)
	}
	return &Token{raw: raw, jws: jws, alg: alg, kid: h.Kid, iss: iss}, nil
}

// decodeSegment decodes one base64url part holding a JSON object.
func decodeSegment(s string, v *map[string]json.RawMessage) bool {
	b, err := b64.DecodeString(s)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, v) == nil && *v != nil
}

func allowed(alg jose.SignatureAlgorithm) bool {
	for _, a := range algorithms {
		if a == alg {
			return true
		}
	}
	return false
}
