package access

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/policy"
)

// memPolicies is a PolicyStore with fixed contents.
type memPolicies struct {
	identity opensts.IdentityPolicies
	managed  map[string]string // name → default document
}

func (m memPolicies) IdentityPolicies(context.Context, string, opensts.Owner) (opensts.IdentityPolicies, error) {
	return m.identity, nil
}

func (m memPolicies) GetPolicy(_ context.Context, acct, name string) (opensts.ManagedPolicy, error) {
	if _, ok := m.managed[name]; !ok {
		return opensts.ManagedPolicy{}, opensts.ErrNotFound
	}
	return opensts.ManagedPolicy{AccountID: acct, ID: name, Name: name, Path: "/", DefaultVersionID: "v1"}, nil
}

func (m memPolicies) GetPolicyVersion(_ context.Context, _, id, v string) (opensts.PolicyVersion, error) {
	return opensts.PolicyVersion{VersionID: v, Document: m.managed[id], IsDefault: true}, nil
}

const acct = "123456789012"

func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func TestAuthorizer_Authorize(t *testing.T) {
	store := memPolicies{
		identity: opensts.IdentityPolicies{Documents: []opensts.PolicyDocument{{Source: opensts.SourceUserInline, ID: "s3", Document: allow("s3:*", "arn:aws:s3:::a/*")}}},
		managed:  map[string]string{"readonly": allow("s3:GetObject", "*")},
	}
	a, err := NewAuthorizer(AuthorizerConfig{Store: store, Now: func() time.Time { return time.Unix(1_800_000_000, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	user := &opensts.Principal{Holder: opensts.Holder{Type: opensts.HolderUser, AccountID: acct, ID: "AIDAX", Name: "alice", Path: "/"}}
	fed := func(from *opensts.Principal, policyText string, arns ...string) *opensts.Principal {
		p := *from
		p.Session = &opensts.Session{Kind: opensts.SessionFederation, Name: "Bob", Policy: policyText, PolicyARNs: arns}
		return &p
	}
	root := &opensts.Principal{Holder: opensts.Holder{Type: opensts.HolderRoot, AccountID: acct, ID: acct}}
	cases := []struct {
		name     string
		p        *opensts.Principal
		action   string
		resource string
		allowed  bool
	}{
		{"ok/user by identity policy", user, "s3:PutObject", "arn:aws:s3:::a/x", true},
		{"fail/user outside identity policy", user, "s3:PutObject", "arn:aws:s3:::b/x", false},
		{"ok/root allowed everything", root, "iam:CreateUser", "*", true},
		{"ok/federated: both allow", fed(user, allow("s3:Get*", "*")), "s3:GetObject", "arn:aws:s3:::a/x", true},
		{"fail/federated: session denies", fed(user, allow("s3:Get*", "*")), "s3:PutObject", "arn:aws:s3:::a/x", false},
		{"fail/federated: identity denies", fed(user, allow("s3:Get*", "*")), "s3:GetObject", "arn:aws:s3:::b/x", false},
		{"fail/federated: no session policy", fed(user, ""), "s3:GetObject", "arn:aws:s3:::a/x", false},
		{"ok/federated: managed session policy", fed(user, "", "arn:aws:iam::"+acct+":policy/readonly"), "s3:GetObject", "arn:aws:s3:::a/x", true},
		{"fail/federated: deleted managed session policy grants nothing", fed(user, "", "arn:aws:iam::"+acct+":policy/gone"), "s3:GetObject", "arn:aws:s3:::a/x", false},
		{"ok/root's federated user within its session policy", fed(root, allow("notes:*", "arn:aws:notes:::note/1")), "notes:GetNote", "arn:aws:notes:::note/1", true},
		{"fail/root's federated user outside its session policy", fed(root, allow("notes:*", "arn:aws:notes:::note/1")), "notes:GetNote", "arn:aws:notes:::note/2", false},
		{"fail/root's federated user without a session policy", fed(root, ""), "notes:GetNote", "arn:aws:notes:::note/1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := a.Authorize(context.Background(), tc.p, tc.action, tc.resource, nil)
			if tc.allowed && err != nil {
				t.Fatalf("denied: %v", err)
			}
			if !tc.allowed && !errors.Is(err, opensts.ErrAccessDenied) {
				t.Fatalf("err = %v, want AccessDenied", err)
			}
		})
	}
}

func TestDeniedMessage(t *testing.T) {
	p := &opensts.Principal{Holder: opensts.Holder{Type: opensts.HolderUser, AccountID: acct, Name: "alice", Path: "/"}}
	base := "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob"
	cases := []struct {
		d    policy.Decision
		want string
	}{
		{policy.Decision{Effect: policy.ImplicitDeny, DeniedBy: policy.IdentityBased}, base + " because no identity-based policy allows the iam:CreateUser action"},
		{policy.Decision{Effect: policy.ImplicitDeny, DeniedBy: policy.PermissionsBoundary}, base + " because no permissions boundary allows the iam:CreateUser action"},
		{policy.Decision{Effect: policy.ImplicitDeny, DeniedBy: policy.SessionPolicy}, base + " because no session policy allows the iam:CreateUser action"},
		{policy.Decision{Effect: policy.ExplicitDeny, DeniedBy: policy.IdentityBased}, base + " with an explicit deny in an identity-based policy"},
		{policy.Decision{Effect: policy.ExplicitDeny, DeniedBy: policy.ResourceBased}, base + " with an explicit deny in a resource-based policy"},
		{policy.Decision{Effect: policy.ExplicitDeny, DeniedBy: policy.PermissionsBoundary}, base + " with an explicit deny in a permissions boundary"},
		{policy.Decision{Effect: policy.ImplicitDeny}, base},
	}
	for _, tc := range cases {
		if got := deniedMessage(p, "iam:CreateUser", "arn:aws:iam::123456789012:user/bob", tc.d); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

func TestAuthorizer_Admit(t *testing.T) {
	longTerm := &opensts.Principal{Holder: opensts.Holder{Type: opensts.HolderUser, AccountID: acct, Name: "alice", Path: "/"}}
	session := *longTerm
	session.Session = &opensts.Session{Kind: opensts.SessionToken}
	mfa := *longTerm
	mfa.Session = &opensts.Session{Kind: opensts.SessionToken, MFAAuthenticatedAt: time.Unix(1, 0)}
	fed := *longTerm
	fed.Session = &opensts.Session{Kind: opensts.SessionFederation, Name: "Bob"}
	cases := []struct {
		name            string
		rule            SessionRule
		p               *opensts.Principal
		service, action string
		want            error // nil, ErrInvalidClientToken or ErrAccessDenied
	}{
		{"ok/long-term IAM", IAMSessions, longTerm, "iam", "CreateUser", nil},
		{"fail/session without MFA calls IAM", IAMSessions, &session, "iam", "ListUsers", opensts.ErrInvalidClientToken},
		{"ok/session with MFA calls IAM", IAMSessions, &mfa, "iam", "ListUsers", nil},
		{"fail/federated calls IAM", IAMSessions, &fed, "iam", "ListUsers", opensts.ErrInvalidClientToken},
		{"ok/federated GetCallerIdentity", AnyCredentials, &fed, "sts", "GetCallerIdentity", nil},
		{"fail/federated GetAccessKeyInfo", NoSessions, &fed, "sts", "GetAccessKeyInfo", opensts.ErrAccessDenied},
		{"fail/session GetAccessKeyInfo", NoSessions, &session, "sts", "GetAccessKeyInfo", opensts.ErrAccessDenied},
		{"fail/session GetSessionToken", LongTermOnly, &mfa, "sts", "GetSessionToken", opensts.ErrAccessDenied},
		{"ok/long-term GetSessionToken", LongTermOnly, longTerm, "sts", "GetSessionToken", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rule.Admit(tc.p, tc.service, tc.action)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Admit = %v, want %v", err, tc.want)
			}
		})
	}
}

// AuthorizeFederated decides on the trust policy alone, naming the caller
// only as its provider (roles-spec §3.5), and refuses with AWS's generic
// message whatever was denied.
func TestAuthorizer_AuthorizeFederated(t *testing.T) {
	a, err := NewAuthorizer(AuthorizerConfig{Store: memPolicies{}, Now: func() time.Time { return time.Unix(1_800_000_000, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	const (
		provider = "arn:aws:iam::" + acct + ":oidc-provider/token.actions.githubusercontent.com"
		role     = "arn:aws:iam::" + acct + ":role/CI"
		host     = "token.actions.githubusercontent.com"
	)
	trust := func(principal, actions, condition string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":` + actions + `,"Condition":{` + condition + `}}]}`
	}
	fedPrincipal := `{"Federated":"` + provider + `"}`
	ghCondition := `"StringEquals":{"` + host + `:aud":"sts.amazonaws.com"},"StringLike":{"` + host + `:sub":"repo:octo/app:*"}`
	keys := map[string][]string{host + ":aud": {"sts.amazonaws.com"}, host + ":sub": {"repo:octo/app:ref:refs/heads/main"}, "aws:FederatedProvider": {provider}}
	with := func(k, v string) map[string][]string {
		out := map[string][]string{}
		for k, v := range keys {
			out[k] = v
		}
		out[k] = []string{v}
		return out
	}
	cases := []struct {
		name    string
		trust   string
		actions []string
		keys    map[string][]string
		allowed bool
	}{
		{"provider and conditions match", trust(fedPrincipal, `"sts:AssumeRoleWithWebIdentity"`, ghCondition), nil, keys, true},
		{"another repository", trust(fedPrincipal, `"sts:AssumeRoleWithWebIdentity"`, ghCondition), nil, with(host+":sub", "repo:evil/app:ref:refs/heads/main"), false},
		{"another audience", trust(fedPrincipal, `"sts:AssumeRoleWithWebIdentity"`, ghCondition), nil, with(host+":aud", "other"), false},
		{"another provider", trust(`{"Federated":"arn:aws:iam::`+acct+`:oidc-provider/gitlab.com"}`, `"sts:AssumeRoleWithWebIdentity"`, ghCondition), nil, keys, false},
		{"AssumeRole only", trust(fedPrincipal, `"sts:AssumeRole"`, ghCondition), nil, keys, false},
		{"an AWS principal never names a web identity", trust(`{"AWS":"*"}`, `"sts:AssumeRoleWithWebIdentity"`, ghCondition), nil, keys, false},
		{"tags need sts:TagSession", trust(fedPrincipal, `"sts:AssumeRoleWithWebIdentity"`, ghCondition), []string{"sts:AssumeRoleWithWebIdentity", "sts:TagSession"}, keys, false},
		{"with sts:TagSession", trust(fedPrincipal, `["sts:AssumeRoleWithWebIdentity","sts:TagSession"]`, ghCondition), []string{"sts:AssumeRoleWithWebIdentity", "sts:TagSession"}, keys, true},
		{"a condition on a key the request lacks", trust(fedPrincipal, `"sts:AssumeRoleWithWebIdentity"`, `"StringEquals":{"`+host+`:repository":"octo/app"}`), nil, keys, false},
		{"an explicit deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + fedPrincipal + `,"Action":"sts:AssumeRoleWithWebIdentity"},` +
			`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"` + host + `:sub":"*:pull_request"}}}]}`,
			nil, with(host+":sub", "repo:octo/app:pull_request"), false},
		{"a role that does not exist", "", nil, keys, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			actions := tc.actions
			if actions == nil {
				actions = []string{"sts:AssumeRoleWithWebIdentity"}
			}
			err := a.AuthorizeFederated(context.Background(), provider, role, tc.trust, actions, func(string) map[string][]string { return tc.keys })
			if tc.allowed != (err == nil) {
				t.Fatalf("allowed = %v (%v), want %v", err == nil, err, tc.allowed)
			}
			if err != nil && (!errors.Is(err, opensts.ErrAccessDenied) || err.Error() != "Not authorized to perform sts:AssumeRoleWithWebIdentity") {
				t.Fatalf("refusal = %v", err)
			}
		})
	}
}

// A web identity session's later requests carry its provider's keys.
func TestAuthorizer_FederatedSessionKeys(t *testing.T) {
	a, err := NewAuthorizer(AuthorizerConfig{Store: memPolicies{identity: opensts.IdentityPolicies{Documents: []opensts.PolicyDocument{{Source: opensts.SourceRoleInline, ID: "p",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${idp.example.test:sub}/*",` +
			`"Condition":{"StringEquals":{"aws:FederatedProvider":"arn:aws:iam::` + acct + `:oidc-provider/idp.example.test","idp.example.test:aud":"ci"}}}]}`}}}}})
	if err != nil {
		t.Fatal(err)
	}
	p := &opensts.Principal{Holder: opensts.Holder{Type: opensts.HolderRole, AccountID: acct, ID: "AROAX", Name: "CI", Path: "/"},
		Session: &opensts.Session{Kind: opensts.SessionWebIdentity, Name: "s", IssuedAt: time.Unix(1_800_000_000, 0),
			Provider: &opensts.FederatedProvider{ARN: "arn:aws:iam::" + acct + ":oidc-provider/idp.example.test", KeyPrefix: "idp.example.test", Subject: "alice", Audience: "ci"}}}
	if err := a.Authorize(context.Background(), p, "s3:GetObject", "arn:aws:s3:::b/alice/x", nil); err != nil {
		t.Fatalf("own prefix: %v", err)
	}
	if err := a.Authorize(context.Background(), p, "s3:GetObject", "arn:aws:s3:::b/bob/x", nil); err == nil {
		t.Fatal("another subject's prefix was allowed")
	}
	p.Session.Provider.Audience = "other"
	if err := a.Authorize(context.Background(), p, "s3:GetObject", "arn:aws:s3:::b/alice/x", nil); err == nil {
		t.Fatal("a session of another audience was allowed")
	}
}
