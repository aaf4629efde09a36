package api_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current responses")

// Random values (ids, secrets, tokens, sizes that depend on deflate) are
// replaced with stable
// placeholders; everything else — layout, element order, timestamps,
// request ids — is compared byte for byte.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`ASIA[A-Z2-7]{16}`), "ASIAXXXXXXXXXXXXXXXX"},
	{regexp.MustCompile(`AKIA[A-Z2-7]{16}`), "AKIAXXXXXXXXXXXXXXXX"},
	{regexp.MustCompile(`AIDA[A-Z2-7]{17}`), "AIDAXXXXXXXXXXXXXXXXX"},
	{regexp.MustCompile(`<SecretAccessKey>[^<]*</SecretAccessKey>`), "<SecretAccessKey>SECRET</SecretAccessKey>"},
	{regexp.MustCompile(`<SessionToken>[^<]*</SessionToken>`), "<SessionToken>TOKEN</SessionToken>"},
	{regexp.MustCompile(`<PackedPolicySize>[0-9]+</PackedPolicySize>`), "<PackedPolicySize>0</PackedPolicySize>"},
	{regexp.MustCompile(`<SessionTokenSize>[0-9]+</SessionTokenSize>`), "<SessionTokenSize>0</SessionTokenSize>"},
	{regexp.MustCompile(`<SessionTokenUtilization>[0-9]+</SessionTokenUtilization>`), "<SessionTokenUtilization>0</SessionTokenUtilization>"},
}

func normalize(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

func checkGolden(t *testing.T, name string, r response) {
	t.Helper()
	got := normalize(r.body)
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./api -run Golden -update)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestGolden pins the exact bytes of each response shape.
func TestGolden(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	cases := []struct {
		file string
		send func() response
	}{
		{"GetCallerIdentity.xml", func() response { return h.do(alice, sts("GetCallerIdentity")) }},
		{"GetCallerIdentity.json", func() response {
			return h.send(alice, http.MethodPost, sts("GetCallerIdentity").Encode(), http.Header{"Accept": {"application/json"}}, "sts")
		}},
		{"GetSessionToken.xml", func() response { return h.do(alice, sts("GetSessionToken", "DurationSeconds", "3600")) }},
		{"GetFederationToken.xml", func() response {
			return h.do(root, sts("GetFederationToken", "Name", "Bob", "Policy", policy))
		}},
		{"GetFederationToken-nopolicy.xml", func() response { return h.do(root, sts("GetFederationToken", "Name", "Bob")) }},
		{"GetAccessKeyInfo.xml", func() response { return h.do(root, sts("GetAccessKeyInfo", "AccessKeyId", alice.id)) }},
		{"CreateUser.xml", func() response { return h.do(root, iamForm("CreateUser", "UserName", "bob", "Path", "/eng/")) }},
		{"GetUser-root.xml", func() response { return h.do(root, iamForm("GetUser")) }},
		{"ListUsers.xml", func() response { return h.do(root, iamForm("ListUsers")) }},
		{"ListAccessKeys.xml", func() response { return h.do(root, iamForm("ListAccessKeys", "UserName", "alice")) }},
		{"ListAccessKeys-empty.xml", func() response { return h.do(root, iamForm("ListAccessKeys", "UserName", "bob")) }},
		{"DeleteUser.xml", func() response { return h.do(root, iamForm("DeleteUser", "UserName", "bob")) }},
		{"ValidationError.xml", func() response { return h.do(alice, sts("GetSessionToken", "DurationSeconds", "899")) }},
		{"AccessDenied.xml", func() response { return h.do(alice, sts("GetFederationToken", "Name", "Bob")) }},
		{"InvalidAction.xml", func() response { return h.do(alice, sts("Nope")) }},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) { checkGolden(t, tc.file, tc.send()) })
	}
}

// goldenClient answers every request with one golden file, so the SDK's own
// deserializers read our exact bytes.
type goldenClient struct {
	t      *testing.T
	file   string
	status int
}

func (g goldenClient) Do(*http.Request) (*http.Response, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden", g.file))
	if err != nil {
		g.t.Fatal(err)
	}
	status := g.status
	if status == 0 {
		status = 200
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}}, Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func sdkConfig(t *testing.T, file string, status int) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAXXXXXXXXXXXXXXXX", "secret", ""),
		BaseEndpoint: aws.String("http://golden.invalid"),
		HTTPClient:   goldenClient{t: t, file: file, status: status},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// TestGolden_SDKDecodes feeds the golden bytes to aws-sdk-go-v2's
// deserializers, as aws-sdk-go-v2's own response snapshot tests do.
func TestGolden_SDKDecodes(t *testing.T) {
	ctx := context.Background()
	t.Run("GetSessionToken", func(t *testing.T) {
		out, err := stssdk.NewFromConfig(sdkConfig(t, "GetSessionToken.xml", 0)).GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC)
		if *out.Credentials.AccessKeyId != "ASIAXXXXXXXXXXXXXXXX" || *out.Credentials.SessionToken != "TOKEN" || !out.Credentials.Expiration.Equal(want) {
			t.Fatalf("decoded %+v", out.Credentials)
		}
	})
	t.Run("GetFederationToken", func(t *testing.T) {
		cfg := sdkConfig(t, "GetFederationToken.xml", 0)
		cfg.HTTPClient = goldenClient{t: t, file: "GetFederationToken-nopolicy.xml"}
		out, err := stssdk.NewFromConfig(cfg).GetFederationToken(ctx, &stssdk.GetFederationTokenInput{Name: aws.String("Bob")})
		if err != nil {
			t.Fatal(err)
		}
		if *out.FederatedUser.Arn != "arn:aws:sts::"+testAccount+":federated-user/Bob" || *out.FederatedUser.FederatedUserId != testAccount+":Bob" || out.PackedPolicySize != nil {
			t.Fatalf("decoded %+v %v", out.FederatedUser, out.PackedPolicySize)
		}
	})
	t.Run("GetCallerIdentity", func(t *testing.T) {
		out, err := stssdk.NewFromConfig(sdkConfig(t, "GetCallerIdentity.xml", 0)).GetCallerIdentity(ctx, &stssdk.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if *out.Account != testAccount || *out.Arn != "arn:aws:iam::"+testAccount+":user/alice" || *out.UserId != "AIDAXXXXXXXXXXXXXXXXX" {
			t.Fatalf("decoded %+v", out)
		}
	})
	t.Run("ListUsers", func(t *testing.T) {
		out, err := iamsdk.NewFromConfig(sdkConfig(t, "ListUsers.xml", 0)).ListUsers(ctx, &iamsdk.ListUsersInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Users) != 2 || *out.Users[0].UserName != "alice" || out.IsTruncated {
			t.Fatalf("decoded %+v", out)
		}
	})
	t.Run("ListAccessKeys empty", func(t *testing.T) {
		out, err := iamsdk.NewFromConfig(sdkConfig(t, "ListAccessKeys-empty.xml", 0)).ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{})
		if err != nil || len(out.AccessKeyMetadata) != 0 {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("ValidationError", func(t *testing.T) {
		_, err := stssdk.NewFromConfig(sdkConfig(t, "ValidationError.xml", 400)).GetSessionToken(ctx, &stssdk.GetSessionTokenInput{})
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte("ValidationError")) {
			t.Fatalf("err = %v", err)
		}
	})
}
