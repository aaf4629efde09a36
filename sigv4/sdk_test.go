package sigv4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v2signer "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	v1creds "github.com/aws/aws-sdk-go/aws/credentials"
	v1signer "github.com/aws/aws-sdk-go/aws/signer/v4"
)

// genRequest is a random-ish request for the cross-checks.
type genRequest struct {
	method  string
	path    string // escaped
	query   [][2]string
	headers [][2]string
	body    []byte
	token   string
	region  string
	service string
}

func (g genRequest) rawQuery() string {
	var b strings.Builder
	for i, kv := range g.query {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[1]))
	}
	return b.String()
}

func (g genRequest) String() string {
	return fmt.Sprintf("%s %s?%s headers=%q body=%q token=%v region=%s", g.method, g.path, g.rawQuery(), g.headers, g.body, g.token != "", g.region)
}

// newHTTP builds the client-side request.
func (g genRequest) newHTTP(tb testing.TB) *http.Request {
	tb.Helper()
	u := "https://sts.example.com" + g.path
	if q := g.rawQuery(); q != "" {
		u += "?" + q
	}
	var body *bytes.Reader
	if len(g.body) > 0 {
		body = bytes.NewReader(g.body)
	}
	var r *http.Request
	var err error
	if body != nil {
		r, err = http.NewRequest(g.method, u, body)
	} else {
		r, err = http.NewRequest(g.method, u, nil)
	}
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	for _, kv := range g.headers {
		r.Header.Add(kv[0], kv[1])
	}
	return r
}

// generate returns n requests from a fixed seed. With v1Safe, query keys, and
// values of repeated keys, are unreserved characters only: aws-sdk-go v1
// sorts the query before encoding it, which AWS (and OpenSTS) sort after
// encoding, so v1 disagrees with AWS for other characters.
func generate(n int, v1Safe bool) []genRequest {
	rng := rand.New(rand.NewPCG(20260102, 30405))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	paths := []string{"/", "/", "/", "/a/b", "/a%20b/c", "/%C3%BC", "/x~y-z_.", "/a/b/", "/%2F%25"}
	keys := []string{"Action", "Version", "DurationSeconds", "Policy", "Tags.member.1.Key", "a-b", "x~y"}
	if !v1Safe {
		keys = append(keys, "key with space", "ünï", "a/b", "plus+sign", "eq=al", "semi;colon")
	}
	values := []string{"", "GetCallerIdentity", "2011-06-15", "3600", "a b", "a+b", "ü€𝄞", "a/b", "a-b",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "~!*'()", "%41", "x=y&z"}
	headerNames := []string{"Content-Type", "X-Custom-A", "X-Amz-Meta-Note", "Amz-Sdk-Invocation-Id", "Accept", "X-Vault-Aws-Iam-Server-Id"}
	headerValues := []string{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
		"a   b    c", "  padded  ", "héllo wörld", "tab\tinside", "v1,v2", "vault.example.com"}
	regions := []string{"us-east-1", "eu-west-3", "local", "my-region-1"}
	out := make([]genRequest, n)
	for i := range out {
		g := genRequest{
			method:  pick([]string{http.MethodGet, http.MethodPost, http.MethodPost, http.MethodPut}),
			path:    pick(paths),
			region:  pick(regions),
			service: pick([]string{"sts", "sts", "iam"}),
		}
		seen := map[string]bool{}
		for range rng.IntN(6) {
			k := pick(keys)
			v := pick(values)
			if v1Safe && seen[k] {
				v = pick([]string{"1", "2", "abc", "x-y"})
				for j := range g.query {
					if g.query[j][0] == k && !unreservedOnly(g.query[j][1]) {
						g.query[j][1] = "0"
					}
				}
			}
			seen[k] = true
			g.query = append(g.query, [2]string{k, v})
		}
		for range rng.IntN(4) {
			g.headers = append(g.headers, [2]string{pick(headerNames), pick(headerValues)})
		}
		if g.method != http.MethodGet && rng.IntN(4) > 0 {
			g.body = []byte(pick([]string{katBody, "Action=GetSessionToken&DurationSeconds=900&Version=2011-06-15", "x", "ü=€&a=b+c"}))
		}
		if rng.IntN(2) == 0 {
			g.token = "FwoGZXIvYXdzE" + strings.Repeat("A", rng.IntN(40)) + "/+="
		}
		out[i] = g
	}
	return out
}

func unreservedOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return false
		}
	}
	return true
}

