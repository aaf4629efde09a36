package policy

import (
	"fmt"
	"testing"
)

// allowed reports whether a single identity policy allows action on
// resource.
func allowed(tb testing.TB, doc, action, resource string, kv map[string][]string) bool {
	tb.Helper()
	d := mustParse(tb, doc, Identity)
	return Evaluate(Input{Identity: identity(d)}, Request{Action: action, Resource: resource, Context: ctxOf(kv)}).Effect == Allowed
}

func TestMatch_Action(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html:
	// prefixes and action names are case-insensitive; * and ? are wildcards.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
	tests := []struct {
		name    string
		element string
		action  string
		want    bool
	}{
		{"ok/exact", `"Action":"s3:GetObject"`, "s3:GetObject", true},
		{"ok/case-insensitive-request", `"Action":"s3:GetObject"`, "S3:GETOBJECT", true},
		{"ok/case-insensitive-policy", `"Action":"S3:getobject"`, "s3:GetObject", true},
		{"ok/service-star", `"Action":"s3:*"`, "s3:PutObject", true},
		{"ok/star-anywhere", `"Action":"iam:*AccessKey*"`, "iam:CreateAccessKey", true},
		{"ok/star-anywhere-no-match", `"Action":"iam:*AccessKey*"`, "iam:CreateUser", false},
		{"ok/prefix-star", `"Action":"s3:Get*"`, "s3:PutObject", false},
		{"ok/question-mark", `"Action":"s3:Get?bject"`, "s3:GetObject", true},
		{"ok/question-mark-one-char-only", `"Action":"s3:Get?bject"`, "s3:GetOObject", false},
		{"ok/all-actions", `"Action":"*"`, "sts:GetFederationToken", true},
		{"ok/other-service", `"Action":"s3:*"`, "s3-object-lambda:GetObject", false},
		{"ok/service-is-not-a-prefix-match", `"Action":"sts:*"`, "sts2:GetCallerIdentity", false},
		{"ok/list-any", `"Action":["ec2:*","sts:GetFederationToken"]`, "sts:GetFederationToken", true},
		{"ok/request-without-colon", `"Action":"s3:*"`, "GetObject", false},
		{"ok/NotAction/listed", `"NotAction":"iam:*"`, "iam:CreateUser", false},
		{"ok/NotAction/unlisted", `"NotAction":"iam:*"`, "s3:GetObject", true},
		{"ok/NotAction/case-insensitive", `"NotAction":"IAM:*"`, "iam:CreateUser", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",%s,"Resource":"*"}}`, tc.element)
			if got := allowed(t, doc, tc.action, "*", nil); got != tc.want {
				t.Errorf("%s vs %q: allowed = %v, want %v", tc.element, tc.action, got, tc.want)
			}
		})
	}
}

func TestMatch_Resource(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html:
	// resources are case-sensitive; * and ? may appear in any segment, * can
	// expand to replace everything in a segment including "/", and a trailing *
	// can match beyond colon boundaries. OpenSTS matches * across any
	// character of the ARN.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
	tests := []struct {
		name     string
		element  string
		resource string
		want     bool
	}{
		{"ok/exact", `"Resource":"arn:aws:iam::123456789012:user/Bob"`, "arn:aws:iam::123456789012:user/Bob", true},
		{"ok/case-sensitive", `"Resource":"arn:aws:iam::123456789012:user/Bob"`, "arn:aws:iam::123456789012:user/bob", false},
		{"ok/path-star", `"Resource":"arn:aws:iam::123456789012:user/accounting/*"`, "arn:aws:iam::123456789012:user/accounting/Bob", true},
		{"ok/star-crosses-slashes", `"Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"`, "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c.txt", true},
		{"ok/bucket-is-not-its-objects", `"Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"`, "arn:aws:s3:::amzn-s3-demo-bucket", false},
		{"ok/trailing-star-crosses-colons", `"Resource":"arn:aws:logs:*:*:*"`, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", true},
		{"ok/segment-wildcards", `"Resource":"arn:aws:dynamodb:*:*:table/MyTable"`, "arn:aws:dynamodb:us-east-2:123456789012:table/MyTable", true},
		{"ok/question-mark", `"Resource":"arn:aws:s3:::bucket/file?.txt"`, "arn:aws:s3:::bucket/file1.txt", true},
		{"ok/question-mark-needs-a-char", `"Resource":"arn:aws:s3:::bucket/file?.txt"`, "arn:aws:s3:::bucket/file.txt", false},
		{"ok/all", `"Resource":"*"`, "arn:aws:sts::123456789012:federated-user/Bob", true},
		{"ok/federated-user-names", `"Resource":"arn:aws:sts::123456789012:federated-user/Manager*"`, "arn:aws:sts::123456789012:federated-user/ManagerBob", true},
		{"ok/federated-user-names-other", `"Resource":"arn:aws:sts::123456789012:federated-user/Manager*"`, "arn:aws:sts::123456789012:federated-user/Bob", false},
		{"ok/star-request", `"Resource":"arn:aws:s3:::b"`, "*", false},
		{"ok/list-any", `"Resource":["arn:aws:s3:::a","arn:aws:s3:::b"]`, "arn:aws:s3:::b", true},
		{"ok/NotResource/listed", `"NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]`, "arn:aws:s3:::HRBucket/Payroll/2024.csv", false},
		{"ok/NotResource/unlisted", `"NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]`, "arn:aws:s3:::HRBucket/Public/x", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",%s}}`, tc.element)
			if got := allowed(t, doc, "s3:GetObject", tc.resource, nil); got != tc.want {
				t.Errorf("%s vs %q: allowed = %v, want %v", tc.element, tc.resource, got, tc.want)
			}
		})
	}
}

