package webidentity_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/webidentity"
)

const (
	msgNotJWT     = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	msgNoKey      = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
	msgThumbprint = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
	msgAudience   = "Incorrect token audience"
	msgSignature  = "Couldn't verify the signature of the ID token"
)

func TestVerify_ok(t *testing.T) {
	is := newIssuer(t, true)
	c := &clock{now: t0}
	v := verifier(is, c)
	p := is.provider()
	p.ClientIDs = []string{"other", "sts.amazonaws.com"}
	base := is.claims()
	tests := map[string]struct {
		raw  string
		want webidentity.Identity
	}{
		"ok/RS256": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", base),
			want: webidentity.Identity{Issuer: is.URL(), Subject: "system:serviceaccount:default:app", Audience: "sts.amazonaws.com",
				OriginalAudience: []string{"sts.amazonaws.com"}, IssuedAt: t0.Add(-time.Minute).UTC(), ExpiresAt: t0.Add(time.Hour).UTC()},
		},
		"ok/ES256": {
			raw: sign(t, jose.ES256, ecKey, "ec1", base),
			want: webidentity.Identity{Issuer: is.URL(), Subject: "system:serviceaccount:default:app", Audience: "sts.amazonaws.com",
				OriginalAudience: []string{"sts.amazonaws.com"}, IssuedAt: t0.Add(-time.Minute).UTC(), ExpiresAt: t0.Add(time.Hour).UTC()},
		},
		"ok/ES384 key without alg": {
			raw: sign(t, jose.ES384, ec384Key, "ec384", base),
			want: webidentity.Identity{Issuer: is.URL(), Subject: "system:serviceaccount:default:app", Audience: "sts.amazonaws.com",
				OriginalAudience: []string{"sts.amazonaws.com"}, IssuedAt: t0.Add(-time.Minute).UTC(), ExpiresAt: t0.Add(time.Hour).UTC()},
		},
		"ok/no kid, one fitting key": {
			raw: sign(t, jose.ES384, ec384Key, "", base),
			want: webidentity.Identity{Issuer: is.URL(), Subject: "system:serviceaccount:default:app", Audience: "sts.amazonaws.com",
				OriginalAudience: []string{"sts.amazonaws.com"}, IssuedAt: t0.Add(-time.Minute).UTC(), ExpiresAt: t0.Add(time.Hour).UTC()},
		},
		"ok/aud list, second matches": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "aud", []string{"x", "sts.amazonaws.com"})),
			want: webidentity.Identity{Issuer: is.URL(), Subject: "system:serviceaccount:default:app", Audience: "sts.amazonaws.com",
				OriginalAudience: []string{"x", "sts.amazonaws.com"}, IssuedAt: t0.Add(-time.Minute).UTC(), ExpiresAt: t0.Add(time.Hour).UTC()},
		},
		"ok/azp tested when aud has several values": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "aud", []string{"a", "b"}, "azp", "other")),
			want: webidentity.Identity{Issuer: is.URL(), Subject: "system:serviceaccount:default:app", Audience: "other",
				OriginalAudience: []string{"a", "b"}, IssuedAt: t0.Add(-time.Minute).UTC(), ExpiresAt: t0.Add(time.Hour).UTC()},
		},
		"ok/expired within skew": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "exp", t0.Unix()-60)),
			want: webidentity.Identity{Issuer: is.URL(), Subject: "system:serviceaccount:default:app", Audience: "sts.amazonaws.com",
				OriginalAudience: []string{"sts.amazonaws.com"}, IssuedAt: t0.Add(-time.Minute).UTC(), ExpiresAt: t0.Add(-time.Minute).UTC()},
		},
		"ok/tags, source identity, amr, trailing newline": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base,
				"amr", []string{"authenticated", "mfa"},
				"https://aws.amazon.com/source_identity", "Admin",
				"https://aws.amazon.com/tags", map[string]any{
					"principal_tags":      map[string]any{"Project": []string{"Automation"}, "CostCenter": []string{"987654"}},
					"transitive_tag_keys": []string{"project", "Project"},
				})) + "\n",
			want: webidentity.Identity{Issuer: is.URL(), Subject: "system:serviceaccount:default:app", Audience: "sts.amazonaws.com",
				OriginalAudience: []string{"sts.amazonaws.com"}, IssuedAt: t0.Add(-time.Minute).UTC(), ExpiresAt: t0.Add(time.Hour).UTC(),
				AMR:               []string{"authenticated", "mfa"},
				Tags:              []opensts.Tag{{Key: "CostCenter", Value: "987654"}, {Key: "Project", Value: "Automation"}},
				TransitiveTagKeys: []string{"project"}, SourceIdentity: "Admin"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := verify(t, v, tc.raw, p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerify_attacks(t *testing.T) {
	is := newIssuer(t, true)
	other := newIssuer(t, true)
	other.addKey("rsa2", &rsaKey2.PublicKey, "RS256")
	is.addKey("rs384only", &rsaKey2.PublicKey, "RS384")
	is.addKey("enc", &rsaKey2.PublicKey, "")
	is.mu.Lock()
	is.keys[len(is.keys)-1].Use = "enc"
	is.mu.Unlock()
	c := &clock{now: t0}
	v := verifier(is, c)
	p := is.provider()
	base := is.claims()
	good := sign(t, jose.RS256, rsaKey, "rsa1", base)
	parts := strings.Split(good, ".")
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	tagClaim := func(tags map[string]any, trans ...string) map[string]any {
		return with(base, "https://aws.amazon.com/tags", map[string]any{"principal_tags": tags, "transitive_tag_keys": trans})
	}
	many := map[string]any{}
	for i := range 51 {
		many[fmt.Sprintf("k%d", i)] = []string{"v"}
	}
	exp := base["exp"].(int64)

	tests := map[string]struct {
		raw  string
		kind error
		msg  string
	}{
		"fail/alg none": {
			raw: unsigned(`{"alg":"none","kid":"rsa1"}`, mustJSON(t, base), "x"), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/alg none, empty signature": {
			raw: unsigned(`{"alg":"none"}`, mustJSON(t, base), ""), kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT,
		},
		"fail/HS256 with the RSA public key as secret": {
			raw: sign(t, jose.HS256, pubPEM, "rsa1", base), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/PS256 not accepted": {
			raw: sign(t, jose.PS256, rsaKey, "rsa1", base), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/unknown kid": {
			raw: sign(t, jose.RS256, rsaKey, "nope", base), kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey,
		},
		"fail/kid and key of another issuer": {
			raw: sign(t, jose.RS256, rsaKey2, "rsa2", base), kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey,
		},
		"fail/another key under a known kid": {
			raw: sign(t, jose.RS256, rsaKey2, "rsa1", base), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/key alg mismatch": {
			raw: sign(t, jose.RS256, rsaKey2, "rs384only", base), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/key use enc": {
			raw: sign(t, jose.RS256, rsaKey2, "enc", base), kind: opensts.ErrInvalidIdentityToken, msg: msgNoKey,
		},
		"fail/ES384 under a P-256 key": {
			raw: sign(t, jose.ES384, ec384Key, "ec1", base), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/RS256 under an EC key": {
			raw: sign(t, jose.RS256, rsaKey, "ec1", base), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/tampered payload": {
			raw:  parts[0] + "." + strings.Split(sign(t, jose.RS256, rsaKey2, "rsa1", with(base, "sub", "admin")), ".")[1] + "." + parts[2],
			kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/tampered signature": {
			raw: parts[0] + "." + parts[1] + "." + flip(parts[2]), kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/expired": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "exp", t0.Unix()-301)), kind: opensts.ErrIdentityTokenExpired,
			msg: fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", t0.Unix(), t0.Unix()-301),
		},
		"fail/nbf in the future": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "nbf", t0.Unix()+301)), kind: opensts.ErrInvalidIdentityToken,
			msg: fmt.Sprintf("Token not yet valid: current date/time %d must be after the not-before date/time %d", t0.Unix(), t0.Unix()+301),
		},
		"fail/iat in the future": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "iat", t0.Unix()+301)), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/exp fractional": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "exp", float64(exp)+0.5)), kind: opensts.ErrInvalidIdentityToken,
			msg: "The exp claim of the ID Token provided is not a whole number of seconds",
		},
		"fail/exp a string": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "exp", fmt.Sprint(exp))), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/wrong audience": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "aud", "someone-else")), kind: opensts.ErrInvalidIdentityToken, msg: msgAudience,
		},
		"fail/azp overrides a matching aud": {
			raw:  sign(t, jose.RS256, rsaKey, "rsa1", with(base, "aud", []string{"sts.amazonaws.com", "b"}, "azp", "b")),
			kind: opensts.ErrInvalidIdentityToken, msg: msgAudience,
		},
		"fail/empty aud list": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "aud", []string{})), kind: opensts.ErrInvalidIdentityToken, msg: msgAudience,
		},
		"fail/wrong issuer": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "iss", other.URL())), kind: opensts.ErrInvalidIdentityToken,
			msg: "No OpenIDConnect provider found in your account for " + other.URL(),
		},
		"fail/issuer differs by a trailing slash": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "iss", is.URL()+"/")), kind: opensts.ErrInvalidIdentityToken,
			msg: "No OpenIDConnect provider found in your account for " + is.URL() + "/",
		},
		"fail/oversized": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "pad", strings.Repeat("a", 20000))), kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT,
		},
		"fail/two segments":       {raw: parts[0] + "." + parts[1], kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/four segments":      {raw: good + ".x", kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/empty":              {raw: "", kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/not base64":         {raw: parts[0] + ".*." + parts[2], kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/padded base64":      {raw: parts[0] + "." + parts[1] + "==." + parts[2], kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/header not JSON":    {raw: unsigned(`alg`, mustJSON(t, base), "x"), kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/header array":       {raw: unsigned(`["RS256"]`, mustJSON(t, base), "x"), kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/alg not a string":   {raw: unsigned(`{"alg":1}`, mustJSON(t, base), "x"), kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/payload not object": {raw: unsigned(`{"alg":"RS256"}`, `[1]`, "x"), kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/JSON serialization": {raw: `{"payload":"e30","signatures":[]}`, kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/access token, not a JWT": {
			raw: "gho_16C7e42F292c6912E7710c838347Ae178B4a", kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT,
		},
		"fail/no iss": {raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "iss", nil)), kind: opensts.ErrInvalidIdentityToken, msg: msgNotJWT},
		"fail/no sub": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "sub", nil)), kind: opensts.ErrInvalidIdentityToken, msg: "The ID Token provided has no sub claim",
		},
		"fail/sub too long": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "sub", strings.Repeat("s", 256))), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/no aud": {raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "aud", nil)), kind: opensts.ErrInvalidIdentityToken, msg: msgAudience},
		"fail/no exp": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "exp", nil)), kind: opensts.ErrInvalidIdentityToken, msg: "The ID Token provided has no exp claim",
		},
		"fail/no iat": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "iat", nil)), kind: opensts.ErrInvalidIdentityToken, msg: "The ID Token provided has no iat claim",
		},
		"fail/crit header": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", base, func(o *jose.SignerOptions) {
				o.WithHeader("exp", 1).WithCritical("exp")
			}),
			kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/crit b64, which go-jose understands": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", base, func(o *jose.SignerOptions) {
				o.WithHeader("b64", true).WithCritical("b64")
			}),
			kind: opensts.ErrInvalidIdentityToken, msg: msgSignature,
		},
		"fail/header names differing in case": {
			raw: unsigned(`{"Alg":"RS256","alg":"RS384","kid":"rsa1"}`, mustJSON(t, base), "x"), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/duplicate alg": {
			raw: unsigned(`{"alg":"RS384","alg":"RS256","kid":"rsa1"}`, mustJSON(t, base), "x"), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/51 tags": {raw: sign(t, jose.RS256, rsaKey, "rsa1", tagClaim(many)), kind: opensts.ErrInvalidIdentityToken},
		"fail/tag key 129": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", tagClaim(map[string]any{strings.Repeat("k", 129): []string{"v"}})), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/tag value 257": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", tagClaim(map[string]any{"k": []string{strings.Repeat("v", 257)}})), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/tag value not a list": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", tagClaim(map[string]any{"k": "v"})), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/tag value two elements": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", tagClaim(map[string]any{"k": []string{"a", "b"}})), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/tag keys equal but for case": {
			raw:  sign(t, jose.RS256, rsaKey, "rsa1", tagClaim(map[string]any{"K": []string{"a"}, "k": []string{"b"}})),
			kind: opensts.ErrInvalidIdentityToken, msg: "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
		},
		"fail/tag key aws:": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", tagClaim(map[string]any{"aws:x": []string{"a"}})), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/transitive key not a tag": {
			raw:  sign(t, jose.RS256, rsaKey, "rsa1", tagClaim(map[string]any{"k": []string{"a"}}, "j")),
			kind: opensts.ErrInvalidIdentityToken, msg: "The specified transitive tag key must be included in the requested tags.",
		},
		"fail/source identity aws:": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "https://aws.amazon.com/source_identity", "aws:me")), kind: opensts.ErrInvalidIdentityToken,
		},
		"fail/source identity too short": {
			raw: sign(t, jose.RS256, rsaKey, "rsa1", with(base, "https://aws.amazon.com/source_identity", "a")), kind: opensts.ErrInvalidIdentityToken,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			id, err := verify(t, v, tc.raw, p)
			if err == nil {
				t.Fatalf("accepted: %+v", id)
			}
			wantErr(t, err, tc.kind, tc.msg)
			if strings.Contains(err.(*opensts.Error).Message, parts[1]) {
				t.Error("the message contains the token")
			}
		})
	}
	if _, err := verify(t, v, good, p); err != nil {
		t.Fatalf("the untampered token: %v", err)
	}
}

