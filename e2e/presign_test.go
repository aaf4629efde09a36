package e2e

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

type callerIdentityXML struct {
	Result struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

// presignCallerIdentity returns a presigned GetCallerIdentity GET, signed
// with the extra header aws-iam-authenticator adds (x-k8s-aws-id).
func presignCallerIdentity(t *testing.T, e *env, c creds, header, value string) *v4.PresignedHTTPRequest {
	t.Helper()
	pc := sts.NewPresignClient(e.sts(c))
	req, err := pc.PresignGetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}, func(o *sts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(o *sts.Options) {
			o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue(header, value))
		})
	})
	if err != nil {
		t.Fatalf("presign: %v", err)
	}
	if req.Method != http.MethodGet {
		t.Fatalf("presigned method %s, want GET", req.Method)
	}
	return req
}

func get(t *testing.T, url string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// aws-iam-authenticator's flow: a presigned GET of GetCallerIdentity with a
// signed x-k8s-aws-id header, fetched with Accept: application/json.
func TestPresign_GetCallerIdentityJSONAndXML(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.mustUser("alice")
	temp := e.mustSession(alice, nil)
	for _, c := range []creds{alice, temp} {
		req := presignCallerIdentity(t, e, c, "x-k8s-aws-id", "my-cluster")
		if !strings.Contains(req.URL, "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id") {
			t.Fatalf("the cluster header is not signed: %s", req.URL)
		}
		resp, body := get(t, req.URL, map[string]string{"x-k8s-aws-id": "my-cluster", "Accept": "application/json"})
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var js struct {
			R struct {
				Result struct{ Account, Arn, UserId string } `json:"GetCallerIdentityResult"`
				Meta   struct{ RequestId string }            `json:"ResponseMetadata"`
			} `json:"GetCallerIdentityResponse"`
		}
		if err := json.Unmarshal(body, &js); err != nil {
			t.Fatalf("JSON: %v: %s", err, body)
		}
		if !strings.HasSuffix(js.R.Result.Arn, ":user/alice") || js.R.Result.Account != e.node.Root.AccountID ||
			js.R.Meta.RequestId != resp.Header.Get("x-amzn-RequestId") || js.R.Meta.RequestId == "" {
			t.Fatalf("JSON body %s", body)
		}
		if n := len(strings.Split(js.R.Result.UserId, ":")); n > 2 {
			t.Fatalf("UserId %q has %d parts; aws-iam-authenticator accepts 1 or 2", js.R.Result.UserId, n)
		}

		resp, body = get(t, req.URL, map[string]string{"x-k8s-aws-id": "my-cluster"})
		var x callerIdentityXML
		if err := xml.Unmarshal(body, &x); err != nil || resp.StatusCode != 200 {
			t.Fatalf("XML: %d %v: %s", resp.StatusCode, err, body)
		}
		if !strings.HasSuffix(x.Result.Arn, ":user/alice") || resp.Header.Get("Content-Type") != "text/xml" {
			t.Fatalf("XML body %s", body)
		}

		// The signed header is part of the signature.
		resp, body = get(t, req.URL, map[string]string{"x-k8s-aws-id": "other-cluster"})
		if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
			t.Fatalf("tampered header: %d %s", resp.StatusCode, body)
		}
	}
}

// AWS ignores X-Amz-Expires for STS presigned URLs: they are valid for 15
// minutes after X-Amz-Date (spec §5.7).
func TestPresign_ValidFifteenMinutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	req := presignCallerIdentity(t, e, e.mustUser("alice"), "x-k8s-aws-id", "c")
	e.clock.Advance(14 * time.Minute)
	if resp, body := get(t, req.URL, map[string]string{"x-k8s-aws-id": "c"}); resp.StatusCode != 200 {
		t.Fatalf("after 14 min: %d %s", resp.StatusCode, body)
	}
	e.clock.Advance(2 * time.Minute)
	resp, body := get(t, req.URL, map[string]string{"x-k8s-aws-id": "c"})
	if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") || !strings.Contains(string(body), "Signature expired") {
		t.Fatalf("after 16 min: %d %s", resp.StatusCode, body)
	}
}

// HashiCorp Vault's AWS auth method: the client signs a POST for
// sts.amazonaws.com with a server-ID header; Vault replays it unchanged to
// its configured STS endpoint, keeping the signed Host, and parses the XML.
func TestPresign_VaultReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.mustUser("alice")
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	r, err := http.NewRequest(http.MethodPost, "https://sts.amazonaws.com/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("X-Vault-AWS-IAM-Server-ID", "vault.example.com")
	sum := sha256Hex(body)
	signer := v4.NewSigner()
	if err := signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: alice.AccessKeyID, SecretAccessKey: alice.SecretAccessKey},
		r, sum, "sts", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Header.Get("Authorization"), "x-vault-aws-iam-server-id") {
		t.Fatalf("server-id header not signed: %s", r.Header.Get("Authorization"))
	}
	// Replay to OpenSTS with the original Host, as Vault does: to its
	// configured endpoint, a slash, and the signed request's URI — for a
	// request signed for "/", the path "//".
	replay, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/%s", e.url, r.URL.RequestURI()), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	replay.Header = r.Header.Clone()
	replay.Host = "sts.amazonaws.com"
	resp, err := http.DefaultClient.Do(replay)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	var x callerIdentityXML
	if err := xml.Unmarshal(out, &x); err != nil || resp.StatusCode != 200 || !strings.HasSuffix(x.Result.Arn, ":user/alice") {
		t.Fatalf("replay to %s: %d %v %s", replay.URL.Path, resp.StatusCode, err, out)
	}
}

// The other routes keep their clean paths; any other path is the Query
// API's, unredirected.
func TestServe_Paths(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", "/healthz", 200, "ok"},
		{"GET", "//healthz", 403, "MissingAuthenticationToken"}, // not a route: the Query API refuses it
		{"POST", "//", 403, "MissingAuthenticationToken"},
		{"POST", "/a/../", 403, "MissingAuthenticationToken"},
		{"POST", "/", 403, "MissingAuthenticationToken"},
	} {
		req, err := http.NewRequest(c.method, e.url+c.path, strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.contains) {
			t.Errorf("%s %s: %d %s, want %d containing %q", c.method, c.path, resp.StatusCode, b, c.status, c.contains)
		}
	}
}
