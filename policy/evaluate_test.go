package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	acct       = "123456789012"
	userARN    = "arn:aws:iam::123456789012:user/Bob"
	otherARN   = "arn:aws:iam::123456789012:user/Alice"
	rootArn    = "arn:aws:iam::123456789012:root"
	fedARN     = "arn:aws:sts::123456789012:federated-user/BobApp"
	bucketARN  = "arn:aws:s3:::reports"
	objectARN  = "arn:aws:s3:::reports/q1.csv"
	allowAll   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	allowS3    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	allowEC2   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`
	denyS3Put  = `{"Version":"2012-10-17","Statement":{"Sid":"NoPut","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}}`
	allowS3Get = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
)

// bucketPolicy is a resource-based policy on the reports bucket allowing
// s3:GetObject to the given principal element.
func bucketPolicy(principal string) string {
	return `{"Version":"2012-10-17","Statement":{"Sid":"Read","Effect":"Allow","Principal":` + principal +
		`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}`
}

func named(tb testing.TB, id string, typ Type, doc string, kind Kind) *Named {
	tb.Helper()
	return &Named{ID: id, Type: typ, Doc: mustParse(tb, doc, kind)}
}

func TestEvaluate_Steps(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
	// "Determining whether a request is allowed or denied within an account".
	user := PrincipalInfo{ARN: userARN, Account: acct}
	fed := PrincipalInfo{ARN: fedARN, Account: acct, SourceARN: userARN}
	id := func(docs ...string) []Named {
		var out []Named
		for i, d := range docs {
			out = append(out, *named(t, "id"+string(rune('1'+i)), IdentityBased, d, Identity))
		}
		return out
	}
	sess := func(docs ...string) []Named {
		var out []Named
		for i, d := range docs {
			out = append(out, *named(t, "session"+string(rune('1'+i)), SessionPolicy, d, Session))
		}
		return out
	}
	boundary := func(doc string) *Named { return named(t, "boundary", PermissionsBoundary, doc, Identity) }
	resource := func(doc string) *Named { return named(t, "bucket", ResourceBased, doc, Resource) }

	tests := []struct {
		name     string
		in       Input
		action   string
		who      PrincipalInfo
		want     Effect
		deniedBy Type
	}{
		// Default deny and identity-based Allow.
		{"fail/no-policies", Input{}, "s3:GetObject", user, ImplicitDeny, IdentityBased},
		{"ok/identity-allow", Input{Identity: id(allowS3)}, "s3:GetObject", user, Allowed, 0},
		{"fail/identity-allows-other-service", Input{Identity: id(allowEC2)}, "s3:GetObject", user, ImplicitDeny, IdentityBased},
		{"ok/any-identity-policy-allows", Input{Identity: id(allowEC2, allowS3)}, "s3:GetObject", user, Allowed, 0},
		// Explicit deny in any policy wins.
		{"fail/identity-deny-beats-allow", Input{Identity: id(allowS3, denyS3Put)}, "s3:PutObject", user, ExplicitDeny, IdentityBased},
		{"fail/boundary-deny", Input{Identity: id(allowS3), Boundary: boundary(denyS3Put)}, "s3:PutObject", user, ExplicitDeny, PermissionsBoundary},
		{"fail/session-deny", Input{Identity: id(allowS3), Session: sess(allowS3, denyS3Put)}, "s3:PutObject", fed, ExplicitDeny, SessionPolicy},
		{"fail/resource-deny-beats-identity-allow", Input{Identity: id(allowS3), Resource: resource(`{"Statement":{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}}`)}, "s3:GetObject", user, ExplicitDeny, ResourceBased},
		{"fail/deny-names-federating-user", Input{Identity: id(allowS3), Session: sess(allowS3), Resource: resource(`{"Statement":{"Effect":"Deny","Principal":{"AWS":"` + userARN + `"},"Action":"s3:*"}}`)}, "s3:GetObject", fed, ExplicitDeny, ResourceBased},
		// Root.
		{"ok/root-without-policies", Input{Root: true}, "iam:CreateUser", PrincipalInfo{ARN: rootArn, Account: acct}, Allowed, 0},
		{"fail/root-explicit-deny", Input{Root: true, Resource: resource(`{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*"}}`)}, "s3:GetObject", PrincipalInfo{ARN: rootArn, Account: acct}, ExplicitDeny, ResourceBased},
		// Permissions boundary.
		{"fail/boundary-does-not-allow", Input{Identity: id(allowS3), Boundary: boundary(allowEC2)}, "s3:GetObject", user, ImplicitDeny, PermissionsBoundary},
		{"ok/boundary-and-identity-allow", Input{Identity: id(allowS3), Boundary: boundary(allowAll)}, "s3:GetObject", user, Allowed, 0},
		{"fail/boundary-alone-grants-nothing", Input{Boundary: boundary(allowAll)}, "s3:GetObject", user, ImplicitDeny, IdentityBased},
		// Session policies.
		{"ok/session-allows", Input{Identity: id(allowS3), Session: sess(allowS3Get), SessionRequired: true}, "s3:GetObject", fed, Allowed, 0},
		{"fail/session-does-not-allow", Input{Identity: id(allowS3), Session: sess(allowEC2), SessionRequired: true}, "s3:GetObject", fed, ImplicitDeny, SessionPolicy},
		{"ok/any-session-policy-allows", Input{Identity: id(allowS3), Session: sess(allowEC2, allowS3Get), SessionRequired: true}, "s3:GetObject", fed, Allowed, 0},
		{"fail/session-alone-grants-nothing", Input{Session: sess(allowAll), SessionRequired: true}, "s3:GetObject", fed, ImplicitDeny, IdentityBased},
		{"fail/federated-without-session-policy", Input{Identity: id(allowAll), SessionRequired: true}, "s3:GetObject", fed, ImplicitDeny, SessionPolicy},
		{"ok/session-token-needs-no-session-policy", Input{Identity: id(allowS3)}, "s3:GetObject", user, Allowed, 0},
		// Resource-based policies, same account.
		{"ok/resource-names-user", Input{Resource: resource(bucketPolicy(`{"AWS":"` + userARN + `"}`))}, "s3:GetObject", user, Allowed, 0},
		{"ok/resource-names-user-despite-boundary", Input{Boundary: boundary(allowEC2), Resource: resource(bucketPolicy(`{"AWS":"` + userARN + `"}`))}, "s3:GetObject", user, Allowed, 0},
		{"fail/resource-names-other-user", Input{Resource: resource(bucketPolicy(`{"AWS":"` + otherARN + `"}`))}, "s3:GetObject", user, ImplicitDeny, IdentityBased},
		{"fail/resource-names-account-needs-identity", Input{Resource: resource(bucketPolicy(`{"AWS":"123456789012"}`))}, "s3:GetObject", user, ImplicitDeny, IdentityBased},
		{"ok/resource-names-account-root-arn-and-identity-allows", Input{Identity: id(allowS3Get), Resource: resource(bucketPolicy(`{"AWS":"` + rootArn + `"}`))}, "s3:GetObject", user, Allowed, 0},
		{"ok/resource-names-everyone", Input{Resource: resource(bucketPolicy(`"*"`))}, "s3:GetObject", user, Allowed, 0},
		{"ok/resource-names-everyone-aws", Input{Resource: resource(bucketPolicy(`{"AWS":"*"}`))}, "s3:GetObject", user, Allowed, 0},
		{"fail/resource-names-service", Input{Resource: resource(bucketPolicy(`{"Service":"cloudtrail.amazonaws.com"}`))}, "s3:GetObject", user, ImplicitDeny, IdentityBased},
		{"fail/resource-other-action", Input{Resource: resource(bucketPolicy(`{"AWS":"` + userARN + `"}`))}, "s3:PutObject", user, ImplicitDeny, IdentityBased},
		{"ok/resource-names-federated-user", Input{Resource: resource(bucketPolicy(`{"AWS":"` + fedARN + `"}`)), SessionRequired: true}, "s3:GetObject", fed, Allowed, 0},
		{"fail/resource-names-federating-user-no-session-policy", Input{Resource: resource(bucketPolicy(`{"AWS":"` + userARN + `"}`)), SessionRequired: true}, "s3:GetObject", fed, ImplicitDeny, SessionPolicy},
		{"ok/resource-names-federating-user-session-allows", Input{Session: sess(allowS3Get), SessionRequired: true, Resource: resource(bucketPolicy(`{"AWS":"` + userARN + `"}`))}, "s3:GetObject", fed, Allowed, 0},
		{"fail/resource-names-federating-user-boundary-denies", Input{Boundary: boundary(allowEC2), Session: sess(allowS3Get), SessionRequired: true, Resource: resource(bucketPolicy(`{"AWS":"` + userARN + `"}`))}, "s3:GetObject", fed, ImplicitDeny, PermissionsBoundary},
		// NotPrincipal (reference_policies_elements_notprincipal): with Deny,
		// the caller escapes only when every identity it has is listed.
		{"ok/notprincipal-deny-lists-user-and-account", Input{Identity: id(allowS3), Resource: resource(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["` + userARN + `","` + rootArn + `"]},"Action":"s3:*"}}`)}, "s3:GetObject", user, Allowed, 0},
		{"fail/notprincipal-deny-lists-only-user", Input{Identity: id(allowS3), Resource: resource(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"` + userARN + `"},"Action":"s3:*"}}`)}, "s3:GetObject", user, ExplicitDeny, ResourceBased},
		{"fail/notprincipal-deny-other-user", Input{Identity: id(allowS3), Resource: resource(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["` + otherARN + `","` + rootArn + `"]},"Action":"s3:*"}}`)}, "s3:GetObject", user, ExplicitDeny, ResourceBased},
		{"fail/notprincipal-allow-excludes-caller", Input{Resource: resource(`{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":["` + userARN + `","` + rootArn + `"]},"Action":"s3:*"}}`)}, "s3:GetObject", user, ImplicitDeny, IdentityBased},
		{"ok/notprincipal-allow-others", Input{Resource: resource(`{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"` + otherARN + `"},"Action":"s3:*"}}`)}, "s3:GetObject", user, Allowed, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(tc.in, Request{Action: tc.action, Resource: objectARN, Principal: tc.who, Context: NewContext()})
			if got.Effect != tc.want || got.DeniedBy != tc.deniedBy {
				t.Errorf("Evaluate = %v (denied by %q), want %v (denied by %q)", got.Effect, got.DeniedBy, tc.want, tc.deniedBy)
			}
		})
	}
}

