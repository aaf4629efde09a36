package policy

import (
	"fmt"
	"testing"
)

// benchUserPolicies is a realistic IAM user: two inline policies, four
// attached managed policies and four group policies, 40 statements with
// wildcards, policy variables and conditions.
var benchUserPolicies = []string{
	// user inline: manage own credentials, MFA required for everything else
	`{"Version":"2012-10-17","Statement":[
		{"Sid":"AllowViewAccountInfo","Effect":"Allow","Action":["iam:GetAccountPasswordPolicy","iam:GetAccountSummary","iam:ListVirtualMFADevices"],"Resource":"*"},
		{"Sid":"AllowManageOwnPasswords","Effect":"Allow","Action":["iam:ChangePassword","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
		{"Sid":"AllowManageOwnAccessKeys","Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:ListAccessKeys","iam:UpdateAccessKey"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
		{"Sid":"AllowManageOwnVirtualMFADevice","Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice"],"Resource":"arn:aws:iam::*:mfa/${aws:username}"},
		{"Sid":"AllowManageOwnUserMFA","Effect":"Allow","Action":["iam:DeactivateMFADevice","iam:EnableMFADevice","iam:ListMFADevices","iam:ResyncMFADevice"],"Resource":"arn:aws:iam::*:user/${aws:username}"},
		{"Sid":"DenyAllExceptListedIfNoMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:GetUser","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`,
	// user inline: federation for the user's own apps
	`{"Version":"2012-10-17","Statement":[
		{"Sid":"FederateOwnApps","Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::123456789012:federated-user/${aws:username}-*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}},
		{"Sid":"TagOwnSessions","Effect":"Allow","Action":"sts:TagSession","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","app"]}}},
		{"Sid":"CallerIdentity","Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`,
	// managed: S3 read-only
	`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}`,
	// managed: EC2 describe and start/stop by tag
	`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},
		{"Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"arn:aws:ec2:*:123456789012:instance/*","Condition":{"StringEquals":{"ec2:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
		{"Effect":"Allow","Action":"elasticloadbalancing:Describe*","Resource":"*"},
		{"Effect":"Allow","Action":["cloudwatch:Describe*","cloudwatch:Get*","cloudwatch:List*"],"Resource":"*"},
		{"Effect":"Allow","Action":"autoscaling:Describe*","Resource":"*"}]}`,
	// managed: DynamoDB table access
	`{"Version":"2012-10-17","Statement":[
		{"Sid":"ListAndDescribe","Effect":"Allow","Action":["dynamodb:List*","dynamodb:DescribeReservedCapacity*","dynamodb:DescribeLimits","dynamodb:DescribeTimeToLive"],"Resource":"*"},
		{"Sid":"SpecificTable","Effect":"Allow","Action":["dynamodb:BatchGet*","dynamodb:DescribeStream","dynamodb:DescribeTable","dynamodb:Get*","dynamodb:Query","dynamodb:Scan","dynamodb:BatchWrite*","dynamodb:Delete*","dynamodb:Update*","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:*:*:table/MyTable"},
		{"Sid":"Streams","Effect":"Allow","Action":["dynamodb:GetRecords","dynamodb:GetShardIterator"],"Resource":"arn:aws:dynamodb:*:*:table/MyTable/stream/*"}]}`,
	// managed: logs with time window and TLS
	`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:*:log-group:/app/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
		{"Effect":"Allow","Action":["logs:Describe*","logs:Get*","logs:FilterLogEvents"],"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2035-01-01T00:00:00Z"}}},
		{"Effect":"Deny","Action":"logs:DeleteLogGroup","Resource":"*"}]}`,
	// group inline: team bucket with home directories, office network only
	`{"Version":"2012-10-17","Statement":[
		{"Sid":"ListTeamBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::team-bucket","Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}},
		{"Sid":"OwnHome","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::team-bucket/home/${aws:username}/*"},
		{"Sid":"Shared","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team-bucket/shared/*"},
		{"Sid":"OfficeOnly","Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::team-bucket","arn:aws:s3:::team-bucket/*"],"Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]},"Bool":{"aws:ViaAWSService":"false"}}}]}`,
	// group inline: region fence
	`{"Version":"2012-10-17","Statement":[
		{"Sid":"DenyOtherRegions","Effect":"Deny","NotAction":["iam:*","sts:*","s3:*","cloudfront:*","route53:*","support:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}},
		{"Sid":"NoRootActions","Effect":"Deny","Action":["iam:DeleteAccountPasswordPolicy","iam:UpdateAccountPasswordPolicy"],"Resource":"*"}]}`,
	// group managed: developer tools
	`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["codecommit:Git*","codecommit:Get*","codecommit:List*"],"Resource":"arn:aws:codecommit:us-east-1:123456789012:team-*"},
		{"Effect":"Allow","Action":["codebuild:StartBuild","codebuild:BatchGet*"],"Resource":"arn:aws:codebuild:us-east-1:123456789012:project/team-*"},
		{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:*:123456789012:function:team-*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"platform"}}},
		{"Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"arn:aws:sqs:*:123456789012:${aws:username}-queue"},
		{"Effect":"Allow","Action":"sns:Publish","Resource":"arn:aws:sns:*:123456789012:team-*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:*:*:123456789012:*"}}}]}`,
	// group managed: KMS and secrets with tag conditions
	`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt","kms:GenerateDataKey*"],"Resource":"arn:aws:kms:*:123456789012:key/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
		{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:*:123456789012:secret:team/*","Condition":{"ForAnyValue:StringLike":{"secretsmanager:VersionStage":["AWSCURRENT","AWSPREVIOUS"]}}},
		{"Effect":"Allow","Action":["ssm:GetParameter*"],"Resource":"arn:aws:ssm:*:123456789012:parameter/team/*"},
		{"Effect":"Deny","Action":["kms:ScheduleKeyDeletion","kms:DisableKey"],"Resource":"*","Condition":{"Null":{"aws:MultiFactorAuthAge":"true"}}},
		{"Effect":"Allow","Action":"tag:GetResources","Resource":"*"},
		{"Effect":"Allow","Action":"health:Describe*","Resource":"*"}]}`,
}

