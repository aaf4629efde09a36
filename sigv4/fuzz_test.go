package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v2signer "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var updateFuzzCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite testdata/fuzz seed corpora")

// fuzzSecret signs every FuzzVerify seed.
const fuzzSecret = "fuzz/Secret+Key0123456789abcdefghijklmnop"

// wireBytes serialises a client request as it goes on the wire.
func wireBytes(tb testing.TB, r *http.Request) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// verifySeeds are requests signed with fuzzSecret, in both forms and by
// several signers.
func verifySeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	form := func(body string, token string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://sts.example.com/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		if err := Sign(r, []byte(body), "AKIAFUZZ", fuzzSecret, token, "us-east-1", "sts", katTime); err != nil {
			tb.Fatal(err)
		}
		return r
	}
	seeds = append(seeds, wireBytes(tb, form(katBody, "")), wireBytes(tb, form("Action=GetSessionToken&Version=2011-06-15", "FwoGZXIvYXdzEFuzzToken")))

	get := httptest.NewRequest(http.MethodGet, "http://sts.example.com/a/b/../c?Name=bob%20smith&Policy=%7B%7D&Version=2011-06-15", nil)
	get.Header.Add("X-Custom", "a   b")
	get.Header.Add("X-Custom", "c")
	if err := Sign(get, nil, "AKIAFUZZ", fuzzSecret, "", "eu-west-3", "iam", katTime); err != nil {
		tb.Fatal(err)
	}
	seeds = append(seeds, wireBytes(tb, get))

	for _, g := range generate(4, false) {
		r := g.newHTTP(tb)
		h := hexSHA256(g.body)
		creds := aws.Credentials{AccessKeyID: "AKIAFUZZ", SecretAccessKey: fuzzSecret, SessionToken: g.token}
		if err := v2signer.NewSigner().SignHTTP(context.Background(), creds, r, string(h[:]), g.service, g.region, katTime); err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, wireBytes(tb, r))
	}

	pr := httptest.NewRequest(http.MethodGet, "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
	pr.Header.Set("x-k8s-aws-id", "my-cluster")
	u, hdr, err := v2signer.NewSigner().PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: "AKIAFUZZ", SecretAccessKey: fuzzSecret, SessionToken: "tok"}, pr, emptySHA256, "sts", "us-east-1", katTime)
	if err != nil {
		tb.Fatal(err)
	}
	out := httptest.NewRequest(http.MethodGet, u, nil)
	out.Host = hdr.Get("Host")
	out.Header.Set("X-K8s-Aws-Id", "my-cluster")
	seeds = append(seeds, wireBytes(tb, out))
	return seeds
}

// parseSeeds are odd or broken requests, plus every suite vector.
func parseSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	seeds := [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: sts.example.com\r\n\r\n"),
		[]byte("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256\r\n\r\n"),
		[]byte("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Date: 20260102T030405Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential= a/b, SignedHeaders=host, Signature=00\r\n\r\n"),
		[]byte("GET /?X-Amz-Credential=a%2Fb&X-Amz-Algorithm=AWS4-X HTTP/1.1\r\nHost: x\r\n\r\n"),
		[]byte("GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20260102%2Fr%2Fs%2Faws4_request&X-Amz-Date=20260102T030405Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=-5 HTTP/1.1\r\nHost: x\r\n\r\n"),
		[]byte("GET //a/./../%zz?%41=%4 HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host;;HOST;:authority, Signature=" + strings.Repeat("0", 64) + "\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\n\r\n"),
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "suite", "*", "request.http"))
	for _, f := range files {
		seeds = append(seeds, mustReadFile(tb, f))
	}
	return seeds
}

// readRaw parses fuzz input as an HTTP request; ok is false if it is not one.
func readRaw(raw []byte) (*http.Request, []byte, bool) {
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, nil, false
	}
	return r, body, true
}

// checkError fails unless err is one of the package's documented errors with
// a non-empty client message, and mentions no secret.
func checkError(t *testing.T, err error, secrets ...string) {
	t.Helper()
	var ie *IncompleteError
	var me *MismatchError
	switch {
	case errors.As(err, &ie):
		if ie.Message == "" {
			t.Fatalf("empty IncompleteError message")
		}
	case errors.As(err, &me):
		if me.Message == "" || !errors.Is(err, ErrSignatureMismatch) {
			t.Fatalf("bad MismatchError %v", err)
		}
	case errors.Is(err, ErrMissingAuthentication), errors.Is(err, ErrSignatureMismatch):
	default:
		t.Fatalf("undocumented error %T: %v", err, err)
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(err.Error(), s) || ie != nil && strings.Contains(ie.Message, s) || me != nil && strings.Contains(me.Message, s) {
			t.Fatalf("error reveals a secret: %v", err)
		}
	}
}

// independentlyValid recomputes the signature of req's string to sign with
// crypto/hmac and reports whether it equals the one the request carries.
func independentlyValid(req *Request, secret string) bool {
	k := refHMAC([]byte("AWS4"+secret), []byte(req.Date))
	k = refHMAC(k, []byte(req.Region))
	k = refHMAC(k, []byte(req.Service))
	k = refHMAC(k, []byte(req.terminator))
	return req.signatureOK && hmac.Equal(refHMAC(k, req.stringToSign), req.signature[:])
}

