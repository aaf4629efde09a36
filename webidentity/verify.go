package webidentity

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opensts/opensts"
)

// Identity is what a verified token says: the facts STS returns, writes
// into the session and offers as condition keys (roles-spec §3.5–§3.7).
type Identity struct {
	Issuer, Subject string
	// Audience is the client id that matched: the aud value, or azp when
	// aud has several values and azp is present (roles-spec §3.4 #10).
	Audience string
	// OriginalAudience is the token's aud, every value (<provider>:oaud).
	OriginalAudience    []string
	IssuedAt, ExpiresAt time.Time
	AMR                 []string
	// Tags and TransitiveTagKeys come from the https://aws.amazon.com/tags
	// claim's principal_tags (in key order) and transitive_tag_keys.
	Tags              []opensts.Tag
	TransitiveTagKeys []string
	// SourceIdentity is the https://aws.amazon.com/source_identity claim.
	SourceIdentity string
}

// Claims AWS reads (roles-spec §3.6).
const (
	claimTags           = "https://aws.amazon.com/tags"
	claimSourceIdentity = "https://aws.amazon.com/source_identity"
)

// Limits on what a token may carry (roles-spec §2.8, §2.9, §3.6; token
// package: subject 255 bytes).
const (
	maxSubject = 255
)

// Verify checks t against p, the IAM OIDC provider whose URL is t's issuer,
// in the order of roles-spec §3.4: issuer, key and signature, time claims,
// audience, subject, then the tag and source identity claims.
func (v *Verifier) Verify(ctx context.Context, t *Token, p opensts.OIDCProvider) (*Identity, error) {
	if t == nil || t.jws == nil {
		return nil, invalid(msgNotJWT)
	}
	if t.iss != p.URL {
		return nil, invalid(msgNoProvider + t.iss)
	}
	vk := verifiedKey{sum: sha256.Sum256([]byte(t.raw)), issuer: cacheKey(p)}
	payload, ok := v.reuse(vk)
	if !ok {
		keys, err := v.candidates(ctx, t, p)
		if err != nil {
			return nil, err
		}
		var signer any
		for i := range keys {
			if payload, err = t.jws.Verify(keys[i].Key); err == nil {
				signer = keys[i].Key
				break
			}
		}
		if payload == nil {
			return nil, &opensts.Error{Kind: opensts.ErrInvalidIdentityToken, Message: msgSignature, Err: err}
		}
		v.remember(vk, payload, signer)
	}
	var c map[string]json.RawMessage
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, invalid(msgNotJWT)
	}
	return v.claims(c, p)
}

func (v *Verifier) claims(c map[string]json.RawMessage, p opensts.OIDCProvider) (*Identity, error) {
	id := &Identity{Issuer: p.URL}
	var iss string
	if json.Unmarshal(c["iss"], &iss) != nil || iss != p.URL {
		return nil, invalid(msgNoProvider + p.URL) // unreachable: Parse read the same bytes
	}
	exp, err := timeClaim(c, "exp", true)
	if err != nil {
		return nil, err
	}
	iat, err := timeClaim(c, "iat", true)
	if err != nil {
		return nil, err
	}
	nbf, err := timeClaim(c, "nbf", false)
	if err != nil {
		return nil, err
	}
	now := v.cfg.Now()
	skew := int64(v.cfg.Skew / time.Second)
	if now.Unix() >= *exp+skew {
		return nil, opensts.Errorf(opensts.ErrIdentityTokenExpired,
			"Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), *exp)
	}
	if v.cfg.MaxAge > 0 {
		if age := now.Unix() - *iat; age > int64(v.cfg.MaxAge/time.Second)+skew {
			return nil, opensts.Errorf(opensts.ErrIdentityTokenExpired, "Token too old: %d", age)
		}
	}
	if nbf != nil && *nbf > now.Unix()+skew {
		return nil, opensts.Errorf(opensts.ErrInvalidIdentityToken,
			"Token not yet valid: current date/time %d must be after the not-before date/time %d", now.Unix(), *nbf)
	}
	if *iat > now.Unix()+skew {
		return nil, opensts.Errorf(opensts.ErrInvalidIdentityToken,
			"Token issued in the future: current date/time %d must be after the issued-at date/time %d", now.Unix(), *iat)
	}
	id.ExpiresAt, id.IssuedAt = time.Unix(*exp, 0).UTC(), time.Unix(*iat, 0).UTC()

	if id.OriginalAudience, id.Audience, err = audience(c, p.ClientIDs); err != nil {
		return nil, err
	}
	var sub string
	if json.Unmarshal(c["sub"], &sub) != nil || sub == "" {
		return nil, invalid("The ID Token provided has no sub claim")
	}
	if len(sub) > maxSubject {
		return nil, invalid("The sub claim of the ID Token provided is longer than 255 bytes")
	}
	id.Subject = sub
	if raw, ok := c["amr"]; ok && !isNull(raw) {
		if id.AMR, err = stringOrList(raw); err != nil {
			return nil, invalid("The amr claim of the ID Token provided is not a string or a list of strings")
		}
	}
	if raw, ok := c[claimTags]; ok && !isNull(raw) {
		if id.Tags, id.TransitiveTagKeys, err = sessionTags(raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := c[claimSourceIdentity]; ok && !isNull(raw) {
		var s string
		if json.Unmarshal(raw, &s) != nil || !opensts.ValidSourceIdentity(s) {
			return nil, invalid(`Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`)
		}
		id.SourceIdentity = s
	}
	return id, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// timeClaim reads a NumericDate that AWS requires to be a whole number
// (roles-spec §3.2): digits with an optional minus, no fraction or exponent.
func timeClaim(c map[string]json.RawMessage, name string, required bool) (*int64, error) {
	raw, ok := c[name]
	if !ok || isNull(raw) {
		if required {
			return nil, invalid("The ID Token provided has no " + name + " claim")
		}
		return nil, nil
	}
	s := string(bytes.TrimSpace(raw))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strings.HasPrefix(s, "+") || n < 0 || n > 1<<40 {
		return nil, invalid("The " + name + " claim of the ID Token provided is not a whole number of seconds")
	}
	return &n, nil
}

// audience matches aud (a string or a list) against the client ids. When
// aud has several values and azp is present, azp is the value tested
// (Google's rule, roles-spec §3.4 #10).
func audience(c map[string]json.RawMessage, clientIDs []string) (orig []string, matched string, err error) {
	orig, err = stringOrList(c["aud"])
	if err != nil || len(orig) == 0 {
		return nil, "", invalid(msgAudience)
	}
	tested := orig
	if len(orig) > 1 {
		var azp string
		if raw, ok := c["azp"]; ok && !isNull(raw) {
			if json.Unmarshal(raw, &azp) != nil || azp == "" {
				return nil, "", invalid(msgAudience)
			}
			tested = []string{azp}
		}
	}
	for _, a := range tested {
		for _, id := range clientIDs {
			if a == id {
				return orig, a, nil
			}
		}
	}
	return nil, "", invalid(msgAudience)
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	if raw == nil {
		return nil, fmt.Errorf("absent")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, nil
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, err
	}
	return l, nil
}