// flip changes the first character of a base64url string.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestVerify_maxAge(t *testing.T) {
	is := newIssuer(t, true)
	c := &clock{now: t0}
	v := verifier(is, c, func(cfg *webidentity.Config) { cfg.MaxAge = time.Hour; cfg.Skew = -1 })
	raw := sign(t, jose.RS256, rsaKey, "rsa1", with(is.claims(), "iat", t0.Unix()-3601, "exp", t0.Unix()+60))
	_, err := verify(t, v, raw, is.provider())
	wantErr(t, err, opensts.ErrIdentityTokenExpired, "Token too old: 3601")
	// Skew -1 means none: expired one second after exp.
	raw = sign(t, jose.RS256, rsaKey, "rsa1", with(is.claims(), "exp", t0.Unix()))
	_, err = verify(t, v, raw, is.provider())
	wantErr(t, err, opensts.ErrIdentityTokenExpired, fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", t0.Unix(), t0.Unix()))
}

// A token without kid is tried against every key fitting its alg.
func TestVerify_noKid(t *testing.T) {
	is := newIssuer(t, true)
	is.addKey("rsa-b", &rsaKey2.PublicKey, "")
	v := verifier(is, &clock{now: t0})
	for _, key := range []any{rsaKey, rsaKey2} {
		if _, err := verify(t, v, sign(t, jose.RS256, key, "", is.claims()), is.provider()); err != nil {
			t.Fatal(err)
		}
	}
	// RS512 fits only rsa-b (rsa1 is RS256-only): signed with rsaKey it fails.
	_, err := verify(t, v, sign(t, jose.RS512, rsaKey, "", is.claims()), is.provider())
	wantErr(t, err, opensts.ErrInvalidIdentityToken, msgSignature)
	if _, err := verify(t, v, sign(t, jose.RS512, rsaKey2, "", is.claims()), is.provider()); err != nil {
		t.Fatal(err)
	}
}