func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, body, ok := readRaw(raw)
		if !ok {
			return
		}
		req, err := Parse(r, body)
		if err != nil {
			if req != nil {
				t.Fatal("request and error both returned")
			}
			checkError(t, err)
			return
		}
		again, err := Parse(r, body)
		if err != nil || again.CanonicalRequest() != req.CanonicalRequest() || again.StringToSign() != req.StringToSign() {
			t.Fatalf("Parse is not deterministic: %v", err)
		}
		_ = req.CheckTime(katTime)
		if err := req.CheckService("sts", "iam"); err != nil {
			checkError(t, err)
		}
		// Whatever the input, Verify accepts exactly when the signature is
		// the HMAC of the string to sign under the secret.
		for _, secret := range []string{fuzzSecret, katSecret, ""} {
			err := NewVerifier(2).Verify(req, secret)
			want := req.scopeMessage(nil) == "" && req.payloadOK && independentlyValid(req, secret)
			if (err == nil) != want {
				t.Fatalf("Verify = %v, independent check = %v", err, want)
			}
			if err != nil {
				checkError(t, err, secret)
			}
		}
	})
}

func FuzzVerify(f *testing.F) {
	seeds := verifySeeds(f)
	signed := map[string]bool{} // every string to sign fuzzSecret signed
	for _, s := range seeds {
		r, body, ok := readRaw(s)
		if !ok {
			f.Fatalf("seed is not a request:\n%s", s)
		}
		req, err := Parse(r, body)
		if err != nil {
			f.Fatalf("seed does not parse: %v\n%s", err, s)
		}
		if err := NewVerifier(0).Verify(req, fuzzSecret); err != nil {
			f.Fatalf("seed does not verify: %v\n%s", err, req.CanonicalRequest())
		}
		signed[req.StringToSign()] = true
		f.Add(s)
	}
	v := NewVerifier(4) // shared: the cache must not change any decision
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, body, ok := readRaw(raw)
		if !ok {
			return
		}
		req, err := Parse(r, body)
		if err != nil {
			checkError(t, err, fuzzSecret)
			return
		}
		err = v.Verify(req, fuzzSecret)
		if err == nil {
			// A mutation may keep the signed content (e.g. reorder the query
			// or add an unsigned header) but never produce new signed content.
			if !signed[req.StringToSign()] {
				t.Fatalf("accepted a string to sign that was never signed:\n%s\ncanonical request:\n%s", req.StringToSign(), req.CanonicalRequest())
			}
			if !independentlyValid(req, fuzzSecret) {
				t.Fatal("accepted a signature crypto/hmac rejects")
			}
		} else {
			checkError(t, err, fuzzSecret)
		}
		if err := v.Verify(req, fuzzSecret+"x"); err == nil {
			t.Fatal("accepted with the wrong secret")
		} else {
			checkError(t, err, fuzzSecret, fuzzSecret+"x")
		}
	})
}

// TestFuzzCorpus keeps testdata/fuzz in step with the seed functions; run
// with -update-fuzz-corpus to rewrite it.
func TestFuzzCorpus(t *testing.T) {
	for target, seeds := range map[string][][]byte{"FuzzParse": parseSeeds(t), "FuzzVerify": verifySeeds(t)} {
		dir := filepath.Join("testdata", "fuzz", target)
		for i, s := range seeds {
			name := filepath.Join(dir, fmt.Sprintf("seed-%02d", i))
			want := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
			if *updateFuzzCorpus {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(name)
			if err != nil || string(got) != want {
				t.Errorf("%s is stale or missing; run go test -run TestFuzzCorpus -update-fuzz-corpus ./sigv4/", name)
			}
		}
	}
}

var benchSink error

func benchRequest(b *testing.B) (*http.Request, []byte) {
	g := genRequest{method: http.MethodPost, path: "/", region: "us-east-1", service: "sts",
		headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}, {"Amz-Sdk-Invocation-Id", "5b3b3d1e-6b8e-4c1e-9d2a-0e6f7a1b2c3d"}, {"Amz-Sdk-Request", "attempt=1; max=3"}},
		body:    []byte("Action=GetSessionToken&DurationSeconds=3600&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fbob&TokenCode=123456&Version=2011-06-15"),
		token:   "FwoGZXIvYXdzEBenchmarkSessionToken/+==",
	}
	return mustWire(b, signV2(b, g, katTime))
}

func BenchmarkParse(b *testing.B) {
	r, body := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		_, benchSink = Parse(r, body)
	}
	if benchSink != nil {
		b.Fatal(benchSink)
	}
}

func BenchmarkVerify(b *testing.B) {
	r, body := benchRequest(b)
	req := mustParse(b, r, body)
	v := NewVerifier(1024)
	if err := v.Verify(req, xSecret); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		benchSink = v.Verify(req, xSecret)
	}
	if benchSink != nil {
		b.Fatal(benchSink)
	}
}

func BenchmarkVerifyUncached(b *testing.B) {
	r, body := benchRequest(b)
	req := mustParse(b, r, body)
	v := NewVerifier(0)
	b.ReportAllocs()
	for b.Loop() {
		benchSink = v.Verify(req, xSecret)
	}
	if benchSink != nil {
		b.Fatal(benchSink)
	}
}

// BenchmarkParseVerify is the whole per-request cost with a warm cache.
func BenchmarkParseVerify(b *testing.B) {
	r, body := benchRequest(b)
	v := NewVerifier(1024)
	b.ReportAllocs()
	for b.Loop() {
		req, err := Parse(r, body)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = v.Verify(req, xSecret)
	}
	if benchSink != nil {
		b.Fatal(benchSink)
	}
}