const (
	xAccessKeyID = "AKIAOPENSTSEXAMPLE01"
	xSecret      = "3fK9m+/qP2rT8vW1xZ4bC7dE0gH5jL6nO9sU2yA="
)

// signV2 signs g with aws-sdk-go-v2 in header form.
func signV2(tb testing.TB, g genRequest, t time.Time) *http.Request {
	tb.Helper()
	r := g.newHTTP(tb)
	h := hexSHA256(g.body)
	creds := aws.Credentials{AccessKeyID: xAccessKeyID, SecretAccessKey: xSecret, SessionToken: g.token}
	if err := v2signer.NewSigner().SignHTTP(context.Background(), creds, r, string(h[:]), g.service, g.region, t); err != nil {
		tb.Fatalf("v2 SignHTTP: %v", err)
	}
	return r
}

// signV1 signs g with aws-sdk-go v1 in header form.
func signV1(tb testing.TB, g genRequest, t time.Time) *http.Request {
	tb.Helper()
	r := g.newHTTP(tb)
	s := v1signer.NewSigner(v1creds.NewStaticCredentials(xAccessKeyID, xSecret, g.token))
	var body *bytes.Reader
	if len(g.body) > 0 {
		body = bytes.NewReader(g.body)
	}
	var err error
	if body != nil {
		_, err = s.Sign(r, body, g.service, g.region, t)
	} else {
		_, err = s.Sign(r, nil, g.service, g.region, t)
	}
	if err != nil {
		tb.Fatalf("v1 Sign: %v", err)
	}
	return r
}

// signOwn signs g with this package's Sign.
func signOwn(tb testing.TB, g genRequest, t time.Time) *http.Request {
	tb.Helper()
	r := g.newHTTP(tb)
	if err := Sign(r, g.body, xAccessKeyID, xSecret, g.token, g.region, g.service, t); err != nil {
		tb.Fatalf("Sign: %v", err)
	}
	return r
}

// mutations each change one signed part of a server-side request.
var mutations = []struct {
	name  string
	apply func(r *http.Request, body []byte) []byte
}{
	{"body changed", func(r *http.Request, body []byte) []byte { return append(bytes.Clone(body), '&') }},
	{"query param added", func(r *http.Request, body []byte) []byte {
		r.URL.RawQuery = strings.TrimPrefix(r.URL.RawQuery+"&DurationSeconds=129600", "&")
		return body
	}},
	{"path changed", func(r *http.Request, body []byte) []byte {
		r.URL.Path += "x"
		r.URL.RawPath = ""
		return body
	}},
	{"method changed", func(r *http.Request, body []byte) []byte {
		if r.Method == http.MethodGet {
			r.Method = http.MethodPost
		} else {
			r.Method = http.MethodGet
		}
		return body
	}},
	{"host changed", func(r *http.Request, body []byte) []byte { r.Host = "evil.example.com"; return body }},
	{"signed header changed", func(r *http.Request, body []byte) []byte {
		r.Header.Set("X-Amz-Date", "20260102T030406Z")
		return body
	}},
	{"token changed", func(r *http.Request, body []byte) []byte {
		if v := r.Header.Get("X-Amz-Security-Token"); v != "" {
			r.Header.Set("X-Amz-Security-Token", v+"x")
		} else {
			r.Header.Set("X-Amz-Date", "20260102T030407Z")
		}
		return body
	}},
}

func TestSDKCrossCheck(t *testing.T) {
	signers := []struct {
		name   string
		v1Safe bool
		sign   func(testing.TB, genRequest, time.Time) *http.Request
	}{
		{"aws-sdk-go-v2", false, signV2},
		{"aws-sdk-go", true, signV1},
		{"sigv4.Sign", false, signOwn},
	}
	cached := NewVerifier(64)
	for _, s := range signers {
		for i, g := range generate(150, s.v1Safe) {
			t.Run(fmt.Sprintf("%s/%03d", s.name, i), func(t *testing.T) {
				r, body := mustWire(t, s.sign(t, g, katTime))
				req, err := Parse(r, body)
				if err != nil {
					t.Fatalf("Parse(%v): %v", g, err)
				}
				for _, v := range []*Verifier{cached, NewVerifier(0)} {
					if err := v.Verify(req, xSecret); err != nil {
						t.Fatalf("ok/verify %v: %v\ncanonical request:\n%s", g, err, req.CanonicalRequest())
					}
				}
				if req.SecurityToken != g.token || req.AccessKeyID != xAccessKeyID || req.Region != g.region || req.Service != g.service {
					t.Errorf("ok/fields: got token %q key %q region %q service %q", req.SecurityToken, req.AccessKeyID, req.Region, req.Service)
				}
				if err := cached.Verify(req, xSecret[1:]); !errors.Is(err, ErrSignatureMismatch) {
					t.Errorf("fail/wrong secret: got %v", err)
				}
				for _, m := range mutations {
					r2, body2 := mustWire(t, s.sign(t, g, katTime))
					body2 = m.apply(r2, body2)
					req2, err := Parse(r2, body2)
					if err != nil {
						t.Errorf("fail/%s: Parse: %v", m.name, err)
						continue
					}
					if err := cached.Verify(req2, xSecret); !errors.Is(err, ErrSignatureMismatch) {
						t.Errorf("fail/%s: got %v, want ErrSignatureMismatch\ncanonical request:\n%s", m.name, err, req2.CanonicalRequest())
					}
				}
			})
		}
	}
}