func TestEvaluate_Explanation(t *testing.T) {
	// SimulateCustomPolicy's MatchedStatements list only the statements that
	// decided (the Deny alone when one applies, none for an implicit deny)
	// and MissingContextValues the keys the policies need
	// (access_policies_testing-policies; IAM API EvaluationResult).
	doc := "{\n" +
		"  \"Version\": \"2012-10-17\",\n" +
		"  \"Statement\": [\n" +
		"    {\"Sid\": \"Read\", \"Effect\": \"Allow\", \"Action\": \"s3:Get*\", \"Resource\": \"*\"},\n" +
		"    {\"Sid\": \"All\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::reports/${aws:username}/*\"},\n" +
		"    {\"Sid\": \"NoOldMFA\", \"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n" +
		"     \"Condition\": {\"NumericGreaterThan\": {\"aws:MultiFactorAuthAge\": \"3600\"}}}\n" +
		"  ]\n" +
		"}"
	d := mustParse(t, doc, Identity)
	in := Input{Identity: []Named{{ID: "PolicyInputList.1", Type: IdentityBased, Doc: d}}}
	read := Match{PolicyID: "PolicyInputList.1", Type: IdentityBased, Statement: 0, Sid: "Read", Start: Position{4, 6}, End: Position{4, 77}}
	deny := Match{PolicyID: "PolicyInputList.1", Type: IdentityBased, Statement: 2, Sid: "NoOldMFA", Start: Position{6, 6}, End: Position{7, 78}}
	tests := []struct {
		name   string
		action string
		ctx    map[string][]string
		want   Decision
	}{
		{"ok/allowed-lists-allows", "s3:GetObject", map[string][]string{"aws:MultiFactorAuthAge": {"60"}},
			Decision{Effect: Allowed, Matched: []Match{read}, MissingContextKeys: []string{"aws:username"}}},
		{"fail/explicit-deny-lists-only-deny", "s3:GetObject", map[string][]string{"aws:MultiFactorAuthAge": {"7200"}, "aws:username": {"bob"}},
			Decision{Effect: ExplicitDeny, DeniedBy: IdentityBased, Matched: []Match{deny}}},
		{"fail/implicit-deny-lists-nothing", "s3:PutObject", nil,
			Decision{DeniedBy: IdentityBased, MissingContextKeys: []string{"aws:username", "aws:MultiFactorAuthAge"}}},
		{"fail/unrelated-action-needs-no-keys", "ec2:RunInstances", nil,
			Decision{DeniedBy: IdentityBased}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(in, Request{Action: tc.action, Resource: "arn:aws:s3:::reports/bob/x", Context: ctxOf(tc.ctx)})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluate_SeedFederation(t *testing.T) {
	// Seed GetFederationTokenInput, Policy: "The final permissions for the
	// federated user are the most restrictive set based on the intersection of
	// the passed policy and the IAM user policy", and "If you do not pass a
	// policy, the resulting temporary security credentials have no effective
	// permissions. The only exception is when the temporary security
	// credentials are used to access a resource that has a resource-based
	// policy that specifically allows the federated user to access the
	// resource."
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (IAM federated user sessions)
	userPolicy := named(t, "BobPolicy", IdentityBased, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:*","sts:GetCallerIdentity"],"Resource":"*"}]}`, Identity)
	sessionPolicy := named(t, "SessionPolicy", SessionPolicy, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","ec2:*"],"Resource":"*"}]}`, Session)
	fed := PrincipalInfo{ARN: fedARN, Account: acct, SourceARN: userARN}
	withSession := Input{Identity: []Named{*userPolicy}, Session: []Named{*sessionPolicy}, SessionRequired: true}
	noSession := Input{Identity: []Named{*userPolicy}, SessionRequired: true}
	namesFederated := named(t, "bucket", ResourceBased, bucketPolicy(`{"AWS":"`+fedARN+`"}`), Resource)
	namesUser := named(t, "bucket", ResourceBased, bucketPolicy(`{"AWS":"`+userARN+`"}`), Resource)
	with := func(in Input, r *Named) Input { in.Resource = r; return in }

	tests := []struct {
		name     string
		in       Input
		action   string
		want     Effect
		deniedBy Type
	}{
		{"ok/intersection/both-allow", withSession, "s3:GetObject", Allowed, 0},
		{"fail/intersection/only-user-allows", withSession, "s3:PutObject", ImplicitDeny, SessionPolicy},
		{"fail/intersection/only-session-allows", withSession, "ec2:DescribeInstances", ImplicitDeny, IdentityBased},
		{"fail/no-policy/no-permissions", noSession, "s3:GetObject", ImplicitDeny, SessionPolicy},
		{"fail/no-policy/not-even-caller-identity-by-policy", noSession, "sts:GetCallerIdentity", ImplicitDeny, SessionPolicy},
		{"ok/no-policy/resource-policy-names-federated-user", with(noSession, namesFederated), "s3:GetObject", Allowed, 0},
		{"fail/no-policy/resource-policy-names-the-iam-user", with(noSession, namesUser), "s3:GetObject", ImplicitDeny, SessionPolicy},
		{"fail/no-policy/resource-policy-other-action", with(noSession, namesFederated), "s3:PutObject", ImplicitDeny, SessionPolicy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(tc.in, Request{Action: tc.action, Resource: objectARN, Principal: fed, Context: NewContext()})
			if got.Effect != tc.want || got.DeniedBy != tc.deniedBy {
				t.Errorf("Evaluate = %v (denied by %q), want %v (denied by %q)", got.Effect, got.DeniedBy, tc.want, tc.deniedBy)
			}
		})
	}
}

func TestEvaluate_SeedMFA(t *testing.T) {
	// Seed GetSessionTokenInput, TokenCode: a user who does not provide a code
	// "will receive an "access denied" response when requesting resources
	// that require MFA authentication".
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent:
	// the key is absent for long-term credentials, so Deny + BoolIfExists
	// "false" catches them and Deny + Bool "false" does not; Allow + Bool
	// "true" allows only MFA-authenticated temporary credentials.
	denyIfExists := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Sid":"DenyWithoutMFA","Effect":"Deny","NotAction":["iam:ListMFADevices","sts:GetSessionToken"],"Resource":"*",
		 "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	denyBool := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	allowBool := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	allowAge := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}`

	longTerm := map[string][]string{}
	noMFA := map[string][]string{"aws:MultiFactorAuthPresent": {"false"}}
	mfa := map[string][]string{"aws:MultiFactorAuthPresent": {"true"}, "aws:MultiFactorAuthAge": {"120"}}
	oldMFA := map[string][]string{"aws:MultiFactorAuthPresent": {"true"}, "aws:MultiFactorAuthAge": {"7200"}}
	tests := []struct {
		name   string
		doc    string
		action string
		ctx    map[string][]string
		want   Effect
	}{
		{"fail/deny-bool-if-exists/long-term-keys", denyIfExists, "ec2:RunInstances", longTerm, ExplicitDeny},
		{"fail/deny-bool-if-exists/session-without-mfa", denyIfExists, "ec2:RunInstances", noMFA, ExplicitDeny},
		{"ok/deny-bool-if-exists/session-with-mfa", denyIfExists, "ec2:RunInstances", mfa, Allowed},
		{"ok/deny-bool-if-exists/get-session-token-exempt", denyIfExists, "sts:GetSessionToken", longTerm, Allowed},
		{"ok/deny-bool/does-not-catch-long-term-keys", denyBool, "ec2:RunInstances", longTerm, Allowed},
		{"fail/deny-bool/session-without-mfa", denyBool, "ec2:RunInstances", noMFA, ExplicitDeny},
		{"fail/allow-bool/long-term-keys", allowBool, "ec2:RunInstances", longTerm, ImplicitDeny},
		{"fail/allow-bool/session-without-mfa", allowBool, "ec2:RunInstances", noMFA, ImplicitDeny},
		{"ok/allow-bool/session-with-mfa", allowBool, "ec2:RunInstances", mfa, Allowed},
		{"ok/allow-mfa-age/recent", allowAge, "ec2:RunInstances", mfa, Allowed},
		{"fail/allow-mfa-age/too-old", allowAge, "ec2:RunInstances", oldMFA, ImplicitDeny},
		{"fail/allow-mfa-age/no-mfa", allowAge, "ec2:RunInstances", noMFA, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.doc, Identity)
			got := Evaluate(Input{Identity: identity(d)}, Request{Action: tc.action, Resource: "*",
				Principal: PrincipalInfo{ARN: userARN, Account: acct}, Context: ctxOf(tc.ctx)})
			if got.Effect != tc.want {
				t.Errorf("Evaluate = %v, want %v", got.Effect, tc.want)
			}
		})
	}
}

func TestEvaluate_NilContextAndDocs(t *testing.T) {
	d := mustParse(t, allowS3, Identity)
	tests := []struct {
		name string
		in   Input
		want Effect
	}{
		{"ok/nil-context", Input{Identity: identity(d)}, Allowed},
		{"fail/nil-document-grants-nothing", Input{Identity: []Named{{ID: "empty"}}}, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Evaluate(tc.in, Request{Action: "s3:GetObject", Resource: "*"}); got.Effect != tc.want {
				t.Errorf("Evaluate = %v, want %v", got.Effect, tc.want)
			}
		})
	}
}

func TestTypeAndEffectStrings(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"ok/identity", IdentityBased.String(), "identity-based"},
		{"ok/resource", ResourceBased.String(), "resource-based"},
		{"ok/boundary", PermissionsBoundary.String(), "permissions boundary"},
		{"ok/session", SessionPolicy.String(), "session"},
		{"ok/none", Type(0).String(), ""},
		{"ok/allowed", Allowed.String(), "allowed"},
		{"ok/explicit", ExplicitDeny.String(), "explicitDeny"},
		{"ok/implicit", ImplicitDeny.String(), "implicitDeny"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestEvaluate_DocumentInTheWrongSlot(t *testing.T) {
	// Evaluate stays safe when a caller passes a document parsed for another
	// slot: principals are always checked, and a resource slot document
	// without principals cannot grant access on its own.
	user := PrincipalInfo{ARN: userARN, Account: acct}
	asResource := named(t, "r", ResourceBased, allowS3, Identity)
	asIdentity := named(t, "i", IdentityBased, bucketPolicy(`{"AWS":"`+otherARN+`"}`), Resource)
	tests := []struct {
		name string
		in   Input
		want Effect
	}{
		{"fail/identity-document-as-resource-policy", Input{Resource: asResource}, ImplicitDeny},
		{"ok/identity-document-as-resource-policy-with-identity-allow", Input{Identity: identity(mustParse(t, allowS3Get, Identity)), Resource: asResource}, Allowed},
		{"fail/resource-document-for-someone-else-as-identity", Input{Identity: []Named{*asIdentity}}, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(tc.in, Request{Action: "s3:GetObject", Resource: objectARN, Principal: user})
			if got.Effect != tc.want {
				t.Errorf("Evaluate = %v, want %v", got.Effect, tc.want)
			}
		})
	}
}

func TestEvaluate_Concurrent(t *testing.T) {
	// Documents and contexts are shared read-only between requests; run
	// with -race.
	in := benchInput(t)
	ctx := benchContext()
	done := make(chan Effect)
	for range 8 {
		go func() {
			var last Effect
			for range 200 {
				last = Evaluate(in, Request{Action: "sts:GetFederationToken", Resource: "arn:aws:sts::123456789012:federated-user/bob-ci",
					Principal: PrincipalInfo{ARN: "arn:aws:iam::123456789012:user/bob", Account: acct}, Context: ctx}).Effect
			}
			done <- last
		}()
	}
	for range 8 {
		if got := <-done; got != Allowed {
			t.Errorf("Evaluate = %v, want %v", got, Allowed)
		}
	}
}

func TestEvaluate_MissingKeysSkipDefaults(t *testing.T) {
	// A variable with a default never needs its key (reference_policies_variables,
	// "Specifying default values").
	d := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
		"Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team, 'all'}/${aws:username}/*"}}`, Identity)
	tests := []struct {
		name string
		ctx  map[string][]string
		want []string
	}{
		{"ok/only-the-key-without-default", nil, []string{"aws:username"}},
		{"ok/nothing-missing", map[string][]string{"aws:username": {"bob"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(Input{Identity: identity(d)}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/all/bob/x", Context: ctxOf(tc.ctx)})
			if diff := cmp.Diff(tc.want, got.MissingContextKeys); diff != "" {
				t.Errorf("MissingContextKeys (-want +got):\n%s", diff)
			}
		})
	}
}

// A trailing * in a Resource ARN may stand for the parts that follow,
// colons included (AWS's documented arn:aws:sqs:us-east-2:* for every
// queue in a region); a shorter ARN without it is still refused.
func TestEvaluate_ResourceTrailingWildcard(t *testing.T) {
	doc := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:us-east-2:*"}]}`, Identity)
	in := Input{Identity: []Named{{ID: "p", Type: IdentityBased, Doc: doc}}}
	for resource, want := range map[string]bool{
		"arn:aws:sqs:us-east-2:123456789012:orders": true,
		"arn:aws:sqs:us-east-2:210987654321:other":  true,
		"arn:aws:sqs:us-west-1:123456789012:orders": false,
		"arn:aws:sns:us-east-2:123456789012:topic":  false,
	} {
		d := Evaluate(in, Request{Action: "sqs:SendMessage", Resource: resource, Context: NewContext()})
		if d.IsAllowed() != want {
			t.Errorf("%s: allowed = %v, want %v", resource, d.IsAllowed(), want)
		}
	}
	if _, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:us-east-2"}]}`, Identity); err == nil {
		t.Error("a five-part ARN without a trailing * was accepted")
	}
}