// A token verified once is not checked against its signature again while
// the key that verified it is the issuer's, but its claims are; once the
// issuer's keys are fetched again without that key, the token is refused.
func TestVerify_reuse(t *testing.T) {
	is := newIssuer(t, true)
	clk := &clock{now: t0}
	v := verifier(is, clk)
	raw := sign(t, jose.RS256, rsaKey, "rsa1", is.claims())
	for range 3 {
		if _, err := verify(t, v, raw, is.provider()); err != nil {
			t.Fatal(err)
		}
	}
	if n := is.jwksHits.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches for one token verified three times, want 1", n)
	}
	// Another provider for the same URL with other client ids: the
	// audience is checked again, not reused.
	other := is.provider()
	other.ClientIDs = []string{"someone-else"}
	_, err := verify(t, v, raw, other)
	wantErr(t, err, opensts.ErrInvalidIdentityToken, "Incorrect token audience")

	// The IdP rotates: rsa1 is gone, rsa2 is new. A token naming rsa2
	// makes the verifier fetch the new set.
	is.mu.Lock()
	is.keys = nil
	is.mu.Unlock()
	is.addKey("rsa2", &rsaKey2.PublicKey, "RS256")
	clk.Advance(2 * time.Minute)
	if _, err := verify(t, v, sign(t, jose.RS256, rsaKey2, "rsa2", is.claims()), is.provider()); err != nil {
		t.Fatal(err)
	}
	_, err = verify(t, v, raw, is.provider())
	wantErr(t, err, opensts.ErrInvalidIdentityToken, msgNoKey)

	// Claims are checked at each use: a reused token expires.
	raw2 := sign(t, jose.RS256, rsaKey2, "rsa2", is.claims())
	if _, err := verify(t, v, raw2, is.provider()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Hour)
	_, err = verify(t, v, raw2, is.provider())
	if !errors.Is(err, opensts.ErrIdentityTokenExpired) {
		t.Fatalf("a reused token past its exp: %v", err)
	}
}
