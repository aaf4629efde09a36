package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		kind    Kind
		message string
		line    int
		column  int
	}{
		// JSON syntax, character set and structure: OpenSTS's own messages, with the
		// line and column (IAM answers "Syntax errors in policy." for most of
		// these, per moto's captures in tests/test_iam/test_iam_policies.py).
		{"fail/empty", "", Identity, "The policy document is empty", 1, 1},
		{"fail/spaces", "  \n ", Identity, "The policy document is empty", 2, 2},
		{"fail/not-json", "This is not a json document", Identity, "Invalid JSON: unexpected character 'T'; expected a value (object, array, string, number, true, false or null) (line 1, column 1)", 1, 1},
		{"fail/array-doc", "[]", Identity, "The policy document must be a JSON object, not an array (line 1, column 1)", 1, 1},
		{"fail/trailing", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}} x", Identity, "Invalid JSON: unexpected character 'x' after the end of the policy document (line 1, column 62)", 1, 62},
		{"fail/unterminated-string", "{\"Version\":\"2012", Identity, "Invalid JSON: string starting here is not terminated (line 1, column 12)", 1, 12},
		{"fail/missing-comma", "{\"Version\":\"2012-10-17\"\n \"Statement\":[]}", Identity, "Invalid JSON: unexpected character '\"'; expected ',' or '}' (line 2, column 2)", 2, 2},
		{"fail/trailing-comma", "{\"Version\":\"2012-10-17\",}", Identity, "Invalid JSON: unexpected character '}'; expected a quoted member name (line 1, column 25)", 1, 25},
		{"fail/bad-escape", "{\"Version\":\"\\x\"}", Identity, "Invalid JSON: invalid escape sequence \\x (line 1, column 13)", 1, 13},
		{"fail/raw-tab-in-string", "{\"Version\":\"2012\t\"}", Identity, "Invalid JSON: control character U+0009 must be escaped inside a string (line 1, column 17)", 1, 17},
		{"fail/bad-number", "{\"Version\":01}", Identity, "Invalid JSON: malformed number \"01\" (line 1, column 12)", 1, 12},
		{"fail/bad-literal", "{\"Version\":tru}", Identity, "Invalid JSON: unexpected character 't'; expected a value (object, array, string, number, true, false or null) (line 1, column 12)", 1, 12},
		{"fail/duplicate-key", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\":\"Allow\",\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}\n}", Identity, "Duplicate key \"Effect\": each element may appear only once in an object (line 3, column 34)", 3, 34},
		{"fail/char-not-allowed", "{\"Version\":\"2012-10-17\",\n\"Id\":\"Ā\"}", Identity, "Character U+0100 is not allowed in a policy: use only tab, line feed, carriage return and U+0020 to U+00FF (line 2, column 7)", 2, 7},
		{"fail/invalid-utf8", "{\"Id\":\"\xff\"}", Identity, "The policy is not valid UTF-8 (line 1, column 8)", 1, 8},
		{"fail/control-char", "{\"Id\":\"\x01\"}", Identity, "Character U+0001 is not allowed in a policy: use only tab, line feed, carriage return and U+0020 to U+00FF (line 1, column 8)", 1, 8},
		{"fail/deep", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", Identity, "Invalid JSON: values are nested more than 32 levels deep (line 1, column 33)", 1, 33},
		{"fail/unknown-top", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},\"Extra field\":\"value\"}", Identity, "Unknown element \"Extra field\" at the top level of the policy: allowed elements are Version, Id and Statement (line 1, column 84)", 1, 84},
		{"fail/version-bad", "{\"Version\":\"2013-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Version: must be \"2012-10-17\" or \"2008-10-17\", not \"2013-10-17\" (line 1, column 12)", 1, 12},
		{"fail/version-number", "{\"Version\":2012,\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Version: must be a string, not a number (line 1, column 12)", 1, 12},
		{"fail/id-list", "{\"Version\":\"2012-10-17\",\"Id\":[\"x\"],\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Id: must be a string, not an array (line 1, column 30)", 1, 30},
		{"fail/no-statement", "{\"Version\":\"2012-10-17\"}", Identity, "The policy has no Statement element (line 1, column 1)", 1, 1},
		{"fail/empty-statement", "{\"Version\":\"2012-10-17\",\"Statement\":[]}", Identity, "Statement: must contain at least one statement (line 1, column 37)", 1, 37},
		{"fail/statement-string", "{\"Version\":\"2012-10-17\",\"Statement\":[\"afd\"]}", Identity, "Statement[0]: must be an object, not a string (line 1, column 38)", 1, 38},
		{"fail/statement-number", "{\"Version\":\"2012-10-17\",\"Statement\":1}", Identity, "Statement: must be an object or an array of objects, not a number (line 1, column 37)", 1, 37},
		{"fail/unknown-stmt-elem", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Extra field\":\"value\"}}", Identity, "Statement[0]: unknown element \"Extra field\": allowed elements are Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition (line 1, column 83)", 1, 83},
		{"fail/sid-object", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":{},\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Statement[0].Sid: must be a string, not an object (line 1, column 44)", 1, 44},
		// Sid (reference_policies_elements_sid). IAM's messages, verbatim: alpha-numeric
		// from a CloudTrail capture of CreatePolicy; unique from kubernetes/kops#4951.
		{"fail/sid-not-alnum", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"my-sid\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*", 1, 44},
		{"fail/sid-dup", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}", Identity, "Statement IDs (SID) in a single policy must be unique.", 1, 102},
		// Effect (reference_policies_elements_effect). IAM says "The policy failed
		// legacy parsing" (hashicorp/terraform#10057); OpenSTS says what is wrong.
		{"fail/no-effect", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Statement[0]: Effect is missing: every statement needs \"Effect\": \"Allow\" or \"Deny\" (line 1, column 37)", 1, 37},
		{"fail/effect-lower", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Statement[0].Effect: must be \"Allow\" or \"Deny\" (case-sensitive), not \"allow\" (line 1, column 47)", 1, 47},
		{"fail/effect-list", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":[\"Allow\"],\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Statement[0].Effect: must be \"Allow\" or \"Deny\" (case-sensitive), not an array (line 1, column 47)", 1, 47},
		// Principal (reference_policies_elements_principal). "Policy document should not
		// specify a principal." is IAM's, verbatim (hashicorp/terraform-provider-aws#10419);
		// "Invalid principal in policy" is IAM's format for CreateRole trust policies.
		{"fail/principal-identity", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}", Identity, "Policy document should not specify a principal.", 1, 55},
		{"fail/notprincipal-session", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"NotPrincipal\":{\"AWS\":\"*\"},\"Action\":\"*\",\"Resource\":\"*\"}}", Session, "Policy document should not specify a principal.", 1, 55},
		{"fail/resource-no-principal", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", Resource, "Statement[0]: a resource-based policy statement must name who it applies to with Principal or NotPrincipal (line 1, column 37)", 1, 37},
		{"fail/resource-both-principals", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotPrincipal\":\"*\",\"Action\":\"*\"}}", Resource, "Statement[0]: a statement may have Principal or NotPrincipal, not both (line 1, column 71)", 1, 71},
		{"fail/principal-string", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"arn:aws:iam::123456789012:root\",\"Action\":\"*\"}}", Resource, "Statement[0].Principal: must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:user/name\"}, not \"arn:aws:iam::123456789012:root\" (line 1, column 67)", 1, 67},
		{"fail/principal-empty-obj", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{},\"Action\":\"*\"}}", Resource, "Statement[0].Principal: must name at least one principal (line 1, column 67)", 1, 67},
		{"fail/principal-bad-type", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"User\":\"x\"},\"Action\":\"*\"}}", Resource, "Statement[0].Principal: unknown principal type \"User\": use AWS, Federated, Service or CanonicalUser (line 1, column 68)", 1, 68},
		{"fail/principal-bad-aws", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"bob\"},\"Action\":\"*\"}}", Resource, "Invalid principal in policy: \"AWS\":\"bob\"", 1, 74},
		{"fail/principal-wild-arn", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:sts::123456789012:assumed-role/R/*\"},\"Action\":\"*\"}}", Resource, "Invalid principal in policy: \"AWS\":\"arn:aws:sts::123456789012:assumed-role/R/*\"", 1, 74},
		{"fail/principal-list-empty", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[]},\"Action\":\"*\"}}", Resource, "Statement[0].Principal.AWS: must name at least one principal (line 1, column 74)", 1, 74},
		{"fail/principal-number", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":123456789012},\"Action\":\"*\"}}", Resource, "Statement[0].Principal.AWS: must be a string or an array of strings, not a number (line 1, column 74)", 1, 74},
		// Action and NotAction (reference_policies_elements_action). IAM's messages,
		// verbatim: "must contain actions" from aws/aws-cdk#7615, "only one colon"
		// from garnaat/kappa#111, vendor wildcards from Terraform CreatePolicy
		// output, the others as moto records them.
		{"fail/both-actions", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}}", Identity, "Statement[0]: a statement may have Action or NotAction, not both (line 1, column 68)", 1, 68},
		{"fail/no-actions", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}", Identity, "Policy statement must contain actions.", 1, 37},
		{"fail/empty-actions", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}}", Identity, "Policy statement must contain actions.", 1, 64},
		{"fail/action-object", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":{},\"Resource\":\"*\"}}", Identity, "Statement[0].Action: must be a string or an array of strings, not an object (line 1, column 64)", 1, 64},
		{"fail/action-nested", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":[[]],\"Resource\":\"*\"}}", Identity, "Statement[0].Action[0]: must be a string, not an array (line 1, column 65)", 1, 65},
		{"fail/action-no-vendor", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"invalid\",\"Resource\":\"*\"}}", Identity, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", 1, 64},
		{"fail/notaction-empty-string", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"NotAction\":\"\",\"Resource\":\"*\"}}", Identity, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", 1, 67},
		{"fail/action-two-colons", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:List:Bucket\",\"Resource\":\"*\"}}", Identity, "Actions/Condition can contain only one colon.", 1, 64},
		{"fail/action-vendor-space", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"a a:ListBucket\",\"Resource\":\"*\"}}", Identity, "Vendor a a is not valid", 1, 64},
		{"fail/action-vendor-wild", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*:Untag*\",\"Resource\":\"*\"}}", Identity, "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards.", 1, 64},
		// Resource and NotResource (reference_policies_elements_resource). IAM's
		// messages, verbatim: "must contain resources" from aws-samples/aws-health-aware#1,
		// ARN format from felipefrizzo/terraform-aws-transfer-server#6, vendor from
		// moto and CreatePolicy captures, region from cloud-gov/terraform-provision#1838.
		{"fail/both-resources", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"NotResource\":\"*\"}}", Identity, "Statement[0]: a statement may have Resource or NotResource, not both (line 1, column 83)", 1, 83},
		{"fail/no-resources", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\"}}", Identity, "Policy statement must contain resources.", 1, 37},
		{"fail/empty-resources", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":[]}}", Identity, "Policy statement must contain resources.", 1, 91},
		{"fail/resource-not-arn", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"invalid resource\"}}", Identity, "Resource invalid resource must be in ARN format or \"*\".", 1, 91},
		{"fail/resource-empty", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"\"}}", Identity, "Resource  must be in ARN format or \"*\".", 1, 91},
		{"fail/resource-vendor", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws\"}}", Identity, "Resource vendor must be fully qualified and cannot contain regexes.", 1, 91},
		{"fail/resource-vendor-wild", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:*:*:*:*fss-prod*\"}}", Identity, "Resource vendor must be fully qualified and cannot contain regexes.", 1, 91},
		{"fail/resource-short", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3::example_bucket\"}}", Identity, "Resource arn:aws:s3::example_bucket is not a valid ARN: an ARN has six colon-separated parts, arn:partition:service:region:account-id:resource (line 1, column 91)", 1, 91},
		{"fail/resource-iam-region", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:iam:us-east-1::example_bucket\"}}", Identity, "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.", 1, 91},
		{"fail/resource-in-list-obj", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"s3:ListBucket\",\"Resource\":[\"arn:aws:s3:::x\",{}]}}", Identity, "Statement[0].Resource[1]: must be a string, not an object (line 1, column 108)", 1, 108},
		// Condition (reference_policies_elements_condition, _condition_operators).
		// IAM answers "Syntax errors in policy." or "The policy failed legacy
		// parsing"; OpenSTS names the operator, key and value.
		{"fail/condition-list", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":[]}}", Identity, "Statement[0].Condition: must be an object mapping condition operators to {key: values}, not an array (line 1, column 95)", 1, 95},
		{"fail/condition-unknown-op", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"x\":{\"a\":\"1\"}}}}", Identity, "Statement[0].Condition: unknown condition operator \"x\" (line 1, column 96)", 1, 96},
		{"fail/condition-double-colon", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ForAnyValue::StringEqualsIfExists\":{\"a\":\"1\"}}}}", Identity, "Statement[0].Condition: unknown condition operator \"ForAnyValue::StringEqualsIfExists\" (line 1, column 96)", 1, 96},
		{"fail/condition-null-ifexists", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":{\"a\":\"true\"}}}}", Identity, "Statement[0].Condition: unknown condition operator \"NullIfExists\" (line 1, column 96)", 1, 96},
		{"fail/condition-op-string", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateGreaterThan\":\"b\"}}}", Identity, "Statement[0].Condition.DateGreaterThan: must be an object mapping condition keys to values, not a string (line 1, column 114)", 1, 114},
		{"fail/condition-value-obj", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateGreaterThan\":{\"a\":{}}}}}", Identity, "Statement[0].Condition.DateGreaterThan[\"a\"]: must be a string, number or Boolean, or an array of them, not an object (line 1, column 119)", 1, 119},
		{"fail/condition-value-null", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"a\":null}}}}", Identity, "Statement[0].Condition.StringEquals[\"a\"]: must be a string, number or Boolean, or an array of them, not null (line 1, column 116)", 1, 116},
		{"fail/condition-value-list-obj", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"a\":[\"x\",{}]}}}}", Identity, "Statement[0].Condition.StringEquals[\"a\"][1]: must be a string, number or Boolean, not an object (line 1, column 121)", 1, 121},
		{"fail/condition-empty-key", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"\":\"x\"}}}}", Identity, "Statement[0].Condition.StringEquals: condition key must not be empty (line 1, column 112)", 1, 112},
		{"fail/condition-bad-date", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":\"sdfdsf\"}}}}", Identity, "Statement[0].Condition.DateGreaterThan[\"aws:CurrentTime\"]: \"sdfdsf\" is not a date: use ISO 8601 (for example 2024-01-31T12:00:00Z) or epoch seconds (line 1, column 133)", 1, 133},
		{"fail/condition-bad-number", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":[\"1\",\"x\"]}}}}", Identity, "Statement[0].Condition.NumericLessThan[\"aws:MultiFactorAuthAge\"]: \"x\" is not a number (line 1, column 145)", 1, 145},
		{"fail/condition-number-variable", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"${aws:x}\"}}}}", Identity, "Statement[0].Condition.NumericLessThan[\"aws:MultiFactorAuthAge\"]: \"${aws:x}\" is not a number (line 1, column 140)", 1, 140},
		{"fail/condition-bad-ip", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"300.1.1.1/8\"}}}}", Identity, "Statement[0].Condition.IpAddress[\"aws:SourceIp\"]: \"300.1.1.1/8\" is not an IP address or CIDR block (line 1, column 124)", 1, 124},
		{"fail/condition-bad-bool", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}}}", Identity, "Statement[0].Condition.Bool[\"aws:SecureTransport\"]: \"yes\" is not a Boolean: use \"true\" or \"false\" (line 1, column 126)", 1, 126},
		{"fail/condition-bad-binary", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"BinaryEquals\":{\"k\":\"***\"}}}}", Identity, "Statement[0].Condition.BinaryEquals[\"k\"]: \"***\" is not base64-encoded binary data (line 1, column 116)", 1, 116},
		{"fail/condition-bad-null", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Null\":{\"k\":\"maybe\"}}}}", Identity, "Statement[0].Condition.Null[\"k\"]: \"maybe\" is not valid for Null: use \"true\" (key absent) or \"false\" (key present) (line 1, column 108)", 1, 108},
		{"fail/condition-forall-null", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"ForAllValues:Null\":{\"k\":\"true\"}}}}", Identity, "Statement[0].Condition: unknown condition operator \"ForAllValues:Null\" (line 1, column 96)", 1, 96},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.doc, tc.kind)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", d)
			}
			se := asSyntaxError(t, err)
			got := struct {
				Message      string
				Line, Column int
			}{se.Message, se.Line, se.Column}
			want := struct {
				Message      string
				Line, Column int
			}{tc.message, tc.line, tc.column}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParse_UnknownKind(t *testing.T) {
	_, err := Parse(allowS3, Kind(7))
	var se *SyntaxError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("Parse with an unknown kind = %v, want a non-syntax error", err)
	}
}

func TestSyntaxError_Error(t *testing.T) {
	_, err := Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, Session)
	if got, want := err.Error(), "malformed policy document: Policy document should not specify a principal."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParse_Valid(t *testing.T) {
	// Documents IAM accepts: examples from the IAM User Guide pages named in
	// each case, and moto's list of valid documents.
	tests := []struct {
		name string
		doc  string
		kind Kind
	}{
		{"ok/statement-object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::example_bucket"]}}`, Identity},
		{"ok/no-version", `{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}]}`, Identity},
		{"ok/version-2008", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}]}`, Identity},
		{"ok/id-in-identity-policy", `{"Version":"2012-10-17","Id":"sdfsdfsdf","Statement":{"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, Identity},
		{"ok/elements-in-any-order", `{"Statement":{"Resource":"*","Action":"sts:GetCallerIdentity","Effect":"Allow"},"Version":"2012-10-17"}`, Identity},
		{"ok/spaces-in-action-name", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam: asdf safdsf af ","Resource":"*"}}`, Identity},
		{"ok/vendor-punctuation", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3-s:ListBucket","s3.s:ListBucket","execute-api:Invoke"],"Resource":"*"}}`, Identity},
		{"ok/unknown-service-resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:invalid-service:us-east-1::example_bucket"}}`, Identity},
		{"ok/notaction-notresource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"}}`, Identity},
		{"ok/empty-condition", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{}}}`, Identity},
		{"ok/empty-condition-values", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":[]}}}}`, Identity},
		{"ok/set-operator-if-exists", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}}}`, Identity},
		{"ok/sids-unique-or-absent", `{"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Effect":"Deny","Action":"s3:ListBucket","Resource":"*"}]}`, Identity},
		{"ok/self-manage-credentials", `{"Version":"2012-10-17","Statement":[
			{"Sid":"AllowManageOwnAccessKeys","Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:ListAccessKeys","iam:UpdateAccessKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
			{"Sid":"AllowManageOwnVirtualMFADevice","Effect":"Allow","Action":["iam:CreateVirtualMFADevice"],"Resource":"arn:aws:iam::*:mfa/*"},
			{"Sid":"DenyAllExceptListedIfNoMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:GetUser","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`, Identity},
		{"ok/date-range", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"service-prefix:action-name","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2017-12-31T23:59:59Z"}}}}`, Identity},
		{"ok/session-policy", `{"Version":"2012-10-17","Statement":[{"Sid":"Stmt1","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::productionapp/*"}]}`, Session},
		{"ok/bucket-policy-sid-with-spaces", `{"Version":"2012-10-17","Id":"Policy1","Statement":[{"Sid":"Read only","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/Bob","111122223333"]},"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::reports/*"}]}`, Resource},
		{"ok/trust-policy-without-resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`, Resource},
		{"ok/public-read", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}}`, Resource},
		{"ok/federated-and-canonical", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject"}}`, Resource},
		{"ok/crlf-and-tabs", "{\r\n\t\"Version\": \"2012-10-17\",\r\n\t\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\r\n}", Identity},
		{"ok/latin-1-characters", `{"Version":"2012-10-17","Statement":{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/café-ñ"}}`, Identity},
		{"ok/escapes", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\u00e9\/\"x\""}}`, Identity},
		{"ok/condition-number-and-bool-values", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":[10,1e2,-0.5]},"Bool":{"aws:SecureTransport":true}}}}`, Identity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(tc.doc, tc.kind); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

func TestParse_Document(t *testing.T) {
	doc := `{
  "Version": "2012-10-17",
  "Id": "reports",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::123456789012:user/Bob", "111122223333"]},
      "Action": "s3:GetObject",
      "NotResource": ["arn:aws:s3:::reports/private/*"],
      "Condition": {
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        "ForAnyValue:StringLike": {"aws:TagKeys": ["team*", "cost*"], "s3:prefix": "home/"}
      }
    }
  ]
}`
	got := mustParse(t, doc, Resource)
	want := &Document{
		Kind:    Resource,
		Version: "2012-10-17",
		ID:      "reports",
		Statements: []Statement{{
			Sid:         "Read",
			Effect:      "Allow",
			Principal:   &Principal{Values: map[string][]string{"AWS": {"arn:aws:iam::123456789012:user/Bob", "111122223333"}}},
			Action:      []string{"s3:GetObject"},
			NotResource: []string{"arn:aws:s3:::reports/private/*"},
			Condition: []Condition{
				{Operator: "IpAddress", Key: "aws:SourceIp", Values: []string{"203.0.113.0/24"}},
				{Operator: "ForAnyValue:StringLike", Key: "aws:TagKeys", Values: []string{"team*", "cost*"}},
				{Operator: "ForAnyValue:StringLike", Key: "s3:prefix", Values: []string{"home/"}},
			},
			Start: Position{Line: 5, Column: 6},
			End:   Position{Line: 15, Column: 6},
		}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Statement{})); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestParse_Positions(t *testing.T) {
	// The AWS CLI example for simulate-custom-policy reports this statement at
	// line 1, columns 38 to 167 (access_policies_testing-policies).
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	tests := []struct {
		name       string
		doc        string
		start, end Position
	}{
		{"ok/cli-example", doc, Position{1, 38}, Position{1, 167}},
		{"ok/multi-line", "{\"Statement\": [\n  {\"Effect\": \"Allow\",\n   \"Action\": \"*\", \"Resource\": \"*\"}\n]}", Position{2, 4}, Position{3, 35}},
		{"ok/crlf-counts-one-line", "{\"Statement\": [\r\n  {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}", Position{2, 4}, Position{2, 54}},
		{"ok/latin-1-counts-one-column", `{"Id":"é","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, Position{1, 24}, Position{1, 69}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.doc, Identity)
			s := d.Statements[0]
			if s.Start != tc.start || s.End != tc.end {
				t.Errorf("statement at %v–%v, want %v–%v", s.Start, s.End, tc.start, tc.end)
			}
		})
	}
}

func TestMarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		kind Kind
		want string
	}{
		{"ok/canonical-order-and-forms",
			`{"Statement":{"Resource":["*"],"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Sid":"A"},"Version":"2012-10-17"}`, Identity,
			`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`},
		{"ok/no-version-stays-absent",
			`{"Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:s3:::b/${aws:username}"}]}`, Identity,
			`{"Statement":[{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:s3:::b/${aws:username}"}]}`},
		{"ok/conditions-as-strings",
			`{"Version":"2012-10-17","Id":"x","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"n":[1,2.5]},"Bool":{"aws:SecureTransport":true},"StringEquals":{"a":"x","b":[]}}}}`, Identity,
			`{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"n":["1","2.5"]},"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"a":"x","b":[]}}}]}`},
		{"ok/principals-sorted",
			`{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","AWS":["111122223333","arn:aws:iam::123456789012:root"]},"NotResource":"arn:aws:s3:::b","Action":"s3:*"}}`, Resource,
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::123456789012:root"],"Service":"ec2.amazonaws.com"},"Action":"s3:*","NotResource":"arn:aws:s3:::b"}]}`},
		{"ok/principal-star-and-not-principal",
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"},{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*"}]}`, Resource,
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"},{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*"}]}`},
		{"ok/escapes-outside-the-character-set",
			`{"Id":"tab\tquote\"slash\\é\u0100\ud83d\ude00\u0001","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, Identity,
			`{"Id":"tab\tquote\"slash\\é\u0100\ud83d\ude00\u0001","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, tc.doc, tc.kind)
			b, err := d.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("MarshalJSON =\n%s\nwant\n%s", b, tc.want)
			}
			again := mustParse(t, string(b), tc.kind)
			if diff := cmp.Diff(d, again, cmpopts.IgnoreUnexported(Statement{}), cmpopts.IgnoreFields(Statement{}, "Start", "End")); diff != "" {
				t.Errorf("Parse(MarshalJSON) differs (-first +second):\n%s", diff)
			}
		})
	}
}

func TestSize(t *testing.T) {
	// reference_iam-quotas: IAM does not count white space against policy
	// size limits.
	tests := []struct {
		name string
		doc  string
		want int
	}{
		{"ok/empty", "", 0},
		{"ok/compact", `{"a":"b"}`, 9},
		{"ok/whitespace-ignored", "{\n\t\"a\" : \"b c\"\r\n}", 10},
		{"ok/characters-not-bytes", `"é"`, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Size(tc.doc); got != tc.want {
				t.Errorf("Size(%q) = %d, want %d", tc.doc, got, tc.want)
			}
		})
	}
}

func TestDocument_ContextKeys(t *testing.T) {
	// GetContextKeysForCustomPolicy lists the keys in conditions and policy
	// variables, each once.
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"ok/none", allowS3, []string{}},
		{"ok/conditions-and-variables", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringLike":{"s3:prefix":"${aws:userid}/*"},"Bool":{"aws:SecureTransport":"true"}}},
			{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"AWS:SecureTransport":"false"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:PrincipalTag/team, 'x'}"}}}]}`,
			[]string{"aws:username", "s3:prefix", "aws:userid", "aws:SecureTransport", "aws:PrincipalArn", "aws:PrincipalTag/team"}},
		{"ok/variables-ignored-in-2008", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}`, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustParse(t, tc.doc, Identity).ContextKeys()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ContextKeys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDocument_RequireCurrentVersion(t *testing.T) {
	// IAM rejects managed policies without Version 2012-10-17 (moto's captures
	// of CreatePolicy).
	tests := []struct {
		name    string
		doc     string
		wantErr string
	}{
		{"ok/2012", allowS3, ""},
		{"fail/2008", strings.Replace(allowS3, "2012-10-17", "2008-10-17", 1), "Policy document must be version 2012-10-17 or greater."},
		{"fail/absent", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, "Policy document must be version 2012-10-17 or greater."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := mustParse(t, tc.doc, Identity).RequireCurrentVersion()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("RequireCurrentVersion: %v", err)
				}
				return
			}
			if got := asSyntaxError(t, err).Message; got != tc.wantErr {
				t.Errorf("message %q, want %q", got, tc.wantErr)
			}
		})
	}
}

func TestContext(t *testing.T) {
	c := NewContext()
	c.Set("AWS:UserName", "Bob")
	c.Set("aws:TagKeys", "a", "b")
	clone := c.Clone()
	c.Delete("aws:tagkeys")
	var nilCtx *Context
	tests := []struct {
		name   string
		ctx    *Context
		key    string
		want   []string
		wantOK bool
	}{
		{"ok/case-insensitive-key", c, "aws:username", []string{"Bob"}, true},
		{"ok/deleted", c, "aws:TagKeys", nil, false},
		{"ok/clone-unaffected", clone, "AWS:TAGKEYS", []string{"a", "b"}, true},
		{"ok/absent", c, "aws:userid", nil, false},
		{"ok/nil-context", nilCtx, "aws:username", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.ctx.Get(tc.key)
			if ok != tc.wantOK || !cmp.Equal(got, tc.want, cmpopts.EquateEmpty()) {
				t.Errorf("Get(%q) = %v, %v; want %v, %v", tc.key, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
