package opensts

import (
	"slices"
	"strings"
	"time"
)

// AWSAccount is the account part of the ARNs of AWS managed policies,
// arn:aws:iam::aws:policy/<name>.
const AWSAccount = "aws"

// awsPolicy is one AWS managed policy as AWS publishes it: its default
// version's document, with the ids and dates AWS shows for it.
type awsPolicy struct {
	ManagedPolicy
	Document string
}

func awsDate(year int, month time.Month, day, hour, min, sec int) time.Time {
	return time.Date(year, month, day, hour, min, sec, 0, time.UTC)
}

// awsPolicies are the AWS managed policies that make sense for a service
// without AWS's other services, sorted by name. Their documents, ids,
// default versions and dates are AWS's (the seconds of the dates AWS's
// reference does not show are zero). They are the same in every account
// and cannot be changed; attaching one stores only the attachment.
var awsPolicies = []awsPolicy{
	{
		ManagedPolicy: ManagedPolicy{
			ID: "ANPAIWMBCKSKIEE64ZLYK", Name: "AdministratorAccess",
			Description:      "Provides full access to AWS services and resources.",
			DefaultVersionID: "v1",
			CreatedAt:        awsDate(2015, time.February, 6, 18, 39, 46),
			UpdatedAt:        awsDate(2015, time.February, 6, 18, 39, 46),
		},
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	},
	{
		ManagedPolicy: ManagedPolicy{
			ID: "ANPAI7XKCFMBPM3QQRRVQ", Name: "IAMFullAccess",
			Description:      "Provides full access to IAM via the AWS Management Console.",
			DefaultVersionID: "v2",
			CreatedAt:        awsDate(2015, time.February, 6, 18, 40, 0),
			UpdatedAt:        awsDate(2019, time.June, 21, 19, 40, 0),
		},
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*",` +
			`"organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit",` +
			`"organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents",` +
			`"organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies",` +
			`"organizations:ListTargetsForPolicy"],"Resource":"*"}]}`,
	},
	{
		ManagedPolicy: ManagedPolicy{
			ID: "ANPAJKSO7NDY4T57MWDSQ", Name: "IAMReadOnlyAccess",
			Description:      "Provides read only access to IAM via the AWS Management Console.",
			DefaultVersionID: "v4",
			CreatedAt:        awsDate(2015, time.February, 6, 18, 40, 0),
			UpdatedAt:        awsDate(2018, time.January, 25, 19, 11, 0),
		},
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport",` +
			`"iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy",` +
			`"iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`,
	},
	{
		ManagedPolicy: ManagedPolicy{
			ID: "ANPAJYRXTHIB4FOVS3ZXS", Name: "PowerUserAccess",
			Description:      "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
			DefaultVersionID: "v12",
			CreatedAt:        awsDate(2015, time.February, 6, 18, 39, 0),
			UpdatedAt:        awsDate(2026, time.February, 12, 17, 59, 0),
		},
		Document: `{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":["account:GetAccountInformation","account:GetGovCloudAccountInformation",` +
			`"account:GetPrimaryEmail","account:ListRegions","iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole",` +
			`"iam:ListRoles","organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*"}]}`,
	},
}

func init() {
	for i := range awsPolicies {
		awsPolicies[i].AccountID = AWSAccount
		awsPolicies[i].Path = "/"
	}
}

// AWSManagedPolicies returns the AWS managed policies OpenSTS provides,
// sorted by name, without attachment counts.
func AWSManagedPolicies() []ManagedPolicy {
	out := make([]ManagedPolicy, len(awsPolicies))
	for i, p := range awsPolicies {
		out[i] = p.ManagedPolicy
	}
	return out
}

// AWSManagedPolicyNames lists the names of AWSManagedPolicies, for
// messages that say which ones OpenSTS provides.
func AWSManagedPolicyNames() string {
	names := make([]string, len(awsPolicies))
	for i, p := range awsPolicies {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// AWSManagedPolicyByID returns the AWS managed policy with that policy id
// and its document.
func AWSManagedPolicyByID(id string) (ManagedPolicy, string, bool) {
	i := slices.IndexFunc(awsPolicies, func(p awsPolicy) bool { return p.ID == id })
	if i < 0 {
		return ManagedPolicy{}, "", false
	}
	return awsPolicies[i].ManagedPolicy, awsPolicies[i].Document, true
}

// AWSManagedPolicyByARN returns the AWS managed policy an ARN names and its
// document. As for customer managed policies, the name compares
// case-insensitively and the path exactly.
func AWSManagedPolicyByARN(arn string) (ManagedPolicy, string, bool) {
	acct, kind, path, name, ok := ParseIAMARN(arn)
	if !ok || acct != AWSAccount || kind != "policy" || path != "/" {
		return ManagedPolicy{}, "", false
	}
	i := slices.IndexFunc(awsPolicies, func(p awsPolicy) bool { return strings.EqualFold(p.Name, name) })
	if i < 0 {
		return ManagedPolicy{}, "", false
	}
	return awsPolicies[i].ManagedPolicy, awsPolicies[i].Document, true
}

// IsAWSManagedPolicyARN reports whether arn is in the namespace of AWS
// managed policies, whether or not OpenSTS provides that one.
func IsAWSManagedPolicyARN(arn string) bool {
	acct, kind, _, _, ok := ParseIAMARN(arn)
	return ok && acct == AWSAccount && kind == "policy"
}