// The canonical query is rebuilt from decoded values, so any equivalent
// encoding of the query the client signed still verifies.
func TestSDKCrossCheck_EquivalentQueryEncoding(t *testing.T) {
	g := genRequest{method: http.MethodGet, path: "/", region: "us-east-1", service: "sts", query: [][2]string{
		{"Action", "GetFederationToken"}, {"Name", "bob smith"}, {"Policy", `{"a":"b/c~d"}`}, {"Version", "2011-06-15"},
	}}
	r, body := mustWire(t, signV2(t, g, katTime))
	variants := map[string]string{
		"ok/form encoding":      "Action=GetFederationToken&Name=bob+smith&Policy=%7B%22a%22%3A%22b%2Fc~d%22%7D&Version=2011-06-15",
		"ok/lower-case escapes": "Action=GetFederationToken&Name=bob%20smith&Policy=%7b%22a%22%3a%22b%2fc%7Ed%22%7d&Version=2011-06-15",
		"ok/reordered":          "Version=2011-06-15&Policy=%7B%22a%22%3A%22b/c~d%22%7D&Name=bob%20smith&Action=GetFederationToken",
	}
	for name, raw := range variants {
		t.Run(name, func(t *testing.T) {
			r2 := r.Clone(context.Background())
			r2.URL.RawQuery = raw
			if err := NewVerifier(0).Verify(mustParse(t, r2, body), xSecret); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestSDKCrossCheck_Presigned(t *testing.T) {
	type presigner func(t *testing.T, expires int, token, region string) *http.Request
	v2 := func(t *testing.T, expires int, token, region string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, fmt.Sprintf("https://sts.%s.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=%d", region, expires), nil)
		r.Header.Set("x-k8s-aws-id", "my-cluster")
		creds := aws.Credentials{AccessKeyID: xAccessKeyID, SecretAccessKey: xSecret, SessionToken: token}
		u, hdr, err := v2signer.NewSigner().PresignHTTP(context.Background(), creds, r, emptySHA256, "sts", region, katTime)
		if err != nil {
			t.Fatalf("PresignHTTP: %v", err)
		}
		out := httptest.NewRequest(http.MethodGet, u, nil)
		for k, vs := range hdr {
			if k == "Host" {
				out.Host = vs[0]
				continue
			}
			for _, v := range vs {
				out.Header.Add(k, v)
			}
		}
		return out
	}
	v1 := func(t *testing.T, expires int, token, region string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, fmt.Sprintf("https://sts.%s.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", region), nil)
		r.Header.Set("x-k8s-aws-id", "my-cluster")
		s := v1signer.NewSigner(v1creds.NewStaticCredentials(xAccessKeyID, xSecret, token))
		if _, err := s.Presign(r, nil, "sts", region, time.Duration(expires)*time.Second, katTime); err != nil {
			t.Fatalf("Presign: %v", err)
		}
		return r
	}
	for _, p := range []struct {
		name string
		sign presigner
	}{{"aws-sdk-go-v2", v2}, {"aws-sdk-go", v1}} {
		for _, expires := range []int{60, 900, 3600} {
			for _, token := range []string{"", "FwoGZXIvYXdzEPresign/+=="} {
				name := fmt.Sprintf("%s/expires=%d/token=%v", p.name, expires, token != "")
				t.Run(name, func(t *testing.T) {
					r, body := mustWire(t, p.sign(t, expires, token, "eu-west-1"))
					req := mustParse(t, r, body)
					if !req.Presigned || req.Expires != time.Duration(expires)*time.Second || req.SecurityToken != token {
						t.Fatalf("got presigned %v expires %v token %q", req.Presigned, req.Expires, req.SecurityToken)
					}
					v := NewVerifier(8)
					if err := v.Verify(req, xSecret); err != nil {
						t.Fatalf("ok/verify: %v\n%s", err, req.CanonicalRequest())
					}
					for _, d := range []time.Duration{-15 * time.Minute, 0, 14 * time.Minute, 15 * time.Minute} {
						if err := req.CheckTime(katTime.Add(d)); err != nil {
							t.Errorf("ok/CheckTime(+%v): %v", d, err)
						}
					}
					for _, d := range []time.Duration{-15*time.Minute - time.Second, 15*time.Minute + time.Second, time.Hour} {
						if err := req.CheckTime(katTime.Add(d)); !errors.Is(err, ErrSignatureMismatch) {
							t.Errorf("fail/CheckTime(+%v): got %v", d, err)
						}
					}
					if err := v.Verify(req, "wrong"); !errors.Is(err, ErrSignatureMismatch) {
						t.Errorf("fail/wrong secret: got %v", err)
					}
					for _, m := range []struct{ name, from, to string }{
						{"query changed", "GetCallerIdentity", "GetSessionToken"},
						{"expires changed", fmt.Sprintf("X-Amz-Expires=%d", expires), "X-Amz-Expires=1"},
						{"credential changed", "eu-west-1", "eu-west-2"},
					} {
						r2 := r.Clone(context.Background())
						r2.URL.RawQuery = strings.Replace(r2.URL.RawQuery, m.from, m.to, 1)
						if r2.URL.RawQuery == r.URL.RawQuery {
							t.Fatalf("fail/%s: mutation did not apply", m.name)
						}
						if err := v.Verify(mustParse(t, r2, body), xSecret); !errors.Is(err, ErrSignatureMismatch) {
							t.Errorf("fail/%s: got %v", m.name, err)
						}
					}
					r3 := r.Clone(context.Background())
					r3.Header.Set("X-K8s-Aws-Id", "other-cluster")
					if err := v.Verify(mustParse(t, r3, body), xSecret); !errors.Is(err, ErrSignatureMismatch) {
						t.Errorf("fail/signed header changed: got %v", err)
					}
				})
			}
		}
	}
}

// A presigned request may declare its payload hash in the query (or, as
// botocore does, in a signed header); it must then match the body.
func TestSDKCrossCheck_PresignedDeclaredPayload(t *testing.T) {
	presign := func(t *testing.T, target, payload string, header bool) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "https://sts.example.com"+target, nil)
		if header {
			r.Header.Set("X-Amz-Content-Sha256", payload)
		}
		u, hdr, err := v2signer.NewSigner().PresignHTTP(context.Background(),
			aws.Credentials{AccessKeyID: xAccessKeyID, SecretAccessKey: xSecret}, r, payload, "sts", "us-east-1", katTime)
		if err != nil {
			t.Fatal(err)
		}
		out := httptest.NewRequest(http.MethodGet, u, nil)
		for k, vs := range hdr {
			if k != "Host" {
				out.Header[k] = vs
			}
		}
		return out
	}
	tests := []struct {
		name    string
		target  string
		payload string
		header  bool
		body    []byte
		ok      bool
	}{
		{name: "ok/unsigned payload in query", target: "/?Action=GetCallerIdentity&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD", payload: unsignedPayload, ok: true},
		{name: "ok/empty hash in query", target: "/?Action=GetCallerIdentity&X-Amz-Content-Sha256=" + emptySHA256, payload: emptySHA256, ok: true},
		{name: "ok/unsigned payload in signed header", target: "/?Action=GetCallerIdentity", payload: unsignedPayload, header: true, ok: true},
		{name: "fail/unsigned payload with a body", target: "/?Action=GetCallerIdentity&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD", payload: unsignedPayload, body: []byte("Action=GetSessionToken")},
		{name: "fail/empty hash with a body", target: "/?Action=GetCallerIdentity&X-Amz-Content-Sha256=" + emptySHA256, payload: emptySHA256, body: []byte("x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := mustWire(t, presign(t, tt.target, tt.payload, tt.header))
			req := mustParse(t, r, tt.body)
			err := NewVerifier(0).Verify(req, xSecret)
			if tt.ok && err != nil {
				t.Errorf("Verify: %v\n%s", err, req.CanonicalRequest())
			}
			if !tt.ok && !errors.Is(err, ErrSignatureMismatch) {
				t.Errorf("Verify: got %v, want ErrSignatureMismatch", err)
			}
		})
	}
}