func TestMatch_Variables(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html:
	// variables in Resource and in string, ARN and Boolean condition values;
	// only with Version 2012-10-17; ${*}, ${?} and ${$} stand for the literal
	// characters; defaults are written ${key, 'default'}; a variable with no
	// value makes a Resource match nothing and a condition value behave as
	// null.
	bob := map[string][]string{"aws:username": {"bob"}}
	tests := []struct {
		name     string
		version  string
		stmt     string
		resource string
		ctx      map[string][]string
		want     bool
	}{
		{"ok/resource/own-home", Version2012, `"Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"`, "arn:aws:s3:::bucket/home/bob/notes.txt", bob, true},
		{"ok/resource/other-home", Version2012, `"Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"`, "arn:aws:s3:::bucket/home/alice/notes.txt", bob, false},
		{"ok/resource/no-value-matches-nothing", Version2012, `"Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"`, "arn:aws:s3:::bucket/home//x", nil, false},
		{"ok/resource/key-case-insensitive", Version2012, `"Resource":"arn:aws:iam::123456789012:user/${AWS:UserName}"`, "arn:aws:iam::123456789012:user/bob", bob, true},
		{"ok/resource/value-is-literal-not-wildcard", Version2012, `"Resource":"arn:aws:s3:::bucket/${aws:username}"`, "arn:aws:s3:::bucket/anything", map[string][]string{"aws:username": {"*"}}, false},
		{"ok/resource/tag-variable", Version2012, `"Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/department}"`, "arn:aws:s3:::bucket/hr", map[string][]string{"aws:PrincipalTag/department": {"hr"}}, true},
		{"ok/resource/multivalued-key-is-no-variable", Version2012, `"Resource":"arn:aws:s3:::bucket/${aws:TagKeys}"`, "arn:aws:s3:::bucket/a", map[string][]string{"aws:TagKeys": {"a", "b"}}, false},
		{"ok/resource/version-2008-is-literal", Version2008, `"Resource":"arn:aws:s3:::bucket/${aws:username}"`, "arn:aws:s3:::bucket/${aws:username}", bob, true},
		{"ok/resource/version-2008-does-not-substitute", Version2008, `"Resource":"arn:aws:s3:::bucket/${aws:username}"`, "arn:aws:s3:::bucket/bob", bob, false},
		{"ok/resource/no-version-is-literal", "", `"Resource":"arn:aws:s3:::bucket/${aws:username}"`, "arn:aws:s3:::bucket/bob", bob, false},
		{"ok/resource/default-used", Version2012, `"Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*"`, "arn:aws:s3:::bucket/company-wide/x", nil, true},
		{"ok/resource/default-ignored-when-set", Version2012, `"Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*"`, "arn:aws:s3:::bucket/company-wide/x", map[string][]string{"aws:PrincipalTag/team": {"red"}}, false},
		{"ok/resource/default-value-set", Version2012, `"Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*"`, "arn:aws:s3:::bucket/red/x", map[string][]string{"aws:PrincipalTag/team": {"red"}}, true},
		{"ok/resource/literal-star", Version2012, `"Resource":"arn:aws:s3:::bucket/${*}"`, "arn:aws:s3:::bucket/*", nil, true},
		{"ok/resource/literal-star-is-no-wildcard", Version2012, `"Resource":"arn:aws:s3:::bucket/${*}"`, "arn:aws:s3:::bucket/x", nil, false},
		{"ok/resource/literal-question-mark", Version2012, `"Resource":"arn:aws:s3:::bucket/what${?}"`, "arn:aws:s3:::bucket/what?", nil, true},
		{"ok/resource/literal-question-mark-is-no-wildcard", Version2012, `"Resource":"arn:aws:s3:::bucket/what${?}"`, "arn:aws:s3:::bucket/whats", nil, false},
		{"ok/resource/literal-dollar", Version2012, `"Resource":"arn:aws:s3:::bucket/${$}{x}"`, "arn:aws:s3:::bucket/${x}", nil, true},
		{"ok/resource/unterminated-is-literal", Version2012, `"Resource":"arn:aws:s3:::bucket/${aws:username"`, "arn:aws:s3:::bucket/${aws:username", bob, true},
		{"ok/resource/variable-then-star", Version2012, `"Resource":"arn:aws:s3:::bucket/${aws:username}*"`, "arn:aws:s3:::bucket/bobby", bob, true},
		{"ok/condition/StringLike", Version2012, `"Resource":"*","Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}`, "*", map[string][]string{"aws:username": {"bob"}, "s3:prefix": {"home/bob/x"}}, true},
		{"ok/condition/StringLike-other-user", Version2012, `"Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, "*", map[string][]string{"aws:username": {"bob"}, "s3:prefix": {"home/alice/x"}}, false},
		{"ok/condition/StringEquals-null-variable", Version2012, `"Resource":"*","Condition":{"StringEquals":{"ec2:ResourceTag/VolumeUser":"${aws:username}"}}`, "*", map[string][]string{"ec2:ResourceTag/VolumeUser": {""}}, false},
		{"ok/condition/StringNotEquals-null-variable", Version2012, `"Resource":"*","Condition":{"StringNotEquals":{"ec2:ResourceTag/VolumeUser":"${aws:username}"}}`, "*", map[string][]string{"ec2:ResourceTag/VolumeUser": {"x"}}, true},
		{"ok/condition/StringEqualsIgnoreCase", Version2012, `"Resource":"*","Condition":{"StringEqualsIgnoreCase":{"ec2:ResourceTag/Owner":"user-${aws:username}"}}`, "*", map[string][]string{"aws:username": {"bob"}, "ec2:ResourceTag/Owner": {"USER-BOB"}}, true},
		{"ok/condition/ArnEquals", Version2012, `"Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/${aws:username}"}}`, "*", map[string][]string{"aws:username": {"bob"}, "aws:PrincipalArn": {"arn:aws:iam::123456789012:user/bob"}}, true},
		{"ok/condition/Bool", Version2012, `"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"${aws:SecureTransport}"}}`, "*", map[string][]string{"aws:SecureTransport": {"true"}, "aws:MultiFactorAuthPresent": {"true"}}, true},
		{"ok/condition/version-2008-literal", Version2008, `"Resource":"*","Condition":{"StringEquals":{"s3:prefix":"${aws:username}"}}`, "*", map[string][]string{"aws:username": {"bob"}, "s3:prefix": {"${aws:username}"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := ""
			if tc.version != "" {
				v = fmt.Sprintf(`"Version":%q,`, tc.version)
			}
			doc := fmt.Sprintf(`{%s"Statement":{"Effect":"Allow","Action":"s3:*",%s}}`, v, tc.stmt)
			if got := allowed(t, doc, "s3:GetObject", tc.resource, tc.ctx); got != tc.want {
				t.Errorf("%s on %q with %v: allowed = %v, want %v", tc.stmt, tc.resource, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestGlobParts(t *testing.T) {
	tests := []struct {
		name, pattern, s string
		fold             bool
		want             bool
	}{
		{"ok/prefix", "Get*", "GetObject", false, true},
		{"ok/prefix-case", "Get*", "getObject", false, false},
		{"ok/prefix-fold", "get*", "GETOBJECT", true, true},
		{"ok/suffix", "*Object", "GetObject", false, true},
		{"ok/suffix-short", "*Object", "Obj", false, false},
		{"ok/contains", "*Access*", "CreateAccessKey", false, true},
		{"ok/contains-fold", "*accesskey*", "CreateACCESSKEY", true, true},
		{"ok/contains-missing", "*Access*", "CreateUser", false, false},
		{"ok/literal-fold", "getobject", "GetObject", true, true},
		{"ok/general-fold", "get?bj*t", "GETOBJECT", true, true},
		{"ok/empty-pattern-empty-string", "", "", false, true},
		{"ok/empty-pattern", "", "a", false, false},
		{"ok/star-only", "*", "", false, true},
		{"ok/backtracking", "a*b*c", "aXbYbZc", false, true},
		{"ok/backtracking-fails", "a*b*c", "aXbYbZ", false, false},
		{"ok/stars-collapse", "a**b", "ab", false, true},
		{"ok/question-marks", "??", "é1", false, true},
		{"ok/question-marks-count-characters", "???", "é1", false, false},
		{"ok/star-then-question", "*?", "", false, false},
		{"ok/literal-suffix", "*.txt", "a.txt.txt", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := compilePattern(tc.pattern, true, false)
			if got := p.match(tc.s, nil, tc.fold); got != tc.want {
				t.Errorf("match(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
			}
		})
	}
}