// Across accounts, the resource's policy and the caller's own must both
// allow: a resource policy naming the caller no longer suffices alone, and
// an identity policy alone never does.
func TestEvaluate_CrossAccount(t *testing.T) {
	const caller, other = "111111111111", "222222222222"
	allowAll := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`, Identity)
	resource := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sqs:SendMessage","Resource":"*"}]}`, Resource)
	alice := PrincipalInfo{ARN: "arn:aws:iam::111111111111:user/alice", Account: caller}
	q := "arn:aws:sqs:us-east-1:" + other + ":orders"
	cases := []struct {
		name     string
		in       Input
		account  string
		want     Effect
		deniedBy Type
	}{
		{"same account: the resource policy alone", Input{Resource: &Named{ID: "r", Type: ResourceBased, Doc: resource}}, caller, Allowed, 0},
		{"cross: the resource policy alone", Input{Resource: &Named{ID: "r", Type: ResourceBased, Doc: resource}}, other, ImplicitDeny, IdentityBased},
		{"cross: the identity policy alone", Input{Identity: []Named{{ID: "i", Type: IdentityBased, Doc: allowAll}}}, other, ImplicitDeny, ResourceBased},
		{"cross: both", Input{Identity: []Named{{ID: "i", Type: IdentityBased, Doc: allowAll}}, Resource: &Named{ID: "r", Type: ResourceBased, Doc: resource}}, other, Allowed, 0},
		{"cross: both, but the caller's boundary does not allow", Input{Identity: []Named{{ID: "i", Type: IdentityBased, Doc: allowAll}},
			Boundary: &Named{ID: "b", Type: PermissionsBoundary, Doc: mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, Identity)},
			Resource: &Named{ID: "r", Type: ResourceBased, Doc: resource}}, other, ImplicitDeny, PermissionsBoundary},
		{"cross: the calling account's root still needs the resource policy", Input{Root: true}, other, ImplicitDeny, ResourceBased},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(tc.in, Request{Action: "sqs:SendMessage", Resource: q, Principal: alice, Context: NewContext(), ResourceAccount: tc.account})
			if d.Effect != tc.want || (tc.want == ImplicitDeny && d.DeniedBy != tc.deniedBy) {
				t.Fatalf("got %v (denied by %v), want %v (%v)", d.Effect, d.DeniedBy, tc.want, tc.deniedBy)
			}
		})
	}
}
