package issuer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts"
	iampolicy "github.com/opensts/opensts/policy"
	"github.com/opensts/opensts/token"
)

type ring struct{ r *token.Ring }

func (k ring) Ring() *token.Ring { return k.r }

// authorizer answers with fn (function-field fake).
type authorizer struct {
	fn    func(action, resource string, extra map[string][]string) error
	calls []string
}

func (a *authorizer) Authorize(_ context.Context, _ *opensts.Principal, action, resource string, extra map[string][]string) error {
	a.calls = append(a.calls, action+" "+resource)
	if a.fn == nil {
		return nil
	}
	return a.fn(action, resource, extra)
}

type mfa struct {
	at  time.Time
	err error
}

func (m mfa) VerifyMFA(context.Context, *opensts.Principal, string, string) (time.Time, error) {
	return m.at, m.err
}

var now = time.Date(2026, 1, 2, 3, 4, 5, 678, time.UTC)

func newIssuer(t *testing.T, a *authorizer, m MFAVerifier) *Issuer {
	t.Helper()
	r, err := token.NewRing([]token.Key{token.NewKey(1, now)})
	if err != nil {
		t.Fatal(err)
	}
	iss, err := New(Config{Keys: ring{r}, Authorizer: a, MFA: m, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

var (
	user = &opensts.Principal{Holder: opensts.Holder{Type: opensts.HolderUser, AccountID: "123456789012", ID: "AIDAAAAAAAAAAAAAAAAAA", Name: "alice", Path: "/"}, AccessKeyID: "AKIAAAAAAAAAAAAAAAAA"}
	root = &opensts.Principal{Holder: opensts.Holder{Type: opensts.HolderRoot, AccountID: "123456789012", ID: "123456789012"}, AccessKeyID: "AKIABBBBBBBBBBBBBBBB"}
)

func n(v int64) *int64   { return &v }
func s(v string) *string { return &v }
func open(t *testing.T, iss *Issuer, tok string) token.Claims {
	t.Helper()
	c, err := token.Open(iss.cfg.Keys.Ring(), tok, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The seed's duration rules: default 43200, 900–129600, root capped (not
// refused) at 3600, root default 3600; expiration to the second.
func TestGetSessionToken_Durations(t *testing.T) {
	iss := newIssuer(t, &authorizer{}, nil)
	cases := []struct {
		name string
		p    *opensts.Principal
		d    *int64
		want time.Duration
	}{
		{"user default", user, nil, 43200 * time.Second},
		{"user 900", user, n(900), 900 * time.Second},
		{"user 129600", user, n(129600), 129600 * time.Second},
		{"root default", root, nil, time.Hour},
		{"root 7200 clamped", root, n(7200), time.Hour},
		{"root 129600 clamped", root, n(129600), time.Hour},
		{"root 1800", root, n(1800), 1800 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cr, err := iss.GetSessionToken(context.Background(), tc.p, GetSessionTokenInput{DurationSeconds: tc.d})
			if err != nil {
				t.Fatal(err)
			}
			if want := now.Truncate(time.Second).Add(tc.want); !cr.Expiration.Equal(want) {
				t.Fatalf("Expiration %v, want %v", cr.Expiration, want)
			}
			c := open(t, iss, cr.SessionToken)
			if c.AccessKeyID != cr.AccessKeyID || c.SecretAccessKey != cr.SecretAccessKey || c.SourceAccessKeyID != tc.p.AccessKeyID || !c.MFAAuthenticatedAt.IsZero() {
				t.Fatalf("claims %v do not match the credentials", c)
			}
		})
	}
}

func TestGetSessionToken_MFAAndRefusals(t *testing.T) {
	mfaAt := now.Add(-time.Second)
	iss := newIssuer(t, &authorizer{}, mfa{at: mfaAt})
	cr, err := iss.GetSessionToken(context.Background(), user, GetSessionTokenInput{SerialNumber: s("GAHT12345678"), TokenCode: s("123456")})
	if err != nil {
		t.Fatal(err)
	}
	if c := open(t, iss, cr.SessionToken); !c.MFAAuthenticatedAt.Equal(mfaAt.Truncate(time.Second)) {
		t.Fatalf("MFA time %v, want %v", c.MFAAuthenticatedAt, mfaAt)
	}
	denied := newIssuer(t, &authorizer{}, mfa{err: opensts.ErrMFAInvalidCode})
	if _, err := denied.GetSessionToken(context.Background(), user, GetSessionTokenInput{SerialNumber: s("GAHT12345678"), TokenCode: s("123456")}); !errors.Is(err, opensts.ErrMFAInvalidCode) {
		t.Fatalf("wrong code: %v", err)
	}
	for name, in := range map[string]GetSessionTokenInput{
		"serial without code": {SerialNumber: s("GAHT12345678")},
		"code without serial": {TokenCode: s("123456")},
	} {
		if _, err := iss.GetSessionToken(context.Background(), user, in); !errors.Is(err, opensts.ErrMFAUnknownDevice) {
			t.Errorf("%s: %v", name, err)
		}
	}
	noMFA := newIssuer(t, &authorizer{}, nil)
	if _, err := noMFA.GetSessionToken(context.Background(), user, GetSessionTokenInput{SerialNumber: s("GAHT12345678"), TokenCode: s("123456")}); !errors.Is(err, opensts.ErrMFAUnknownDevice) {
		t.Errorf("no MFA verifier: %v", err)
	}
	session := *user
	session.Session = &opensts.Session{Kind: opensts.SessionToken}
	_, err = iss.GetSessionToken(context.Background(), &session, GetSessionTokenInput{})
	var de *opensts.Error
	if !errors.As(err, &de) || de.Message != "Cannot call GetSessionToken with session credentials" {
		t.Fatalf("session credentials: %v", err)
	}
}

func TestGetFederationToken(t *testing.T) {
	a := &authorizer{}
	iss := newIssuer(t, a, nil)
	ctx := context.Background()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	ft, err := iss.GetFederationToken(ctx, user, GetFederationTokenInput{Name: s("Bob"), Policy: s(policy),
		PolicyArns: []*string{s("arn:aws:iam::123456789012:policy/readonly")}, Tags: []TagInput{{Key: s("team"), Value: s("core")}}})
	if err != nil {
		t.Fatal(err)
	}
	if ft.FederatedUserARN != "arn:aws:sts::123456789012:federated-user/Bob" || ft.FederatedUserID != "123456789012:Bob" || !ft.HasPackedPolicy || ft.PackedPolicySize < 1 {
		t.Fatalf("result %+v", ft)
	}
	want := []string{"sts:GetFederationToken arn:aws:sts::123456789012:federated-user/Bob", "sts:TagSession arn:aws:sts::123456789012:federated-user/Bob"}
	if strings.Join(a.calls, "|") != strings.Join(want, "|") {
		t.Fatalf("authorized %v, want %v", a.calls, want)
	}
	c := open(t, iss, ft.SessionToken)
	if c.Kind != token.Federation || c.Holder != token.User || c.SessionName != "Bob" || c.Policy != policy || len(c.PolicyARNs) != 1 || len(c.Tags) != 1 || c.HolderID != user.ID {
		t.Fatalf("claims %v", c)
	}

	rootFT, err := iss.GetFederationToken(ctx, root, GetFederationTokenInput{Name: s("Ops"), DurationSeconds: n(43200)})
	if err != nil || !rootFT.Expiration.Equal(now.Truncate(time.Second).Add(time.Hour)) || rootFT.HasPackedPolicy {
		t.Fatalf("root: %+v %v", rootFT, err)
	}

	deny := newIssuer(t, &authorizer{fn: func(action, _ string, _ map[string][]string) error {
		return opensts.Errorf(opensts.ErrAccessDenied, "no %s", action)
	}}, nil)
	if _, err := deny.GetFederationToken(ctx, user, GetFederationTokenInput{Name: s("Bob")}); !errors.Is(err, opensts.ErrAccessDenied) {
		t.Fatalf("denied: %v", err)
	}
	cases := []struct {
		name string
		in   GetFederationTokenInput
		kind error
	}{
		{"aws: tag", GetFederationTokenInput{Name: s("Bob"), Tags: []TagInput{{Key: s("aws:x"), Value: s("v")}}}, opensts.ErrInvalidParameter},
		{"duplicate tags", GetFederationTokenInput{Name: s("Bob"), Tags: []TagInput{{Key: s("A"), Value: s("1")}, {Key: s("a"), Value: s("2")}}}, opensts.ErrInvalidParameter},
		{"foreign policy ARN", GetFederationTokenInput{Name: s("Bob"), PolicyArns: []*string{s("arn:aws:iam::999999999999:policy/p")}}, opensts.ErrInvalidParameter},
		{"packed too large", GetFederationTokenInput{Name: s("Bob"), Tags: bigTags()}, opensts.ErrPackedPolicyTooBig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iss.GetFederationToken(ctx, user, tc.in)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
		})
	}
	// A malformed session policy is the parser's *policy.SyntaxError (which
	// the API answers as MalformedPolicyDocument with its Message), saying
	// what is wrong and where.
	t.Run("malformed policy", func(t *testing.T) {
		_, err := iss.GetFederationToken(ctx, user, GetFederationTokenInput{Name: s("Bob"), Policy: s(`{"Statement":`)})
		var se *iampolicy.SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("err = %#v, want a *policy.SyntaxError", err)
		}
		want := iampolicy.SyntaxError{Message: "Invalid JSON: unexpected end of input; expected a value (line 1, column 14)", Line: 1, Column: 14}
		if *se != want {
			t.Fatalf("err = %#v, want %#v", *se, want)
		}
		if got := err.Error(); got != "malformed policy document: "+want.Message {
			t.Fatalf("err.Error() = %q", got)
		}
	})
	// Which message: tags that do not fit are named as the problem; ARNs
	// that do not fit by themselves are the policy's.
	var bigARNs []*string
	for _, tg := range bigTags()[:10] {
		bigARNs = append(bigARNs, s("arn:aws:iam::123456789012:policy/"+*tg.Key+*tg.Value+*tg.Key))
	}
	for _, tc := range []struct {
		name string
		in   GetFederationTokenInput
		want string
	}{
		{"tags", GetFederationTokenInput{Name: s("Bob"), Policy: s(policy), Tags: bigTags()}, "Packed size of session tags consumes "},
		{"policy ARNs", GetFederationTokenInput{Name: s("Bob"), PolicyArns: bigARNs}, "Packed policy consumes "},
		{"policy ARNs and tags", GetFederationTokenInput{Name: s("Bob"), PolicyArns: bigARNs, Tags: bigTags()[:1]}, "Packed policy consumes "},
	} {
		_, err := iss.GetFederationToken(ctx, user, tc.in)
		if !errors.Is(err, opensts.ErrPackedPolicyTooBig) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a message starting %q", tc.name, err, tc.want)
		}
	}

	var ve *opensts.ValidationError
	_, err = iss.GetFederationToken(ctx, user, GetFederationTokenInput{Name: s("Bob"), Tags: make([]TagInput, 51)})
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "Value '51' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50") {
		t.Fatalf("51 tags: %v", err)
	}
}

// bigTags are 50 distinct, poorly compressible tags of maximum size.
func bigTags() []TagInput {
	var out []TagInput
	x := uint32(2463534242)
	next := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[x%62]
		}
		return string(b)
	}
	for range 50 {
		out = append(out, TagInput{Key: s(next(128)), Value: s(next(256))})
	}
	return out
}
