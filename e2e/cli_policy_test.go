package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

type cliSimulation struct {
	EvaluationResults []struct {
		EvalActionName, EvalResourceName, EvalDecision string
		MatchedStatements                              []struct {
			SourcePolicyId string
			StartPosition  struct{ Line, Column int }
			EndPosition    struct{ Line, Column int }
		}
		MissingContextValues []string
	}
}

// The AWS CLI's own simulate-custom-policy examples (awscli
// examples/iam/simulate-custom-policy.rst; IAM User Guide
// access_policies_testing-policies): a DynamoDB policy with a date
// condition, allowed after the date, implicitly denied before it, and the
// matched statement at line 1, columns 38 to 167.
func TestCLI_SimulateCustomPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	var after cliSimulation
	c.json(e.root, &after, "iam", "simulate-custom-policy", "--policy-input-list", doc, "--action-names", "dynamodb:CreateBackup",
		"--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date")
	r := after.EvaluationResults
	if len(r) != 1 || r[0].EvalDecision != "allowed" || r[0].EvalActionName != "dynamodb:CreateBackup" || r[0].EvalResourceName != "*" {
		t.Fatalf("after the date: %+v", after)
	}
	m := r[0].MatchedStatements
	if len(m) != 1 || m[0].SourcePolicyId != "PolicyInputList.1" || m[0].StartPosition.Line != 1 || m[0].StartPosition.Column != 38 ||
		m[0].EndPosition.Line != 1 || m[0].EndPosition.Column != 167 {
		t.Fatalf("matched statements: %+v", m)
	}
	var before cliSimulation
	c.json(e.root, &before, "iam", "simulate-custom-policy", "--policy-input-list", doc, "--action-names", "dynamodb:CreateBackup",
		"--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='2014-04-25T11:00:00Z',ContextKeyType=date")
	if r := before.EvaluationResults; len(r) != 1 || r[0].EvalDecision != "implicitDeny" || len(r[0].MatchedStatements) != 0 {
		t.Fatalf("before the date: %+v", before)
	}
	var missing cliSimulation
	c.json(e.root, &missing, "iam", "simulate-custom-policy", "--policy-input-list", doc, "--action-names", "dynamodb:CreateBackup")
	if r := missing.EvaluationResults; len(r) != 1 || r[0].EvalDecision != "implicitDeny" || len(r[0].MissingContextValues) != 1 || r[0].MissingContextValues[0] != "aws:CurrentTime" {
		t.Fatalf("without the context key: %+v", missing)
	}
	var principal cliSimulation
	e.mustUser("alice")
	e.mustPutUserPolicy("alice", "s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team-a/*"}]}`)
	c.json(e.root, &principal, "iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::"+e.node.Root.AccountID+":user/alice",
		"--action-names", "s3:GetObject", "s3:PutObject", "--resource-arns", "arn:aws:s3:::team-a/x")
	if r := principal.EvaluationResults; len(r) != 2 || r[0].EvalDecision != "allowed" || r[0].MatchedStatements[0].SourcePolicyId != "s3" || r[1].EvalDecision != "implicitDeny" {
		t.Fatalf("simulate-principal-policy: %+v", principal)
	}
}

// The three seed sentences with the AWS CLI as the client: `aws s3api`
// signs S3 requests to a service guarded by OpenSTS.
func TestCLI_SeedSentences(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	store := newObjectStore(t, e)
	s3 := c.at(store.url)
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	e.mustPutUserPolicy("alice", "objects", aliceObjects)
	out := filepath.Join(t.TempDir(), "object")
	get := func(cr creds, bucket string) error {
		_, _, err := s3.run(cr, "s3api", "get-object", "--bucket", bucket, "--key", "x", out)
		return err
	}

	policyFile := filepath.Join(t.TempDir(), "session.json")
	if err := os.WriteFile(policyFile, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var fed cliCredentials
	c.json(alice, &fed, "sts", "get-federation-token", "--name", "Bob", "--policy", "file://"+policyFile)
	bob := fed.creds()
	if err := get(bob, "team-a"); err != nil {
		t.Fatalf("intersection allows team-a: %v", err)
	}
	if err := get(bob, "team-b"); err == nil {
		t.Fatal("intersection: the user policy does not allow team-b, yet the CLI read it")
	}
	s3.fails(bob, "AccessDenied", "s3:PutObject", "s3api", "put-object", "--bucket", "team-a", "--key", "x", "--body", policyFile)

	var nopol cliCredentials
	c.json(alice, &nopol, "sts", "get-federation-token", "--name", "Carol")
	if err := get(nopol.creds(), "team-a"); err == nil {
		t.Fatal("no session policy, yet the CLI read team-a")
	}
	store.setBucketPolicy("shared", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::`+acct+`:federated-user/Carol"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}`)
	if err := get(nopol.creds(), "shared"); err != nil {
		t.Fatalf("bucket policy naming the federated user: %v", err)
	}

	e.mustPutUserPolicy("alice", "mfa", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	dev := e.mustEnroll("alice", "alice")
	var plain cliCredentials
	c.json(alice, &plain, "sts", "get-session-token")
	s3.fails(plain.creds(), "AccessDenied", "", "s3api", "get-object", "--bucket", "team-a", "--key", "x", out)
	e.centerStep()
	var mfa cliCredentials
	c.json(alice, &mfa, "sts", "get-session-token", "--serial-number", dev.serial, "--token-code", e.code(dev, 0))
	if err := get(mfa.creds(), "team-a"); err != nil {
		t.Fatalf("MFA session: %v", err)
	}
}
