package opensts

import (
	"maps"
	"slices"
	"testing"
)

func TestConditionContext(t *testing.T) {
	facts := RequestFacts{
		Tags:                []Tag{{Key: "team", Value: "blue"}, {Key: "Cost", Value: "1"}},
		TagKeys:             []string{"old"},
		ResourceTags:        []Tag{{Key: "protected", Value: "true"}},
		PolicyARN:           "arn:aws:iam::123456789012:policy/Admin",
		PermissionsBoundary: "arn:aws:iam::123456789012:policy/Boundary",
	}
	cases := []struct {
		name   string
		action string
		facts  RequestFacts
		want   map[string][]string
	}{
		{"ok/no keys for the action", "iam:ListUsers", facts, nil},
		{"ok/unknown action", "s3:GetObject", facts, nil},
		{"ok/create user: request tags and boundary, no resource tags", "iam:CreateUser", facts, map[string][]string{
			"aws:RequestTag/team": {"blue"}, "aws:RequestTag/Cost": {"1"}, "aws:TagKeys": {"team", "Cost"},
			"iam:PermissionsBoundary": {facts.PermissionsBoundary},
		}},
		{"ok/create user without tags has no aws:TagKeys", "iam:CreateUser", RequestFacts{}, nil},
		{"ok/tag user", "iam:TagUser", facts, map[string][]string{
			"aws:RequestTag/team": {"blue"}, "aws:RequestTag/Cost": {"1"}, "aws:TagKeys": {"team", "Cost"},
			"aws:ResourceTag/protected": {"true"}, "iam:ResourceTag/protected": {"true"},
		}},
		{"ok/untag user: the keys removed", "iam:UntagUser", facts, map[string][]string{
			"aws:TagKeys": {"old"}, "aws:ResourceTag/protected": {"true"}, "iam:ResourceTag/protected": {"true"},
		}},
		{"ok/attach user policy", "iam:AttachUserPolicy", facts, map[string][]string{
			"aws:ResourceTag/protected": {"true"}, "iam:ResourceTag/protected": {"true"},
			"iam:PolicyARN": {facts.PolicyARN}, "iam:PermissionsBoundary": {facts.PermissionsBoundary},
		}},
		{"ok/attach group policy: the ARN only", "iam:AttachGroupPolicy", facts, map[string][]string{"iam:PolicyARN": {facts.PolicyARN}}},
		{"ok/policy resource: aws:ResourceTag only", "iam:GetPolicy", facts, map[string][]string{"aws:ResourceTag/protected": {"true"}}},
		{"ok/get user: no boundary key", "iam:GetUser", facts, map[string][]string{
			"aws:ResourceTag/protected": {"true"}, "iam:ResourceTag/protected": {"true"},
		}},
		{"ok/federation: session tags", "sts:GetFederationToken", facts, map[string][]string{
			"aws:RequestTag/team": {"blue"}, "aws:RequestTag/Cost": {"1"}, "aws:TagKeys": {"team", "Cost"},
		}},
		{"ok/web identity token: audiences, lifetime, algorithm, tags", "sts:GetWebIdentityToken", RequestFacts{
			Tags: facts.Tags[:1], IdentityTokenAudience: []string{"https://a.example", "https://b.example"}, DurationSeconds: "300", SigningAlgorithm: "ES384",
			ResourceTags: facts.ResourceTags,
		}, map[string][]string{
			"aws:RequestTag/team": {"blue"}, "aws:TagKeys": {"team"},
			"sts:IdentityTokenAudience": {"https://a.example", "https://b.example"}, "sts:DurationSeconds": {"300"}, "sts:SigningAlgorithm": {"ES384"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ConditionContext(tc.action, tc.facts)
			if !maps.EqualFunc(got, tc.want, slices.Equal) || (got == nil) != (tc.want == nil) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// Every keyed action names its service and a key set the SAR could list.
func TestActionKeys_Table(t *testing.T) {
	for _, a := range KeyedActions() {
		k := ActionKeys(a)
		if k == 0 || len(k.Names()) == 0 {
			t.Errorf("%s has an empty key set", a)
		}
		if k&KeyRequestTags != 0 && k&KeyTagKeys != 0 {
			t.Errorf("%s both sets and removes tags", a)
		}
		if k&KeyIAMResourceTags != 0 && k&KeyResourceTags == 0 {
			t.Errorf("%s has iam:ResourceTag without aws:ResourceTag", a)
		}
	}
}
