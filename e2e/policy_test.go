package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/opensts/opensts/guard"
)

// objectStore is a tiny S3-like service guarded by OpenSTS: GET and PUT of
// /bucket/key are s3:GetObject and s3:PutObject on arn:aws:s3:::bucket/key,
// and a bucket may have a bucket policy (a resource-based policy).
type objectStore struct {
	url      string
	mu       sync.Mutex
	policies map[string]string
}

// newObjectStore starts the service with its own OpenSTS credentials (a
// user allowed opensts:AuthorizeRequest).
func newObjectStore(t *testing.T, e *env) *objectStore {
	t.Helper()
	svc := e.mustUser("object-store")
	e.mustPutUserPolicy("object-store", "authorize", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"opensts:AuthorizeRequest","Resource":"*"}]}`)
	s := &objectStore{policies: map[string]string{}}
	g, err := guard.New(guard.Config{
		Endpoint: e.url, AccessKeyID: svc.AccessKeyID, SecretAccessKey: svc.SecretAccessKey, Service: "s3",
		Authorize: func(r *http.Request) (string, string) {
			path := strings.TrimPrefix(r.URL.Path, "/")
			switch r.Method {
			case http.MethodGet:
				return "s3:GetObject", "arn:aws:s3:::" + path
			case http.MethodPut:
				return "s3:PutObject", "arn:aws:s3:::" + path
			}
			return "", ""
		},
		ResourcePolicy: func(r *http.Request, _ string) string {
			bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.policies[bucket]
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, _ := guard.PrincipalFrom(r.Context())
		io.WriteString(w, "object for "+who.ARN)
	})))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *objectStore) setBucketPolicy(bucket, doc string) {
	s.mu.Lock()
	s.policies[bucket] = doc
	s.mu.Unlock()
}

// call signs a request to the object store with aws-sdk-go-v2's SigV4
// signer, as an S3 client does, and returns the status.
func (s *objectStore) call(t *testing.T, c creds, method, path string) int {
	t.Helper()
	body := ""
	if method == http.MethodPut {
		body = "data"
	}
	r, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	r.Header.Set("X-Amz-Content-Sha256", hash)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken},
		r, hash, "s3", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (e *env) federate(c creds, name string, sessionPolicy *string) creds {
	e.t.Helper()
	out, err := e.sts(c).GetFederationToken(context.Background(), &sts.GetFederationTokenInput{Name: aws.String(name), Policy: sessionPolicy})
	if err != nil {
		e.t.Fatalf("GetFederationToken %s: %v", name, err)
	}
	return fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
}

const aliceObjects = `{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::team-a/*"},
  {"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`

// Seed: "The final permissions for the federated user are the most
// restrictive set based on the intersection of the passed policy and the
// IAM user policy." (seeds/GetFederationTokenInput.txt)
func TestSeed_FederatedIsIntersection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := newObjectStore(t, e)
	alice := e.mustUser("alice")
	e.mustPutUserPolicy("alice", "objects", aliceObjects)
	bob := e.federate(alice, "Bob", aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*"}]}`))

	cases := []struct {
		name         string
		c            creds
		method, path string
		want         int
	}{
		{"alice may put in team-a", alice, http.MethodPut, "/team-a/x", 200},
		{"Bob may get in team-a (user and session allow)", bob, http.MethodGet, "/team-a/x", 200},
		{"Bob may not put in team-a (session policy does not allow)", bob, http.MethodPut, "/team-a/x", 403},
		{"Bob may not get in team-b (user policy does not allow)", bob, http.MethodGet, "/team-b/x", 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.call(t, tc.c, tc.method, tc.path); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
}

// Seed: "If you do not pass a policy, the resulting temporary security
// credentials have no effective permissions. The only exception is when the
// temporary security credentials are used to access a resource that has a
// resource-based policy that specifically allows the federated user to
// access the resource."
func TestSeed_NoSessionPolicyNoPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := newObjectStore(t, e)
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	e.mustPutUserPolicy("alice", "objects", aliceObjects)
	carol := e.federate(alice, "Carol", nil)

	if got := store.call(t, carol, http.MethodGet, "/team-a/x"); got != 403 {
		t.Fatalf("no session policy, identity allows: status %d, want 403", got)
	}
	store.setBucketPolicy("shared", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:sts::`+acct+`:federated-user/Carol"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}`)
	if got := store.call(t, carol, http.MethodGet, "/shared/x"); got != 200 {
		t.Fatalf("bucket policy naming the federated user: status %d, want 200", got)
	}
	if got := store.call(t, carol, http.MethodPut, "/shared/x"); got != 403 {
		t.Fatalf("action the bucket policy does not grant: status %d, want 403", got)
	}
	// Naming the IAM user who federated is not "specifically the federated
	// user": it is still limited by the (absent) session policy.
	store.setBucketPolicy("alices", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::`+acct+`:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::alices/*"}]}`)
	if got := store.call(t, carol, http.MethodGet, "/alices/x"); got != 403 {
		t.Fatalf("bucket policy naming the federating user: status %d, want 403", got)
	}
	if got := store.call(t, alice, http.MethodGet, "/alices/x"); got != 200 {
		t.Fatalf("alice herself: status %d, want 200", got)
	}
}

// Seed: "If MFA authentication is required, and the user does not provide a
// code when requesting a set of temporary security credentials, the user
// will receive an "access denied" response when requesting resources that
// require MFA authentication." (seeds/GetSessionTokenInput.txt)
func TestSeed_MFARequiredResources(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	store := newObjectStore(t, e)
	alice := e.mustUser("alice")
	// The documented idiom: deny everything not MFA-authenticated (BoolIfExists
	// also catches long-term keys, which carry no MFA key at all).
	e.mustPutUserPolicy("alice", "objects", `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["s3:GetObject","iam:ListUsers"],"Resource":"*"},
	  {"Effect":"Deny","Action":["s3:*","iam:*"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	dev := e.mustEnroll("alice", "alice")
	noMFA := e.mustSession(alice, nil)
	e.centerStep()
	withMFA := e.mustSession(alice, &sts.GetSessionTokenInput{SerialNumber: aws.String(dev.serial), TokenCode: aws.String(e.code(dev, 0))})

	for _, tc := range []struct {
		name string
		c    creds
		want int
	}{
		{"long-term keys", alice, 403},
		{"session without MFA", noMFA, 403},
		{"session with MFA", withMFA, 200},
	} {
		t.Run("object store/"+tc.name, func(t *testing.T) {
			if got := store.call(t, tc.c, http.MethodGet, "/any/x"); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
	t.Run("OpenSTS IAM/long-term keys", func(t *testing.T) {
		_, err := e.iam(alice).ListUsers(ctx, &iam.ListUsersInput{})
		wantAPIError(t, err, "AccessDenied", "User: arn:aws:iam::"+e.node.Root.AccountID+":user/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::"+e.node.Root.AccountID+":user/ with an explicit deny in an identity-based policy")
	})
	t.Run("OpenSTS IAM/session without MFA", func(t *testing.T) {
		_, err := e.iam(noMFA).ListUsers(ctx, &iam.ListUsersInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid")
	})
	t.Run("OpenSTS IAM/session with MFA", func(t *testing.T) {
		if _, err := e.iam(withMFA).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("ListUsers with MFA: %v", err)
		}
	})
}

// Enforcement on OpenSTS itself (issue 4 point 4).
func TestPolicy_Enforcement(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	dave := e.mustUser("dave")
	prefix := "User: arn:aws:iam::" + acct + ":user/alice is not authorized to perform: "

	t.Run("IAM actions need an Allow", func(t *testing.T) {
		_, err := e.iam(alice).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")})
		wantAPIError(t, err, "AccessDenied", prefix+"iam:CreateUser on resource: arn:aws:iam::"+acct+":user/bob because no identity-based policy allows the iam:CreateUser action")
	})
	t.Run("a group's policy allows its members", func(t *testing.T) {
		c := e.iam(e.root)
		if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("admins")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("admins"), PolicyName: aws.String("users"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*User","Resource":"*"}]}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("admins"), UserName: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.iam(alice).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
			t.Fatalf("CreateUser through the group's policy: %v", err)
		}
	})
	t.Run("a managed policy attached to the user", func(t *testing.T) {
		c := e.iam(e.root)
		p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("list"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.iam(alice).ListUsers(ctx, &iam.ListUsersInput{}); err == nil {
			t.Fatal("ListUsers allowed before the policy was attached")
		}
		if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: p.Policy.Arn}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.iam(alice).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("ListUsers through the attached policy: %v", err)
		}
	})
	t.Run("explicit deny wins", func(t *testing.T) {
		e.mustPutUserPolicy("alice", "deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}`)
		_, err := e.iam(alice).DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("bob")})
		wantAPIError(t, err, "AccessDenied", prefix+"iam:DeleteUser on resource: arn:aws:iam::"+acct+":user/bob with an explicit deny in an identity-based policy")
	})
	t.Run("permissions boundary", func(t *testing.T) {
		c := e.iam(e.root)
		b, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("boundary"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: b.Policy.Arn}); err != nil {
			t.Fatal(err)
		}
		_, err = e.iam(alice).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")})
		wantAPIError(t, err, "AccessDenied", prefix+"iam:CreateUser on resource: arn:aws:iam::"+acct+":user/carol because no permissions boundary allows the iam:CreateUser action")
		if _, err := e.iam(alice).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}); err != nil {
			t.Fatalf("an action both allow: %v", err)
		}
	})
	t.Run("GetFederationToken on the federated-user ARN, and TagSession for tags", func(t *testing.T) {
		e.mustPutUserPolicy("dave", "fed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::`+acct+`:federated-user/app-*"}]}`)
		if _, err := e.sts(dave).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-1")}); err != nil {
			t.Fatal(err)
		}
		_, err := e.sts(dave).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("ops-1")})
		wantAPIError(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/dave is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::"+acct+":federated-user/ops-1 because no identity-based policy allows the sts:GetFederationToken action")
		tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}
		_, err = e.sts(dave).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-2"), Tags: tags})
		wantAPIError(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/dave is not authorized to perform: sts:TagSession on resource: arn:aws:sts::"+acct+":federated-user/app-2 because no identity-based policy allows the sts:TagSession action")
		e.mustPutUserPolicy("dave", "tag", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:TagSession","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"core"}}}]}`)
		if _, err := e.sts(dave).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-2"), Tags: tags}); err != nil {
			t.Fatalf("with sts:TagSession: %v", err)
		}
	})
	t.Run("GetSessionToken needs no permission, even under an explicit deny", func(t *testing.T) {
		erin := e.mustUser("erin")
		e.mustPutUserPolicy("erin", "deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
		e.mustSession(erin, nil)
		if _, err := e.sts(erin).GetCallerIdentity(ctx, nil); err != nil {
			t.Fatalf("GetCallerIdentity under deny-all: %v", err)
		}
	})
	t.Run("session tags override user tags in conditions", func(t *testing.T) {
		store := newObjectStore(t, e)
		c := e.iam(e.root)
		if _, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("dave"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}); err != nil {
			t.Fatal(err)
		}
		e.mustPutUserPolicy("dave", "objects", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:PrincipalTag/team}/*"}]}`)
		out, err := e.sts(dave).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-3"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
			Tags:   []types.Tag{{Key: aws.String("Team"), Value: aws.String("core")}}})
		if err != nil {
			t.Fatal(err)
		}
		fed := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
		if got := store.call(t, fed, http.MethodGet, "/core/x"); got != 200 {
			t.Fatalf("bucket of the session tag: status %d, want 200", got)
		}
		if got := store.call(t, fed, http.MethodGet, "/ops/x"); got != 403 {
			t.Fatalf("bucket of the overridden user tag: status %d, want 403", got)
		}
	})
}

// SimulateCustomPolicy with a resource policy and a caller, and
// SimulatePrincipalPolicy for a group, through aws-sdk-go-v2.
func TestPolicy_Simulations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	c := e.iam(e.root)
	caller := "arn:aws:iam::" + acct + ":user/alice"
	resourcePolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + caller + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}`
	identity := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	out, err := c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{identity}, ActionNames: []string{"s3:GetObject", "s3:DeleteObject", "s3:PutObject"},
		ResourceArns: []string{"arn:aws:s3:::shared/x"}, ResourcePolicy: aws.String(resourcePolicy), CallerArn: aws.String(caller),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]iamtypes.PolicyEvaluationDecisionType{
		"s3:GetObject":    iamtypes.PolicyEvaluationDecisionTypeAllowed,
		"s3:DeleteObject": iamtypes.PolicyEvaluationDecisionTypeExplicitDeny,
		"s3:PutObject":    iamtypes.PolicyEvaluationDecisionTypeImplicitDeny,
	}
	if len(out.EvaluationResults) != 3 {
		t.Fatalf("%d results", len(out.EvaluationResults))
	}
	for _, r := range out.EvaluationResults {
		if r.EvalDecision != want[*r.EvalActionName] {
			t.Errorf("%s: %s, want %s", *r.EvalActionName, r.EvalDecision, want[*r.EvalActionName])
		}
		if *r.EvalActionName == "s3:GetObject" && (len(r.MatchedStatements) != 1 || *r.MatchedStatements[0].SourcePolicyId != "ResourcePolicy") {
			t.Errorf("GetObject matched %+v", r.MatchedStatements)
		}
	}

	if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	sp, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::" + acct + ":group/readers"), ActionNames: []string{"s3:GetObject", "s3:PutObject"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sp.EvaluationResults[0].EvalDecision != iamtypes.PolicyEvaluationDecisionTypeAllowed || sp.EvaluationResults[1].EvalDecision != iamtypes.PolicyEvaluationDecisionTypeImplicitDeny ||
		*sp.EvaluationResults[0].MatchedStatements[0].SourcePolicyId != "read" {
		t.Fatalf("group simulation: %+v", sp.EvaluationResults)
	}
	keys, err := c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`}})
	if err != nil || len(keys.ContextKeyNames) != 2 {
		t.Fatalf("GetContextKeysForCustomPolicy: %+v %v", keys, err)
	}
}
