package policy

import (
	"testing"
	"time"
)

type condCase struct {
	name      string
	version   string // "" means 2012-10-17
	condition string
	ctx       map[string][]string
	want      bool
}

func runCondCases(t *testing.T, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.version
			if v == "" {
				v = Version2012
			}
			if got := conditionHolds(t, v, tc.condition, tc.ctx); got != tc.want {
				t.Errorf("condition %s with context %v: holds = %v, want %v", tc.condition, tc.ctx, got, tc.want)
			}
		})
	}
}

func TestCondition_String(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
	// and the missing-key rule at the top of the same page.
	job := func(v ...string) map[string][]string { return map[string][]string{"aws:PrincipalTag/job-category": v} }
	runCondCases(t, []condCase{
		{"ok/StringEquals/match", "", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, job("iamuser-admin"), true},
		{"ok/StringEquals/case-sensitive", "", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, job("IAMUser-Admin"), false},
		{"ok/StringEquals/missing-key-is-false", "", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, nil, false},
		{"ok/StringEquals/values-are-ORed", "", `{"StringEquals":{"aws:PrincipalTag/job-category":["a","iamuser-admin"]}}`, job("iamuser-admin"), true},
		{"ok/StringEquals/star-is-literal", "", `{"StringEquals":{"aws:PrincipalTag/job-category":"*"}}`, job("anything"), false},
		{"ok/StringEquals/star-matches-star", "", `{"StringEquals":{"aws:PrincipalTag/job-category":"*"}}`, job("*"), true},
		{"ok/StringEquals/key-name-case-insensitive", "", `{"StringEquals":{"AWS:PRINCIPALTAG/JOB-CATEGORY":"iamuser-admin"}}`, job("iamuser-admin"), true},
		{"ok/StringEquals/empty-value-list-never-matches", "", `{"StringEquals":{"aws:PrincipalTag/job-category":[]}}`, job("x"), false},
		{"ok/StringNotEquals/differs", "", `{"StringNotEquals":{"aws:PrincipalTag/job-category":"admin"}}`, job("dev"), true},
		{"ok/StringNotEquals/equal", "", `{"StringNotEquals":{"aws:PrincipalTag/job-category":"admin"}}`, job("admin"), false},
		{"ok/StringNotEquals/missing-key-is-true", "", `{"StringNotEquals":{"aws:PrincipalTag/job-category":"admin"}}`, nil, true},
		{"ok/StringNotEquals/values-are-NORed", "", `{"StringNotEquals":{"aws:PrincipalTag/job-category":["audit","security"]}}`, job("security"), false},
		{"ok/StringNotEquals/none-of-the-values", "", `{"StringNotEquals":{"aws:PrincipalTag/job-category":["audit","security"]}}`, job("dev"), true},
		{"ok/StringEqualsIgnoreCase/match", "", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, job("IAMUser-Admin"), true},
		{"ok/StringEqualsIgnoreCase/differs", "", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, job("admin"), false},
		{"ok/StringNotEqualsIgnoreCase/same-but-case", "", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/job-category":"admin"}}`, job("ADMIN"), false},
		{"ok/StringNotEqualsIgnoreCase/missing-key-is-true", "", `{"StringNotEqualsIgnoreCase":{"aws:PrincipalTag/job-category":"admin"}}`, nil, true},
		{"ok/StringLike/star", "", `{"StringLike":{"s3:prefix":"home/*"}}`, map[string][]string{"s3:prefix": {"home/bob/notes"}}, true},
		{"ok/StringLike/question-mark-one-char", "", `{"StringLike":{"s3:prefix":"v?"}}`, map[string][]string{"s3:prefix": {"v1"}}, true},
		{"ok/StringLike/question-mark-not-two", "", `{"StringLike":{"s3:prefix":"v?"}}`, map[string][]string{"s3:prefix": {"v10"}}, false},
		{"ok/StringLike/case-sensitive", "", `{"StringLike":{"s3:prefix":"home/*"}}`, map[string][]string{"s3:prefix": {"Home/bob"}}, false},
		{"ok/StringLike/star-crosses-colons", "", `{"StringLike":{"aws:PrincipalArn":"arn:*:user/Bob"}}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::123456789012:user/Bob"}}, true},
		{"ok/StringLike/star-matches-empty", "", `{"StringLike":{"s3:prefix":"home/*"}}`, map[string][]string{"s3:prefix": {"home/"}}, true},
		{"ok/StringLike/non-ascii", "", `{"StringLike":{"s3:prefix":"caf?"}}`, map[string][]string{"s3:prefix": {"café"}}, true},
		{"ok/StringNotLike/no-match", "", `{"StringNotLike":{"s3:prefix":"home/*"}}`, map[string][]string{"s3:prefix": {"tmp/x"}}, true},
		{"ok/StringNotLike/match", "", `{"StringNotLike":{"s3:prefix":"home/*"}}`, map[string][]string{"s3:prefix": {"home/x"}}, false},
		{"ok/StringNotLike/missing-key-is-true", "", `{"StringNotLike":{"s3:prefix":"home/*"}}`, nil, true},
	})
}

func TestCondition_Numeric(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
	age := func(v ...string) map[string][]string { return map[string][]string{"aws:MultiFactorAuthAge": v} }
	runCondCases(t, []condCase{
		{"ok/NumericLessThan/below", "", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, age("100"), true},
		{"ok/NumericLessThan/equal-is-not-less", "", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, age("3600"), false},
		{"ok/NumericLessThan/json-number-value", "", `{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}`, age("100"), true},
		{"ok/NumericLessThan/missing-key-is-false", "", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, nil, false},
		{"ok/NumericLessThan/request-not-a-number", "", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, age("soon"), false},
		{"ok/NumericLessThanEquals/equal", "", `{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, age("3600"), true},
		{"ok/NumericLessThanEquals/above", "", `{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, age("3601"), false},
		{"ok/NumericGreaterThan/above", "", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"10"}}`, age("10.5"), true},
		{"ok/NumericGreaterThan/equal", "", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"10"}}`, age("10"), false},
		{"ok/NumericGreaterThanEquals/equal", "", `{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"10"}}`, age("10"), true},
		{"ok/NumericGreaterThanEquals/below", "", `{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"10"}}`, age("9.99"), false},
		{"ok/NumericEquals/int-equals-decimal", "", `{"NumericEquals":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"10.0"}}, true},
		{"ok/NumericEquals/differs", "", `{"NumericEquals":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"11"}}, false},
		{"ok/NumericEquals/negative-decimal", "", `{"NumericEquals":{"s3:max-keys":"-1.5"}}`, map[string][]string{"s3:max-keys": {"-1.50"}}, true},
		{"ok/NumericNotEquals/differs", "", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, map[string][]string{"s3:max-keys": {"11"}}, true},
		{"ok/NumericNotEquals/equal", "", `{"NumericNotEquals":{"s3:max-keys":["10","20"]}}`, map[string][]string{"s3:max-keys": {"20"}}, false},
		{"ok/NumericNotEquals/missing-key-is-true", "", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, nil, true},
		{"ok/NumericLessThanIfExists/missing", "", `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}`, nil, true},
		{"ok/NumericLessThanIfExists/present-too-old", "", `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}`, age("7200"), false},
	})
}

func TestCondition_Date(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
	// The first two cases are the AWS CLI simulate-custom-policy examples
	// (access_policies_testing-policies).
	now := func(v ...string) map[string][]string { return map[string][]string{"aws:CurrentTime": v} }
	epoch := func(v ...string) map[string][]string { return map[string][]string{"aws:EpochTime": v} }
	runCondCases(t, []condCase{
		{"ok/DateGreaterThan/cli-example-allowed", "", `{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}`, now("2019-04-25T11:00:00Z"), true},
		{"ok/DateGreaterThan/cli-example-denied", "", `{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}`, now("2014-04-25T11:00:00Z"), false},
		{"ok/DateGreaterThan/missing-key-is-false", "", `{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}`, nil, false},
		{"ok/DateLessThan/epoch-request-iso-policy", "", `{"DateLessThan":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}`, epoch("1577836799"), true},
		{"ok/DateLessThan/epoch-request-equal", "", `{"DateLessThan":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}`, epoch("1577836800"), false},
		{"ok/DateLessThanEquals/epoch-policy", "", `{"DateLessThanEquals":{"aws:CurrentTime":"1577836800"}}`, now("2020-01-01T00:00:00Z"), true},
		{"ok/DateLessThanEquals/json-number-epoch", "", `{"DateLessThanEquals":{"aws:CurrentTime":1577836800}}`, now("2020-01-01T00:00:01Z"), false},
		{"ok/DateEquals/offsets-compare-as-instants", "", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T01:00:00+01:00"}}`, now("2020-01-01T00:00:00Z"), true},
		{"ok/DateEquals/fractional-seconds", "", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T00:00:00.500Z"}}`, now("2020-01-01T00:00:00.5Z"), true},
		{"ok/DateEquals/hours-and-minutes-only", "", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T10:30Z"}}`, now("2020-01-01T10:30:00Z"), true},
		{"ok/DateGreaterThanEquals/year-only", "", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020"}}`, now("2020-01-01T00:00:00Z"), true},
		{"ok/DateLessThan/year-month", "", `{"DateLessThan":{"aws:CurrentTime":"2020-06"}}`, now("2020-05-31T23:59:59Z"), true},
		{"ok/DateLessThan/date-only", "", `{"DateLessThan":{"aws:CurrentTime":"2020-06-15"}}`, now("2020-06-15T00:00:01Z"), false},
		{"ok/DateGreaterThan/request-not-a-date", "", `{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}`, now("tomorrow"), false},
		{"ok/DateNotEquals/differs", "", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01"}}`, now("2020-01-02T00:00:00Z"), true},
		{"ok/DateNotEquals/missing-key-is-true", "", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01"}}`, nil, true},
		{"ok/DateLessThanIfExists/missing", "", `{"DateLessThanIfExists":{"aws:TokenIssueTime":"2020-01-01"}}`, nil, true},
	})
}

func TestCondition_BoolBinaryNull(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean,
	// #Conditions_BinaryEquals and #Conditions_Null.
	tls := func(v ...string) map[string][]string { return map[string][]string{"aws:SecureTransport": v} }
	runCondCases(t, []condCase{
		{"ok/Bool/true", "", `{"Bool":{"aws:SecureTransport":"true"}}`, tls("true"), true},
		{"ok/Bool/false", "", `{"Bool":{"aws:SecureTransport":"true"}}`, tls("false"), false},
		{"ok/Bool/case-insensitive", "", `{"Bool":{"aws:SecureTransport":"TRUE"}}`, tls("True"), true},
		{"ok/Bool/json-literal", "", `{"Bool":{"aws:SecureTransport":false}}`, tls("false"), true},
		{"ok/Bool/missing-key-is-false", "", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false},
		{"ok/BoolIfExists/missing", "", `{"BoolIfExists":{"aws:SecureTransport":"true"}}`, nil, true},
		{"ok/BoolIfExists/present-false", "", `{"BoolIfExists":{"aws:SecureTransport":"true"}}`, tls("false"), false},
		{"ok/BinaryEquals/same-bytes", "", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, map[string][]string{"key": {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, true},
		{"ok/BinaryEquals/other-bytes", "", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, map[string][]string{"key": {"b3RoZXI="}}, false},
		{"ok/BinaryEquals/request-not-base64", "", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, map[string][]string{"key": {"not base64!"}}, false},
		{"ok/BinaryEquals/missing-key-is-false", "", `{"BinaryEquals":{"key":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, nil, false},
		{"ok/Null/true-and-absent", "", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true},
		{"ok/Null/true-and-present", "", `{"Null":{"aws:TokenIssueTime":"true"}}`, map[string][]string{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, false},
		{"ok/Null/false-and-present", "", `{"Null":{"aws:TokenIssueTime":"false"}}`, map[string][]string{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, true},
		{"ok/Null/false-and-absent", "", `{"Null":{"aws:TokenIssueTime":"false"}}`, nil, false},
		{"ok/Null/empty-values-are-absent", "", `{"Null":{"aws:TagKeys":"true"}}`, map[string][]string{"aws:TagKeys": {}}, true},
		{"ok/Null/json-boolean", "", `{"Null":{"aws:TokenIssueTime":true}}`, nil, true},
	})
}

func TestCondition_IPAddress(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
	ip := func(v ...string) map[string][]string { return map[string][]string{"aws:SourceIp": v} }
	runCondCases(t, []condCase{
		{"ok/IpAddress/in-block", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ip("203.0.113.7"), true},
		{"ok/IpAddress/outside-block", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ip("198.51.100.7"), false},
		{"ok/IpAddress/bare-address-is-slash-32", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ip("203.0.113.7"), true},
		{"ok/IpAddress/bare-address-other-host", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ip("203.0.113.8"), false},
		{"ok/IpAddress/host-bits-set-in-block", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.9/24"}}`, ip("203.0.113.200"), true},
		{"ok/IpAddress/ipv6-block", "", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, ip("2001:db8:1234:5678::1"), true},
		{"ok/IpAddress/ipv6-outside", "", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, ip("2001:db8:1234:5679::1"), false},
		{"ok/IpAddress/bare-ipv6-is-slash-128", "", `{"IpAddress":{"aws:SourceIp":"2001:db8::1"}}`, ip("2001:db8::1"), true},
		{"ok/IpAddress/ipv4-mapped-request", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ip("::ffff:203.0.113.7"), true},
		{"ok/IpAddress/either-of-two-blocks", "", `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, ip("203.0.113.7"), true},
		{"ok/IpAddress/request-not-an-address", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ip("localhost"), false},
		{"ok/IpAddress/missing-key-is-false", "", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, false},
		{"ok/NotIpAddress/outside", "", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ip("198.51.100.7"), true},
		{"ok/NotIpAddress/inside", "", `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}`, ip("203.0.113.7"), false},
		{"ok/NotIpAddress/missing-key-is-true", "", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, true},
		{"ok/IpAddressIfExists/missing", "", `{"IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, true},
	})
}

func TestCondition_ARN(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN:
	// each of the six colon-delimited components is matched separately, so a
	// wildcard cannot cross a colon (unlike StringLike).
	arn := func(v ...string) map[string][]string { return map[string][]string{"aws:SourceArn": v} }
	topic := "arn:aws:sns:us-east-1:123456789012:topic"
	runCondCases(t, []condCase{
		{"ok/ArnLike/exact", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}`, arn(topic), true},
		{"ok/ArnLike/wildcard-region", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:topic"}}`, arn(topic), true},
		{"ok/ArnLike/wildcard-within-account", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:1234*:topic"}}`, arn(topic), true},
		{"ok/ArnLike/wildcard-matches-empty-region", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:iam:*:123456789012:user/*"}}`, arn("arn:aws:iam::123456789012:user/Bob"), true},
		{"ok/ArnLike/star-cannot-cross-colon", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:topic"}}`, arn("arn:aws:sns:us-east-1:999999999999:123456789012:topic"), false},
		{"ok/StringLike/same-pattern-crosses-colon", "", `{"StringLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:topic"}}`, arn("arn:aws:sns:us-east-1:999999999999:123456789012:topic"), true},
		{"ok/ArnLike/last-component-may-hold-colons", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:logs:*:*:log-group:*"}}`, arn("arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s"), true},
		{"ok/ArnLike/fewer-than-six-components-never-match", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:*"}}`, arn(topic), false},
		{"ok/ArnLike/lone-star-matches-any-arn", "", `{"ArnLike":{"aws:SourceArn":"*"}}`, arn(topic), true},
		{"ok/ArnLike/request-not-an-arn", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}`, arn("topic"), false},
		{"ok/ArnLike/case-sensitive", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:Topic"}}`, arn(topic), false},
		{"ok/ArnEquals/also-takes-wildcards", "", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}`, arn(topic), true},
		{"ok/ArnNotLike/no-match", "", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:111111111111:*"}}`, arn(topic), true},
		{"ok/ArnNotEquals/match", "", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:*:123456789012:*"}}`, arn(topic), false},
		{"ok/ArnNotLike/missing-key-is-true", "", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}`, nil, true},
		{"ok/ArnLike/missing-key-is-false", "", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}`, nil, false},
	})
}

func TestCondition_SetOperators(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
	// ForAllValues: every request value must match one policy value; true
	// when the key is absent. ForAnyValue: at least one request value must
	// match; false when absent. Negated operators: a request value "matches"
	// when it equals none of the policy values.
	tags := func(v ...string) map[string][]string { return map[string][]string{"aws:TagKeys": v} }
	runCondCases(t, []condCase{
		{"ok/ForAllValues/subset", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["Department","Project"]}}`, tags("Department"), true},
		{"ok/ForAllValues/all-of-them", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["Department","Project"]}}`, tags("Project", "Department"), true},
		{"ok/ForAllValues/one-outside", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["Department","Project"]}}`, tags("Department", "Owner"), false},
		{"ok/ForAllValues/absent-key-is-true", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["Department","Project"]}}`, nil, true},
		{"ok/ForAllValues/empty-key-is-true", "", `{"ForAllValues:StringEquals":{"aws:TagKeys":["Department","Project"]}}`, tags(), true},
		{"ok/ForAllValues/StringLike", "", `{"ForAllValues:StringLike":{"aws:TagKeys":"Created*"}}`, tags("CreatedBy", "CreatedAt"), true},
		{"ok/ForAllValues/StringLike-one-outside", "", `{"ForAllValues:StringLike":{"aws:TagKeys":"Created*"}}`, tags("CreatedBy", "Owner"), false},
		{"ok/ForAllValues/StringNotEquals-none-listed", "", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["Secret"]}}`, tags("Department", "Project"), true},
		{"ok/ForAllValues/StringNotEquals-one-listed", "", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["Secret"]}}`, tags("Department", "Secret"), false},
		{"ok/ForAllValues/StringNotEquals-absent-is-true", "", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["Secret"]}}`, nil, true},
		{"ok/ForAnyValue/one-matches", "", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["Department","Project"]}}`, tags("Owner", "Project"), true},
		{"ok/ForAnyValue/none-matches", "", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["Department","Project"]}}`, tags("Owner"), false},
		{"ok/ForAnyValue/absent-key-is-false", "", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["Department","Project"]}}`, nil, false},
		{"ok/ForAnyValue/StringNotEquals-one-unlisted", "", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["Secret"]}}`, tags("Secret", "Owner"), true},
		{"ok/ForAnyValue/StringNotEquals-all-listed", "", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["Secret"]}}`, tags("Secret"), false},
		{"ok/ForAnyValue/StringNotEquals-absent-is-false", "", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["Secret"]}}`, nil, false},
		{"ok/ForAnyValue/IfExists-absent-is-true", "", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"Department"}}`, nil, true},
		{"ok/ForAnyValue/NumericLessThan", "", `{"ForAnyValue:NumericLessThan":{"n":"5"}}`, map[string][]string{"n": {"9", "3"}}, true},
		{"ok/ForAllValues/NumericLessThan", "", `{"ForAllValues:NumericLessThan":{"n":"5"}}`, map[string][]string{"n": {"9", "3"}}, false},
		// The Deny example table in reference_policies_condition_examples-multi-valued-context-keys.
		{"ok/doc-example/ForAllValues-StringNotLike-key1-only", "", `{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, tags("key1:legal"), false},
		{"ok/doc-example/ForAllValues-StringNotLike-two-key1", "", `{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, tags("key1:hr", "key1:personnel"), false},
		{"ok/doc-example/ForAllValues-StringNotLike-key2", "", `{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, tags("key2:audit"), true},
		{"ok/doc-example/ForAllValues-StringNotLike-absent", "", `{"ForAllValues:StringNotLike":{"aws:TagKeys":"key1*"}}`, nil, true},
		{"ok/unqualified/multivalued-request-any", "", `{"StringEquals":{"aws:TagKeys":"Project"}}`, tags("Owner", "Project"), true},
		{"ok/unqualified/negated-multivalued-request", "", `{"StringNotEquals":{"aws:TagKeys":"Project"}}`, tags("Owner", "Project"), false},
	})
}

func TestCondition_BlockLogic(t *testing.T) {
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html:
	// several operators AND, several keys under one operator AND, several
	// values for one key OR.
	both := map[string][]string{"aws:PrincipalTag/department": {"hr"}, "aws:PrincipalTag/role": {"audit"}}
	runCondCases(t, []condCase{
		{"ok/keys-are-ANDed/both", "", `{"StringEquals":{"aws:PrincipalTag/department":["finance","hr"],"aws:PrincipalTag/role":["audit","security"]}}`, both, true},
		{"ok/keys-are-ANDed/one-missing", "", `{"StringEquals":{"aws:PrincipalTag/department":["finance","hr"],"aws:PrincipalTag/role":["audit","security"]}}`, map[string][]string{"aws:PrincipalTag/department": {"hr"}}, false},
		{"ok/operators-are-ANDed/both", "", `{"StringEquals":{"aws:PrincipalTag/department":"hr"},"StringLike":{"aws:PrincipalTag/role":"aud*"}}`, both, true},
		{"ok/operators-are-ANDed/one-fails", "", `{"StringEquals":{"aws:PrincipalTag/department":"hr"},"StringLike":{"aws:PrincipalTag/role":"sec*"}}`, both, false},
		{"ok/empty-condition-block", "", `{}`, nil, true},
		{"ok/operator-without-keys", "", `{"StringEquals":{}}`, nil, true},
	})
}

func TestParseDate(t *testing.T) {
	// W3C ISO 8601 profile and epoch seconds
	// (reference_policies_elements_condition_operators#Conditions_Date).
	tests := []struct {
		name string
		in   string
		want time.Time
		ok   bool
	}{
		{"ok/full", "2024-01-31T12:34:56Z", time.Date(2024, 1, 31, 12, 34, 56, 0, time.UTC), true},
		{"ok/offset", "2024-01-31T12:34:56-05:00", time.Date(2024, 1, 31, 17, 34, 56, 0, time.UTC), true},
		{"ok/offset-hours-only", "2016-12-13t2:00:00.593194+23", time.Date(2016, 12, 12, 3, 0, 0, 593194000, time.UTC), true},
		{"ok/offset-without-colon", "2024-01-31T12:00+0130", time.Date(2024, 1, 31, 10, 30, 0, 0, time.UTC), true},
		{"ok/no-zone-means-utc", "2024-01-31T12:00:00", time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC), true},
		{"ok/minutes", "2024-01-31T12:34Z", time.Date(2024, 1, 31, 12, 34, 0, 0, time.UTC), true},
		{"ok/date", "2024-01-31", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), true},
		{"ok/month", "2024-02", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), true},
		{"ok/year", "2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"ok/epoch", "1700000000", time.Unix(1700000000, 0).UTC(), true},
		{"ok/negative-epoch", "-86400", time.Unix(-86400, 0).UTC(), true},
		{"fail/garbage", "sdfdsf", time.Time{}, false},
		{"fail/month-13", "2024-13-01", time.Time{}, false},
		{"fail/february-30", "2024-02-30", time.Time{}, false},
		{"fail/two-digit-year", "24-01-01", time.Time{}, false},
		{"fail/zone-one-digit", "2016-12-13t2:00:00.593194+1", time.Time{}, false},
		{"fail/ten-fraction-digits", "2016-12-13T02:00:00.1999999999Z", time.Time{}, false},
		{"fail/trailing", "2024-01-31T12:00:00Zx", time.Time{}, false},
		{"fail/empty", "", time.Time{}, false},
		{"fail/time-without-minutes", "2024-01-31T12Z", time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseDate(tc.in)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Errorf("parseDate(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
