package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	roleARN       = "arn:aws:iam::123456789012:role/Deploy"
	githubOIDC    = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	samlProvider  = "arn:aws:iam::123456789012:saml-provider/MySAMLIdP"
	canonicalUser = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
)

// trustPolicy wraps statements (JSON objects, comma-separated) in a 2012-10-17
// document.
func trustPolicy(statements string) string {
	return `{"Version":"2012-10-17","Statement":[` + statements + `]}`
}

// assumeBy is a statement allowing sts:AssumeRole to the given Principal
// element.
func assumeBy(principal string) string {
	return `{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}`
}

// positionOf is where the first occurrence of sub sits in the one-line
// ASCII document doc.
func positionOf(tb testing.TB, doc, sub string) (line, column int) {
	tb.Helper()
	i := strings.Index(doc, sub)
	if i < 0 || strings.Contains(doc[:i], "\n") {
		tb.Fatalf("%q is not on the first line of %s", sub, doc)
	}
	return 1, i + 1
}

func TestParseTrust_Errors(t *testing.T) {
	// Refusals of CreateRole and UpdateAssumeRolePolicy (MalformedPolicyDocument).
	// The texts are IAM's where recorded (see the msg constants in trust.go for
	// the captures); at is the text at which the error is located.
	const (
		noPrincipal = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"
		star        = `AssumeRolepolicy contained an invalid principal: "STAR":"*".`
		federated   = "Federated principals must be valid domain names or SAML metadata ARNs"
		actions     = "AssumeRole policy may only specify STS AssumeRole actions."
	)
	long := strings.Repeat("r", 65)
	tests := []struct {
		name    string
		doc     string
		message string
		at      string
	}{
		// Statement elements.
		{"fail/no-principal", trustPolicy(`{"Effect":"Allow","Action":"sts:AssumeRole"}`), noPrincipal, `{"Effect"`},
		{"fail/second-statement-no-principal", trustPolicy(assumeBy(`{"AWS":"123456789012"}`) + `,{"Sid":"B","Effect":"Allow","Action":"sts:TagSession"}`), noPrincipal, `{"Sid":"B"`},
		{"fail/not-principal", trustPolicy(`{"Effect":"Deny","NotPrincipal":{"AWS":"` + userARN + `"},"Action":"sts:AssumeRole"}`), "Has prohibited field NotPrincipal", `"NotPrincipal"`},
		{"fail/not-principal-and-principal", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"*"},"NotPrincipal":{"AWS":"` + userARN + `"},"Action":"sts:AssumeRole"}`), "Has prohibited field NotPrincipal", `"NotPrincipal"`},
		{"fail/resource", trustPolicy(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}`), "Has prohibited field Resource", `"Resource"`},
		{"fail/not-resource", trustPolicy(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","NotResource":"` + roleARN + `"}`), "Has prohibited field NotResource", `"NotResource"`},
		// A permissions policy passed as the trust policy: IAM names Resource
		// (kubernetes-sigs/external-dns#3085), not the missing Principal.
		{"fail/permissions-policy-as-trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["route53:ChangeResourceRecordSets"],"Resource":["arn:aws:route53:::hostedzone/*"]}]}`, "Has prohibited field Resource", `"Resource"`},
		{"fail/prohibited-fields-in-document-order", trustPolicy(`{"Effect":"Allow","Resource":"*","Principal":{"AWS":"*"},"NotPrincipal":{"AWS":"*"},"Action":"sts:AssumeRole"}`), "Has prohibited field Resource", `"Resource"`},
		{"fail/sid-not-alnum", trustPolicy(`{"Sid":"trust-ec2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*", `"trust-ec2"`},
		// Actions: the normal grammar first, then the STS actions on a role.
		{"fail/no-action", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"}}`), "Policy statement must contain actions.", `{"Effect"`},
		{"fail/action-no-vendor", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"AssumeRole"}`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", `"AssumeRole"`},
		{"fail/action-other-service", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject"}`), actions, `"s3:GetObject"`},
		{"fail/action-star", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"*"}`), actions, `"*"`},
		{"fail/action-other-sts", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:GetFederationToken"}`), actions, `"sts:GetFederationToken"`},
		{"fail/action-sts-wildcard-matching-none", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:Get*"}`), actions, `"sts:Get*"`},
		{"fail/action-misspelt", trustPolicy(`{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:SetSourceIdentity","sts:AssumeRole","sts:TagSessions"]}`), actions, `"sts:TagSessions"`},
		{"fail/action-vendor-wildcard", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"st*:AssumeRole"}`), "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards.", `"st*:AssumeRole"`},
		// The bare star and other Principal shapes.
		{"fail/bare-star", trustPolicy(assumeBy(`"*"`)), star, `"*"`},
		{"fail/principal-string", trustPolicy(assumeBy(`"` + userARN + `"`)), `Statement[0].Principal: must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:user/name"}, not "` + userARN + `" (line 1, column 68)`, `"` + userARN},
		{"fail/principal-empty", trustPolicy(assumeBy(`{}`)), "Statement[0].Principal: must name at least one principal (line 1, column 68)", `{}`},
		{"fail/principal-unknown-type", trustPolicy(assumeBy(`{"IAM":"x"}`)), `Statement[0].Principal: unknown principal type "IAM": use AWS, Federated, Service or CanonicalUser (line 1, column 69)`, `"IAM"`},
		// AWS principals: IAM's format, the first offending value.
		{"fail/aws-group", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:group/Admins"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:group/Admins"`, `"arn:`},
		{"fail/aws-group-short-account", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::12345:group/exampleGroup"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::12345:group/exampleGroup"`, `"arn:`},
		{"fail/aws-role-wildcard", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:role/dev-*"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/dev-*"`, `"arn:`},
		{"fail/aws-account-wildcard", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::*:root"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::*:root"`, `"arn:`},
		{"fail/aws-session-wildcard", trustPolicy(assumeBy(`{"AWS":"arn:aws:sts::123456789012:assumed-role/Builder/?"}`)), `Invalid principal in policy: "AWS":"arn:aws:sts::123456789012:assumed-role/Builder/?"`, `"arn:`},
		{"fail/aws-short-account", trustPolicy(assumeBy(`{"AWS":"12345678901"}`)), `Invalid principal in policy: "AWS":"12345678901"`, `"12345678901"`},
		{"fail/aws-name", trustPolicy(assumeBy(`{"AWS":"bob"}`)), `Invalid principal in policy: "AWS":"bob"`, `"bob"`},
		{"fail/aws-empty", trustPolicy(assumeBy(`{"AWS":""}`)), `Invalid principal in policy: "AWS":""`, `""`},
		{"fail/aws-unique-id", trustPolicy(assumeBy(`{"AWS":"AIDAJQABLZS4A3QDU576Q"}`)), `Invalid principal in policy: "AWS":"AIDAJQABLZS4A3QDU576Q"`, `"AIDA`},
		{"fail/aws-other-partition", trustPolicy(assumeBy(`{"AWS":"arn:aws-cn:iam::123456789012:root"}`)), `Invalid principal in policy: "AWS":"arn:aws-cn:iam::123456789012:root"`, `"arn:`},
		{"fail/aws-iam-region", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam:us-east-1:123456789012:user/Bob"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam:us-east-1:123456789012:user/Bob"`, `"arn:`},
		{"fail/aws-other-service", trustPolicy(assumeBy(`{"AWS":"arn:aws:s3:::reports"}`)), `Invalid principal in policy: "AWS":"arn:aws:s3:::reports"`, `"arn:`},
		{"fail/aws-provider", trustPolicy(assumeBy(`{"AWS":"` + githubOIDC + `"}`)), `Invalid principal in policy: "AWS":"` + githubOIDC + `"`, `"arn:`},
		{"fail/aws-user-no-name", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:user/"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/"`, `"arn:`},
		{"fail/aws-user-empty-path-segment", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:user//Bob"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user//Bob"`, `"arn:`},
		{"fail/aws-user-bad-character", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:user/Bob Smith"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/Bob Smith"`, `"arn:`},
		{"fail/aws-role-name-too-long", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:role/` + long + `"}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/` + long + `"`, `"arn:`},
		{"fail/aws-session-without-name", trustPolicy(assumeBy(`{"AWS":"arn:aws:sts::123456789012:assumed-role/Builder"}`)), `Invalid principal in policy: "AWS":"arn:aws:sts::123456789012:assumed-role/Builder"`, `"arn:`},
		{"fail/aws-session-name-too-short", trustPolicy(assumeBy(`{"AWS":"arn:aws:sts::123456789012:assumed-role/Builder/c"}`)), `Invalid principal in policy: "AWS":"arn:aws:sts::123456789012:assumed-role/Builder/c"`, `"arn:`},
		{"fail/aws-federated-user-too-long", trustPolicy(assumeBy(`{"AWS":"arn:aws:sts::123456789012:federated-user/` + strings.Repeat("f", 33) + `"}`)), `Invalid principal in policy: "AWS":"arn:aws:sts::123456789012:federated-user/` + strings.Repeat("f", 33) + `"`, `"arn:`},
		{"fail/aws-first-offending-value", trustPolicy(assumeBy(`{"AWS":["123456789012","arn:aws:iam::123456789012:group/A","bob"]}`)), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:group/A"`, `"arn:`},
		{"fail/aws-in-second-statement", trustPolicy(assumeBy(`{"AWS":"123456789012"}`) + "," + assumeBy(`{"AWS":"alice"}`)), `Invalid principal in policy: "AWS":"alice"`, `"alice"`},
		// Service principals: IAM's format with the key upper-cased.
		{"fail/service-typo", trustPolicy(assumeBy(`{"Service":"ec2.amazonaws.comm"}`)), `Invalid principal in policy: "SERVICE":"ec2.amazonaws.comm"`, `"ec2.`},
		{"fail/service-bare-name", trustPolicy(assumeBy(`{"Service":"ec2"}`)), `Invalid principal in policy: "SERVICE":"ec2"`, `"ec2"`},
		{"fail/service-domain-only", trustPolicy(assumeBy(`{"Service":"amazonaws.com"}`)), `Invalid principal in policy: "SERVICE":"amazonaws.com"`, `"amazonaws.com"`},
		{"fail/service-star", trustPolicy(assumeBy(`{"Service":"*"}`)), `Invalid principal in policy: "SERVICE":"*"`, `"*"`},
		{"fail/service-space", trustPolicy(assumeBy(`{"Service":"ec2 .amazonaws.com"}`)), `Invalid principal in policy: "SERVICE":"ec2 .amazonaws.com"`, `"ec2 `},
		{"fail/service-empty-label", trustPolicy(assumeBy(`{"Service":"ec2..amazonaws.com"}`)), `Invalid principal in policy: "SERVICE":"ec2..amazonaws.com"`, `"ec2.`},
		{"fail/service-first-in-document-order", trustPolicy(assumeBy(`{"Service":["lambda.amazonaws.com","lambda"],"AWS":"bob"}`)), `Invalid principal in policy: "SERVICE":"lambda"`, `"lambda"`},
		{"fail/aws-first-in-document-order", trustPolicy(assumeBy(`{"AWS":"bob","Service":"lambda"}`)), `Invalid principal in policy: "AWS":"bob"`, `"bob"`},
		// Federated principals.
		{"fail/federated-not-domain", trustPolicy(assumeBy(`{"Federated":"not a domain"}`)), federated, `"not a domain"`},
		{"fail/federated-single-label", trustPolicy(assumeBy(`{"Federated":"localhost"}`)), federated, `"localhost"`},
		{"fail/federated-star", trustPolicy(assumeBy(`{"Federated":"*"}`)), federated, `"*"`},
		{"fail/federated-empty", trustPolicy(assumeBy(`{"Federated":""}`)), federated, `""`},
		{"fail/federated-role-arn", trustPolicy(assumeBy(`{"Federated":"` + roleARN + `"}`)), federated, `"arn:`},
		{"fail/federated-oidc-no-host", trustPolicy(assumeBy(`{"Federated":"arn:aws:iam::123456789012:oidc-provider/"}`)), federated, `"arn:`},
		{"fail/federated-oidc-port", trustPolicy(assumeBy(`{"Federated":"arn:aws:iam::123456789012:oidc-provider/idp.example.com:8443/x"}`)), federated, `"arn:`},
		{"fail/federated-oidc-wildcard", trustPolicy(assumeBy(`{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/*"}`)), federated, `"arn:`},
		{"fail/federated-saml-space", trustPolicy(assumeBy(`{"Federated":"arn:aws:iam::123456789012:saml-provider/My IdP"}`)), federated, `"arn:`},
		{"fail/federated-saml-short-account", trustPolicy(assumeBy(`{"Federated":"arn:aws:iam::1234:saml-provider/MyIdP"}`)), federated, `"arn:`},
		{"fail/federated-first-offending", trustPolicy(assumeBy(`{"Federated":["accounts.google.com","x"]}`)), federated, `"x"`},
		// CanonicalUser is for S3 only.
		{"fail/canonical-user", trustPolicy(assumeBy(`{"CanonicalUser":"` + canonicalUser + `"}`)), `Invalid principal in policy: "CanonicalUser":"` + canonicalUser + `"`, `"79a5`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.doc, Trust)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", d)
			}
			se := asSyntaxError(t, err)
			line, column := positionOf(t, tc.doc, tc.at)
			type result struct {
				Message      string
				Line, Column int
			}
			want, got := result{tc.message, line, column}, result{se.Message, se.Line, se.Column}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse(%s) error (-want +got):\n%s", tc.doc, diff)
			}
		})
	}
}

func TestParseTrust_Valid(t *testing.T) {
	// Trust policies IAM accepts: the IAM User Guide's examples
	// (reference_policies_elements_principal, id_roles_create_for-user,
	// id_roles_create_for-idp_oidc, id_roles_providers_create_saml,
	// id_session-tags) and the spec's Appendix A.9.
	tests := []struct {
		name string
		doc  string
	}{
		{"ok/account-root", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:root"}`))},
		{"ok/account-id", trustPolicy(assumeBy(`{"AWS":"123456789012"}`))},
		{"ok/accounts", trustPolicy(assumeBy(`{"AWS":["123456789012","555555555555"]}`))},
		{"ok/user-with-mfa", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}`)},
		{"ok/user-with-path", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/JaneDoe"}`))},
		{"ok/user-name-characters", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:user/jane.doe+ci=1,x@example-org_2"}`))},
		{"ok/role", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:role/role-name"}`))},
		{"ok/role-with-path", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:role/service-role/ci/Builder"}`))},
		{"ok/role-session", trustPolicy(assumeBy(`{"AWS":"arn:aws:sts::123456789012:assumed-role/role-name/role-session-name"}`))},
		{"ok/federated-user", trustPolicy(assumeBy(`{"AWS":"arn:aws:sts::123456789012:federated-user/user-name"}`))},
		{"ok/third-party-external-id", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Unique-ID-1234"}}}`)},
		{"ok/any-aws-principal-with-condition", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ci-*"}}}`)},
		{"ok/any-aws-principal-list", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}`)},
		{"ok/tag-session-for-a-key", trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:user/alice"}`) + `,{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:TagSession","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}`)},
		{"ok/service-ec2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
		{"ok/services", trustPolicy(assumeBy(`{"Service":["ecs.amazonaws.com","elasticloadbalancing.amazonaws.com","states.us-east-1.amazonaws.com","ec2.application-autoscaling.amazonaws.com"]}`))},
		{"ok/service-china", trustPolicy(assumeBy(`{"Service":"ec2.amazonaws.com.cn"}`))},
		{"ok/service-and-account", trustPolicy(assumeBy(`{"AWS":["arn:aws:iam::123456789012:root","111122223333"],"Service":"lambda.amazonaws.com"}`))},
		{"ok/service-source-identity-and-tags", trustPolicy(`{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}`)},
		{"ok/github-actions-oidc", trustPolicy(`{"Effect":"Allow","Principal":{"Federated":"` + githubOIDC + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}}`)},
		{"ok/eks-oidc", trustPolicy(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud":"sts.amazonaws.com","oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub":"system:serviceaccount:default:assumer"}}}`)},
		{"ok/saml", trustPolicy(`{"Effect":"Allow","Principal":{"Federated":"` + samlProvider + `"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`)},
		{"ok/cognito", trustPolicy(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-2:12345678-abcd-abcd-abcd-123456"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}}`)},
		{"ok/web-identity-domains", trustPolicy(`{"Effect":"Allow","Principal":{"Federated":["accounts.google.com","graph.facebook.com","www.amazon.com"]},"Action":"sts:AssumeRoleWithWebIdentity"}`)},
		{"ok/deny-statement", trustPolicy(assumeBy(`{"AWS":"123456789012"}`) + `,{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:user/mallory"},"Action":"sts:*"}`)},
		{"ok/sts-wildcards", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["sts:*","sts:Assume*","sts:*Session","sts:Set?ontext"]}`)},
		{"ok/action-case-insensitive", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":["sts:assumerole","STS:AssumeRoleWithSAML","sts:SETCONTEXT"]}`)},
		{"ok/not-action", trustPolicy(`{"Effect":"Deny","Principal":{"AWS":"123456789012"},"NotAction":"sts:AssumeRole"}`)},
		{"ok/empty-sid-no-version", `{"Statement":[{"Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"},"Effect":"Allow","Sid":""}]}`},
		{"ok/statement-object", `{"Version":"2008-10-17","Statement":{"Sid":"1","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.doc, Trust)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d.Kind != Trust {
				t.Errorf("Kind = %v, want trust", d.Kind)
			}
			// The canonical form is itself a valid trust policy.
			b, _ := d.MarshalJSON()
			if _, err := Parse(string(b), Trust); err != nil {
				t.Errorf("Parse(MarshalJSON) = %v\n%s", err, b)
			}
		})
	}
}

func TestParseTrust_OnlyTrust(t *testing.T) {
	// The trust rules apply to Kind Trust only: resource-based policies
	// keep accepting what trust policies refuse.
	for _, doc := range []string{
		trustPolicy(assumeBy(`"*"`)),
		trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:group/Admins"}`)),
		trustPolicy(assumeBy(`{"Service":"ec2"}`)),
		trustPolicy(assumeBy(`{"Federated":"x"}`)),
		trustPolicy(assumeBy(`{"CanonicalUser":"` + canonicalUser + `"}`)),
		trustPolicy(`{"Sid":"Read only","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`),
		trustPolicy(`{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"*"}`),
	} {
		if _, err := Parse(doc, Resource); err != nil {
			t.Errorf("Parse(%s, Resource): %v", doc, err)
		}
		if _, err := Parse(doc, Trust); err == nil {
			t.Errorf("Parse(%s, Trust) succeeded", doc)
		}
	}
}

func TestParseTrust_Identity(t *testing.T) {
	// An identity policy refuses Principal whatever names it.
	_, err := Parse(trustPolicy(assumeBy(`{"AWS":"123456789012"}`)), Identity)
	if se := asSyntaxError(t, err); se.Message != "Policy document should not specify a principal." {
		t.Errorf("Parse(trust, Identity) = %q", se.Message)
	}
}

func TestKind_String(t *testing.T) {
	for k, want := range map[Kind]string{Identity: "identity", Session: "session", Resource: "resource", Trust: "trust", Kind(9): "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestDocument_EntityPrincipals(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		kind Kind
		want []string
	}{
		{"ok/none", trustPolicy(assumeBy(`{"AWS":["123456789012","arn:aws:iam::123456789012:root","*","arn:aws:sts::123456789012:assumed-role/Builder/ci","arn:aws:sts::123456789012:federated-user/BobApp"],"Service":"ec2.amazonaws.com"}`) + "," +
			`{"Effect":"Allow","Principal":{"Federated":"` + githubOIDC + `"},"Action":"sts:AssumeRoleWithWebIdentity"}`), Trust, nil},
		{"ok/document-order-deduplicated", trustPolicy(
			assumeBy(`{"AWS":["123456789012","arn:aws:iam::123456789012:user/Bob","arn:aws:iam::123456789012:role/ci/Builder"],"Service":"lambda.amazonaws.com"}`) + "," +
				`{"Effect":"Deny","Principal":{"AWS":["arn:aws:iam::123456789012:role/Old","arn:aws:iam::123456789012:user/Bob"]},"Action":"sts:TagSession"}` + "," +
				assumeBy(`{"AWS":"arn:aws:iam::123456789012:user/bob"}`)), Trust,
			[]string{"arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:role/ci/Builder", "arn:aws:iam::123456789012:role/Old", "arn:aws:iam::123456789012:user/bob"}},
		{"ok/resource-not-principal", trustPolicy(`{"Effect":"Deny","NotPrincipal":{"AWS":["` + userARN + `","` + rootArn + `"]},"Action":"s3:*"}`), Resource, []string{userARN}},
		{"ok/resource-other-arns-ignored", trustPolicy(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:group/Admins","arn:aws:iam::123456789012:role/R"]},"Action":"s3:*"}`), Resource, []string{"arn:aws:iam::123456789012:role/R"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustParse(t, tc.doc, tc.kind).EntityPrincipals()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("EntityPrincipals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidPrincipal(t *testing.T) {
	tests := []struct{ typ, value, want string }{
		// hashicorp/terraform-provider-aws#8905, opstrace/opstrace#88.
		{"AWS", "arn:aws:iam::123456789012:role/Missing", `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/Missing"`},
		{"Service", "ec2.amazonaws.comm", `Invalid principal in policy: "SERVICE":"ec2.amazonaws.comm"`},
	}
	for _, tc := range tests {
		err := InvalidPrincipal(tc.typ, tc.value)
		if err.Message != tc.want || err.Line != 0 || err.Column != 0 {
			t.Errorf("InvalidPrincipal(%q, %q) = %+v, want message %q", tc.typ, tc.value, err, tc.want)
		}
		if got := err.Error(); got != "malformed policy document: "+tc.want {
			t.Errorf("Error() = %q", got)
		}
	}
	// The IAM layer's message is the one Parse gives for an invalid value.
	_, err := Parse(trustPolicy(assumeBy(`{"AWS":"arn:aws:iam::123456789012:group/G"}`)), Trust)
	if got, want := asSyntaxError(t, err).Message, InvalidPrincipal("AWS", "arn:aws:iam::123456789012:group/G").Message; got != want {
		t.Errorf("Parse says %q, InvalidPrincipal %q", got, want)
	}
}

func TestEvaluate_Trust(t *testing.T) {
	// A trust policy is the role's resource-based policy
	// (reference_policies_evaluation-logic, id_roles_terms-and-concepts): it
	// must allow the caller, and naming the account leaves the decision to
	// the caller's identity policies.
	const (
		carolARN       = "arn:aws:iam::111122223333:user/Carol"
		builderARN     = "arn:aws:iam::123456789012:role/ci/Builder"
		sessionARN     = "arn:aws:sts::123456789012:assumed-role/Builder/ci"
		allowAssume    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}}`
		allowAssumeAny = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:*","Resource":"*"}}`
	)
	bob := PrincipalInfo{ARN: userARN, Account: acct}
	alice := PrincipalInfo{ARN: otherARN, Account: acct}
	carol := PrincipalInfo{ARN: carolARN, Account: "111122223333"}
	root := PrincipalInfo{ARN: rootArn, Account: acct}
	builder := PrincipalInfo{ARN: sessionARN, Account: acct, SourceARN: builderARN}
	github := PrincipalInfo{Federated: githubOIDC}
	saml := PrincipalInfo{Federated: samlProvider}
	gitlab := PrincipalInfo{Federated: "arn:aws:iam::123456789012:oidc-provider/gitlab.com"}

	trust := func(statements string) *Named {
		return named(t, "Deploy", ResourceBased, trustPolicy(statements), Trust)
	}
	id := func(doc string) []Named { return []Named{*named(t, "id", IdentityBased, doc, Identity)} }
	mfa := func(present string) map[string][]string {
		return map[string][]string{"aws:MultiFactorAuthPresent": {present}}
	}
	denyWithoutMFA := `{"Sid":"NoMFA","Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`
	github_ := `{"Sid":"GitHub","Effect":"Allow","Principal":{"Federated":"` + githubOIDC + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}}`
	githubCtx := map[string][]string{"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}, "token.actions.githubusercontent.com:sub": {"repo:octo-org/octo-repo:ref:refs/heads/main"}}

	tests := []struct {
		name     string
		in       Input
		action   string
		who      PrincipalInfo
		ctx      map[string][]string
		want     Effect
		deniedBy Type
	}{
		// A user named by ARN: the trust policy alone allows, only that user.
		{"ok/user-named", Input{Resource: trust(assumeBy(`{"AWS":"` + userARN + `"}`))}, "sts:AssumeRole", bob, nil, Allowed, 0},
		{"ok/user-named-action-case", Input{Resource: trust(assumeBy(`{"AWS":"` + userARN + `"}`))}, "STS:assumerole", bob, nil, Allowed, 0},
		{"fail/other-user", Input{Resource: trust(assumeBy(`{"AWS":"` + userARN + `"}`))}, "sts:AssumeRole", alice, nil, ImplicitDeny, ResourceBased},
		{"fail/other-user-identity-allows", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"AWS":"` + userARN + `"}`))}, "sts:AssumeRole", alice, nil, ImplicitDeny, ResourceBased},
		{"fail/user-named-other-action", Input{Identity: id(allowAssumeAny), Resource: trust(assumeBy(`{"AWS":"` + userARN + `"}`))}, "sts:TagSession", bob, nil, ImplicitDeny, ResourceBased},
		{"fail/user-named-identity-denies", Input{Identity: id(`{"Statement":{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}}`), Resource: trust(assumeBy(`{"AWS":"` + userARN + `"}`))}, "sts:AssumeRole", bob, nil, ExplicitDeny, IdentityBased},
		// The account, by id or root ARN: the caller's identity policies decide.
		{"fail/account-no-identity-policy", Input{Resource: trust(assumeBy(`{"AWS":"123456789012"}`))}, "sts:AssumeRole", bob, nil, ImplicitDeny, IdentityBased},
		{"ok/account-and-identity-policy", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"AWS":"123456789012"}`))}, "sts:AssumeRole", bob, nil, Allowed, 0},
		{"ok/account-and-identity-policy-other-user", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"AWS":"123456789012"}`))}, "sts:AssumeRole", alice, nil, Allowed, 0},
		{"fail/root-arn-no-identity-policy", Input{Resource: trust(assumeBy(`{"AWS":"` + rootArn + `"}`))}, "sts:AssumeRole", bob, nil, ImplicitDeny, IdentityBased},
		{"ok/root-arn-and-identity-policy", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"AWS":"` + rootArn + `"}`))}, "sts:AssumeRole", bob, nil, Allowed, 0},
		{"ok/root-arn-role-session-identity-policy", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"AWS":"` + rootArn + `"}`))}, "sts:AssumeRole", builder, nil, Allowed, 0},
		{"fail/other-account", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"AWS":"123456789012"}`))}, "sts:AssumeRole", carol, nil, ImplicitDeny, ResourceBased},
		{"ok/account-names-its-root", Input{Root: true, Resource: trust(assumeBy(`{"AWS":"123456789012"}`))}, "sts:AssumeRole", root, nil, Allowed, 0},
		// Trust policies never grant implicitly, not even to the root.
		{"fail/root-not-named", Input{Root: true, Resource: trust(assumeBy(`{"AWS":"` + userARN + `"}`))}, "sts:AssumeRole", root, nil, ImplicitDeny, ResourceBased},
		// Any AWS principal.
		{"ok/aws-star", Input{Resource: trust(assumeBy(`{"AWS":"*"}`))}, "sts:AssumeRole", alice, nil, Allowed, 0},
		{"ok/aws-star-list", Input{Resource: trust(assumeBy(`{"AWS":["*"]}`))}, "sts:AssumeRole", builder, nil, Allowed, 0},
		{"ok/aws-star-principal-arn-like", Input{Resource: trust(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ci/*"}}}`)}, "sts:AssumeRole", builder, map[string][]string{"aws:PrincipalArn": {builderARN}}, Allowed, 0},
		{"fail/aws-star-principal-arn-unlike", Input{Resource: trust(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ci/*"}}}`)}, "sts:AssumeRole", bob, map[string][]string{"aws:PrincipalArn": {userARN}}, ImplicitDeny, ResourceBased},
		{"fail/aws-star-not-web-identity", Input{Resource: trust(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRoleWithWebIdentity"}`)}, "sts:AssumeRoleWithWebIdentity", github, nil, ImplicitDeny, ResourceBased},
		// A Deny whose condition holds wins over the Allow naming the caller.
		{"fail/deny-without-mfa", Input{Resource: trust(assumeBy(`{"AWS":"`+userARN+`"}`) + "," + denyWithoutMFA)}, "sts:AssumeRole", bob, mfa("false"), ExplicitDeny, ResourceBased},
		{"fail/deny-mfa-unknown", Input{Resource: trust(assumeBy(`{"AWS":"`+userARN+`"}`) + "," + denyWithoutMFA)}, "sts:AssumeRole", bob, nil, ExplicitDeny, ResourceBased},
		{"ok/deny-condition-false", Input{Resource: trust(assumeBy(`{"AWS":"`+userARN+`"}`) + "," + denyWithoutMFA)}, "sts:AssumeRole", bob, mfa("true"), Allowed, 0},
		{"fail/deny-names-user", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"AWS":"123456789012"}`) + `,{"Effect":"Deny","Principal":{"AWS":"` + userARN + `"},"Action":"sts:*"}`)}, "sts:AssumeRole", bob, nil, ExplicitDeny, ResourceBased},
		{"ok/deny-names-other-user", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"AWS":"123456789012"}`) + `,{"Effect":"Deny","Principal":{"AWS":"` + userARN + `"},"Action":"sts:*"}`)}, "sts:AssumeRole", alice, nil, Allowed, 0},
		{"fail/deny-not-action", Input{Resource: trust(assumeBy(`{"AWS":"*"}`) + `,{"Effect":"Deny","Principal":{"AWS":"*"},"NotAction":"sts:AssumeRole"}`)}, "sts:TagSession", bob, nil, ExplicitDeny, ResourceBased},
		// Role chaining: the role's sessions, or one session.
		{"ok/role-named", Input{Resource: trust(assumeBy(`{"AWS":"` + builderARN + `"}`))}, "sts:AssumeRole", builder, nil, Allowed, 0},
		{"fail/role-named-boundary-does-not-allow", Input{Boundary: named(t, "b", PermissionsBoundary, allowS3, Identity), Resource: trust(assumeBy(`{"AWS":"` + builderARN + `"}`))}, "sts:AssumeRole", builder, nil, ImplicitDeny, PermissionsBoundary},
		{"ok/session-named", Input{Boundary: named(t, "b", PermissionsBoundary, allowS3, Identity), Resource: trust(assumeBy(`{"AWS":"` + sessionARN + `"}`))}, "sts:AssumeRole", builder, nil, Allowed, 0},
		{"fail/other-session-named", Input{Resource: trust(assumeBy(`{"AWS":"arn:aws:sts::123456789012:assumed-role/Builder/other"}`))}, "sts:AssumeRole", builder, nil, ImplicitDeny, ResourceBased},
		{"fail/role-named-user-calls", Input{Resource: trust(assumeBy(`{"AWS":"` + builderARN + `"}`))}, "sts:AssumeRole", bob, nil, ImplicitDeny, ResourceBased},
		// Federated principals match the provider that vouched for the caller.
		{"ok/github-oidc", Input{Resource: trust(github_)}, "sts:AssumeRoleWithWebIdentity", github, githubCtx, Allowed, 0},
		{"fail/github-oidc-other-repo", Input{Resource: trust(github_)}, "sts:AssumeRoleWithWebIdentity", github, map[string][]string{"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}, "token.actions.githubusercontent.com:sub": {"repo:evil/repo:ref:refs/heads/main"}}, ImplicitDeny, ResourceBased},
		{"fail/github-oidc-other-provider", Input{Resource: trust(github_)}, "sts:AssumeRoleWithWebIdentity", gitlab, githubCtx, ImplicitDeny, ResourceBased},
		{"fail/github-oidc-aws-caller", Input{Resource: trust(github_)}, "sts:AssumeRoleWithWebIdentity", bob, githubCtx, ImplicitDeny, ResourceBased},
		{"fail/github-oidc-other-action", Input{Resource: trust(github_)}, "sts:AssumeRole", github, githubCtx, ImplicitDeny, ResourceBased},
		{"ok/saml", Input{Resource: trust(`{"Effect":"Allow","Principal":{"Federated":"` + samlProvider + `"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`)}, "sts:AssumeRoleWithSAML", saml, map[string][]string{"saml:aud": {"https://signin.aws.amazon.com/saml"}}, Allowed, 0},
		{"fail/saml-other-audience", Input{Resource: trust(`{"Effect":"Allow","Principal":{"Federated":"` + samlProvider + `"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}`)}, "sts:AssumeRoleWithSAML", saml, map[string][]string{"saml:aud": {"https://example.com/saml"}}, ImplicitDeny, ResourceBased},
		{"ok/cognito", Input{Resource: trust(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}`)}, "sts:AssumeRoleWithWebIdentity", PrincipalInfo{Federated: "cognito-identity.amazonaws.com"}, map[string][]string{"cognito-identity.amazonaws.com:amr": {"authenticated", "graph.facebook.com"}}, Allowed, 0},
		{"fail/federated-deny", Input{Resource: trust(github_ + `,{"Effect":"Deny","Principal":{"Federated":"` + githubOIDC + `"},"Action":"sts:*","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"*:pull_request"}}}`)}, "sts:AssumeRoleWithWebIdentity", github, map[string][]string{"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}, "token.actions.githubusercontent.com:sub": {"repo:octo-org/octo-repo:pull_request"}}, ExplicitDeny, ResourceBased},
		// Service principals name no OpenSTS caller.
		{"fail/service", Input{Identity: id(allowAssume), Resource: trust(assumeBy(`{"Service":"ec2.amazonaws.com"}`))}, "sts:AssumeRole", bob, nil, ImplicitDeny, ResourceBased},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(tc.in, Request{Action: tc.action, Resource: roleARN, Principal: tc.who, Context: ctxOf(tc.ctx)})
			if got.Effect != tc.want || got.DeniedBy != tc.deniedBy {
				t.Errorf("Evaluate = %v (denied by %q), want %v (denied by %q)", got.Effect, got.DeniedBy, tc.want, tc.deniedBy)
			}
		})
	}
}

func TestEvaluate_TrustMatched(t *testing.T) {
	// The statements that decided are reported, with the trust policy's
	// type, so the STS layer can tell which trust statement allowed.
	doc := trustPolicy(`{"Sid":"Account","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}`)
	in := Input{
		Identity: []Named{*named(t, "id", IdentityBased, allowAll, Identity)},
		Resource: named(t, "Deploy", ResourceBased, doc, Trust),
	}
	got := Evaluate(in, Request{Action: "sts:AssumeRole", Resource: roleARN, Principal: PrincipalInfo{ARN: userARN, Account: acct}, Context: NewContext()})
	want := []Match{
		{PolicyID: "id", Type: IdentityBased, Statement: 0, Start: Position{1, 38}, End: Position{1, 83}},
		{PolicyID: "Deploy", Type: ResourceBased, Statement: 0, Sid: "Account", Start: Position{1, 39}, End: Position{1, 133}},
	}
	if got.Effect != Allowed {
		t.Fatalf("Evaluate = %+v, want allowed", got)
	}
	if diff := cmp.Diff(want, got.Matched); diff != "" {
		t.Errorf("Matched (-want +got):\n%s", diff)
	}
}

func TestEvaluate_ResourceFederated(t *testing.T) {
	// Federated principals of resource-based policies match the same way,
	// and a NotPrincipal naming the provider excludes its callers.
	github := PrincipalInfo{Federated: githubOIDC}
	gitlab := PrincipalInfo{Federated: "arn:aws:iam::123456789012:oidc-provider/gitlab.com"}
	tests := []struct {
		name string
		doc  string
		who  PrincipalInfo
		want Effect
	}{
		{"ok/federated-named", bucketPolicy(`{"Federated":"` + githubOIDC + `"}`), github, Allowed},
		{"fail/other-provider", bucketPolicy(`{"Federated":"` + githubOIDC + `"}`), gitlab, ImplicitDeny},
		{"ok/bare-star-names-federated", bucketPolicy(`"*"`), github, Allowed},
		{"fail/aws-star-does-not", bucketPolicy(`{"AWS":"*"}`), github, ImplicitDeny},
		{"fail/account-does-not", bucketPolicy(`{"AWS":"123456789012"}`), github, ImplicitDeny},
		{"fail/not-principal-deny-others", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"},{"Effect":"Deny","NotPrincipal":{"Federated":"` + githubOIDC + `"},"Action":"s3:*"}]}`, gitlab, ExplicitDeny},
		{"ok/not-principal-deny-lists-provider", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"},{"Effect":"Deny","NotPrincipal":{"Federated":"` + githubOIDC + `"},"Action":"s3:*"}]}`, github, Allowed},
		{"fail/not-principal-aws-star-deny", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"},{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"s3:*"}]}`, github, ExplicitDeny},
		{"ok/not-principal-bare-star-deny", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"},{"Effect":"Deny","NotPrincipal":"*","Action":"s3:*"}]}`, github, Allowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Resource: named(t, "bucket", ResourceBased, tc.doc, Resource)}
			got := Evaluate(in, Request{Action: "s3:GetObject", Resource: objectARN, Principal: tc.who, Context: NewContext()})
			if got.Effect != tc.want {
				t.Errorf("Evaluate = %v (denied by %q), want %v", got.Effect, got.DeniedBy, tc.want)
			}
		})
	}
}