func benchStatementCount() int {
	n := 0
	for _, doc := range benchUserPolicies {
		d, _ := Parse(doc, Identity)
		n += len(d.Statements)
	}
	return n
}

func benchInput(tb testing.TB) Input {
	tb.Helper()
	var in Input
	for i, doc := range benchUserPolicies {
		in.Identity = append(in.Identity, Named{ID: fmt.Sprintf("policy-%d", i), Type: IdentityBased, Doc: mustParse(tb, doc, Identity)})
	}
	return in
}

func benchContext() *Context {
	c := NewContext()
	c.Set("aws:username", "bob")
	c.Set("aws:userid", "AIDAEXAMPLEBOB000001")
	c.Set("aws:PrincipalArn", "arn:aws:iam::123456789012:user/bob")
	c.Set("aws:PrincipalType", "User")
	c.Set("aws:PrincipalAccount", "123456789012")
	c.Set("aws:PrincipalTag/team", "platform")
	c.Set("aws:MultiFactorAuthPresent", "true")
	c.Set("aws:MultiFactorAuthAge", "300")
	c.Set("aws:TokenIssueTime", "2026-01-15T09:55:00Z")
	c.Set("aws:SourceIp", "203.0.113.25")
	c.Set("aws:SecureTransport", "true")
	c.Set("aws:CurrentTime", "2026-01-15T10:00:00Z")
	c.Set("aws:EpochTime", "1768471200")
	c.Set("aws:RequestedRegion", "us-east-1")
	c.Set("aws:TagKeys", "team", "app")
	c.Set("aws:ViaAWSService", "false")
	return c
}

func TestBenchFixture(t *testing.T) {
	// The benchmark must measure what it claims: ten policies, about forty
	// statements, and the decisions below.
	in := benchInput(t)
	if n := benchStatementCount(); len(in.Identity) != 10 || n < 38 || n > 42 {
		t.Fatalf("fixture has %d policies and %d statements", len(in.Identity), n)
	}
	for _, bc := range benchCases {
		t.Run(bc.name, func(t *testing.T) {
			got := Evaluate(bc.input(in), bc.req)
			if got.Effect != bc.want {
				t.Errorf("Evaluate = %v (%+v), want %v", got.Effect, got, bc.want)
			}
		})
	}
}

var benchFederated = &Named{ID: "session", Type: SessionPolicy, Doc: func() *Document {
	d, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::team-bucket","arn:aws:s3:::team-bucket/*"]}]}`, Session)
	if err != nil {
		panic(err)
	}
	return d
}()}

var benchCases = []struct {
	name  string
	input func(Input) Input
	req   Request
	want  Effect
}{
	{"allowed/GetFederationToken", func(in Input) Input { return in },
		Request{Action: "sts:GetFederationToken", Resource: "arn:aws:sts::123456789012:federated-user/bob-ci",
			Principal: PrincipalInfo{ARN: "arn:aws:iam::123456789012:user/bob", Account: "123456789012"}, Context: benchContext()}, Allowed},
	{"implicitDeny/CreateUser", func(in Input) Input { return in },
		Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/eve",
			Principal: PrincipalInfo{ARN: "arn:aws:iam::123456789012:user/bob", Account: "123456789012"}, Context: benchContext()}, ImplicitDeny},
	{"explicitDeny/DeleteLogGroup", func(in Input) Input { return in },
		Request{Action: "logs:DeleteLogGroup", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/app/web",
			Principal: PrincipalInfo{ARN: "arn:aws:iam::123456789012:user/bob", Account: "123456789012"}, Context: benchContext()}, ExplicitDeny},
	{"allowed/federated-GetObject", func(in Input) Input {
		in.Session, in.SessionRequired = []Named{*benchFederated}, true
		return in
	},
		Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::team-bucket/home/bob/report.csv",
			Principal: PrincipalInfo{ARN: "arn:aws:sts::123456789012:federated-user/bob-ci", Account: "123456789012", SourceARN: "arn:aws:iam::123456789012:user/bob"},
			Context:   benchContext()}, Allowed},
}

func BenchmarkEvaluate(b *testing.B) {
	base := benchInput(b)
	for _, bc := range benchCases {
		in := bc.input(base)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if Evaluate(in, bc.req).Effect != bc.want {
					b.Fatal("unexpected decision")
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	doc := benchUserPolicies[0] // 6 statements, about 1.2 KB
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, Identity); err != nil {
			b.Fatal(err)
		}
	}
}
