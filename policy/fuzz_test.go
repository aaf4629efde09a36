package policy

import (
	"bytes"
	"context"
	"testing"
)

// FuzzParse checks, for every Kind, that Parse never panics, that every
// error is a *SyntaxError, and that a parsed document survives MarshalJSON:
// the output parses again and marshals to the same bytes.
func FuzzParse(f *testing.F) {
	for _, doc := range []string{
		allowS3,
		denyS3Put,
		bucketPolicy(`{"AWS":"` + userARN + `"}`),
		`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A1","Effect":"Deny","NotAction":["iam:*","sts:Get*"],"NotResource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":false},"ForAllValues:StringLike":{"aws:TagKeys":["a*","b?"]},"NumericLessThan":{"n":[1,2e3]}}}]}`,
		"{\"Id\":\"\\u00e9\\ud83d\\ude00\",\r\n\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}",
		trustPolicy(assumeBy(`{"AWS":["123456789012","` + userARN + `","arn:aws:iam::123456789012:role/ci/Builder","arn:aws:sts::123456789012:assumed-role/Builder/ci"],"Service":"ec2.amazonaws.com"}`)),
		trustPolicy(`{"Sid":"GitHub","Effect":"Allow","Principal":{"Federated":"` + githubOIDC + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}},` +
			`{"Effect":"Deny","Principal":{"AWS":"*"},"NotAction":["sts:AssumeRole*","sts:TagSession"]}`),
	} {
		for k := uint8(0); k < 4; k++ {
			f.Add(doc, k)
		}
	}
	f.Fuzz(func(t *testing.T, doc string, k uint8) {
		kind := Kind(k % 4)
		d, err := Parse(doc, kind)
		if err != nil {
			asSyntaxError(t, err)
			return
		}
		b1, err := d.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		d2, err := Parse(string(b1), kind)
		if err != nil {
			t.Fatalf("Parse(MarshalJSON(d)) failed: %v\ninput:  %q\noutput: %s", err, doc, b1)
		}
		b2, err := d2.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("marshal not stable:\nfirst:  %s\nsecond: %s", b1, b2)
		}
		if kind == Trust {
			for _, arn := range d.EntityPrincipals() {
				if k, _ := classifyAWSPrincipal(arn); k != awsUser && k != awsRole {
					t.Fatalf("EntityPrincipals lists %q", arn)
				}
			}
		}
		// Evaluating must not panic either, and a budget that is not spent
		// changes nothing.
		in := Input{Identity: []Named{{ID: "f", Doc: d}}, Resource: &Named{ID: "r", Doc: d}}
		for _, req := range []Request{
			{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/x", Context: NewContext()},
			{Action: "sts:AssumeRole", Resource: roleARN, Principal: PrincipalInfo{ARN: userARN, Account: acct}, Context: NewContext()},
			{Action: "sts:AssumeRoleWithWebIdentity", Resource: roleARN, Principal: PrincipalInfo{Federated: githubOIDC}, Context: NewContext()},
		} {
			want := Evaluate(in, req)
			req.Budget = NewBudget(context.Background(), 1<<50)
			if got := Evaluate(in, req); got.Effect != want.Effect || len(got.Matched) != len(want.Matched) || req.Budget.Err() != nil {
				t.Fatalf("with a budget %+v (%v), without %+v", got, req.Budget.Err(), want)
			}
		}
	})
}
