package sigv4

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Credentials and time of shared/spec/sts-spec.md Appendix B.
const (
	katAccessKeyID = "AKIAIOSFODNN7EXAMPLE"
	katTempKeyID   = "ASIAIOSFODNN7EXAMPLE"
	katSecret      = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	katToken       = "FQoGZXIvYXdzEXAMPLETOKEN"
	katBody        = "Action=GetCallerIdentity&Version=2011-06-15"
)

var katTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// mustWire serialises r as a client would send it and reads it back as a
// server does, so Host, Content-Length and header casing are the server's.
func mustWire(tb testing.TB, r *http.Request) (*http.Request, []byte) {
	tb.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		tb.Fatalf("write request: %v", err)
	}
	return mustRead(tb, buf.Bytes())
}

// mustRead parses a raw HTTP/1.1 request and reads its body.
func mustRead(tb testing.TB, raw []byte) (*http.Request, []byte) {
	tb.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		tb.Fatalf("read request: %v", err)
	}
	var body bytes.Buffer
	if _, err := body.ReadFrom(r.Body); err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return r, body.Bytes()
}

func mustParse(tb testing.TB, r *http.Request, body []byte) *Request {
	tb.Helper()
	req, err := Parse(r, body)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return req
}

// flipHex flips the lowest bit of the i-th hex digit of sig.
func flipHex(sig string, i int) string {
	const digits = "0123456789abcdef"
	b := []byte(sig)
	b[i] = digits[strings.IndexByte(digits, b[i])^1]
	return string(b)
}

func TestAppendixB(t *testing.T) {
	const (
		b1Sig = "dcbb1d6c3c5acb72d434639caa0c034537ceaa022bdfbeed3b761b00c8c1d731"
		b2Sig = "f204ac7953b6fece87d21918fb8137ce3ac490d7bf0dcd3df6e1e86a12bb7f41"
		b3Sig = "b56d7b10c92e9751c7ddd26f9b7c89ac8941584f6ace82ca3edca73755d686cf"
	)
	b1Canonical := "POST\n/\n\n" +
		"content-type:application/x-www-form-urlencoded; charset=utf-8\n" +
		"host:sts.amazonaws.com\n" +
		"x-amz-date:20260102T030405Z\n\n" +
		"content-type;host;x-amz-date\n" +
		"ab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843"
	b1StringToSign := "AWS4-HMAC-SHA256\n20260102T030405Z\n20260102/us-east-1/sts/aws4_request\n" +
		"a8b85fa651bd29935b82a707103348d6884568b8045a1df7b738f323ee83bb0c"
	b3Canonical := "GET\n/\n" +
		"Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260102%2Fus-east-1%2Fsts%2Faws4_request" +
		"&X-Amz-Date=20260102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id\n" +
		"host:sts.us-east-1.amazonaws.com\n" +
		"x-k8s-aws-id:my-cluster\n\n" +
		"host;x-k8s-aws-id\n" +
		emptySHA256

	headerReq := func(keyID, token, sig string) func() (*http.Request, []byte) {
		return func() (*http.Request, []byte) {
			r := httptest.NewRequest(http.MethodPost, "https://sts.amazonaws.com/", strings.NewReader(katBody))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			r.Header.Set("X-Amz-Date", "20260102T030405Z")
			signed := "content-type;host;x-amz-date"
			if token != "" {
				r.Header.Set("X-Amz-Security-Token", token)
				signed += ";x-amz-security-token"
			}
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+keyID+
				"/20260102/us-east-1/sts/aws4_request, SignedHeaders="+signed+", Signature="+sig)
			return mustWire(t, r)
		}
	}
	presigned := func(sig string) func() (*http.Request, []byte) {
		return func() (*http.Request, []byte) {
			r := httptest.NewRequest(http.MethodGet, "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"+
				"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260102%2Fus-east-1%2Fsts%2Faws4_request"+
				"&X-Amz-Date=20260102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature="+sig, nil)
			r.Header.Set("x-k8s-aws-id", "my-cluster")
			return mustWire(t, r)
		}
	}

	tests := []struct {
		name          string
		build         func() (*http.Request, []byte)
		sig           string
		wantKeyID     string
		wantToken     string
		wantPresigned bool
		wantCanonical string
		wantSTS       string
	}{
		{name: "ok/B.1 header auth", build: headerReq(katAccessKeyID, "", b1Sig), sig: b1Sig,
			wantKeyID: katAccessKeyID, wantCanonical: b1Canonical, wantSTS: b1StringToSign},
		{name: "ok/B.2 security token", build: headerReq(katTempKeyID, katToken, b2Sig), sig: b2Sig,
			wantKeyID: katTempKeyID, wantToken: katToken},
		{name: "ok/B.3 presigned GET", build: presigned(b3Sig), sig: b3Sig,
			wantKeyID: katAccessKeyID, wantPresigned: true, wantCanonical: b3Canonical},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.build()
			req := mustParse(t, r, body)
			if req.AccessKeyID != tt.wantKeyID || req.SecurityToken != tt.wantToken || req.Presigned != tt.wantPresigned {
				t.Errorf("got key %q token %q presigned %v", req.AccessKeyID, req.SecurityToken, req.Presigned)
			}
			if req.Date != "20260102" || req.Region != "us-east-1" || req.Service != "sts" || !req.Time.Equal(katTime) {
				t.Errorf("got scope %s/%s/%s time %v", req.Date, req.Region, req.Service, req.Time)
			}
			if tt.wantCanonical != "" && req.CanonicalRequest() != tt.wantCanonical {
				t.Errorf("canonical request:\n%s\nwant:\n%s", req.CanonicalRequest(), tt.wantCanonical)
			}
			if tt.wantSTS != "" && req.StringToSign() != tt.wantSTS {
				t.Errorf("string to sign:\n%s\nwant:\n%s", req.StringToSign(), tt.wantSTS)
			}
			for _, v := range []*Verifier{NewVerifier(0), NewVerifier(16)} {
				if err := v.Verify(req, katSecret); err != nil {
					t.Errorf("Verify: %v", err)
				}
				if err := v.Verify(req, katSecret+"x"); !errors.Is(err, ErrSignatureMismatch) {
					t.Errorf("Verify with wrong secret: got %v, want ErrSignatureMismatch", err)
				}
			}
			if err := req.CheckTime(katTime.Add(14 * time.Minute)); err != nil {
				t.Errorf("CheckTime: %v", err)
			}
			if err := req.CheckService("sts"); err != nil {
				t.Errorf("CheckService: %v", err)
			}
		})
	}

	// A one-bit change anywhere in the signature must not verify.
	for _, tt := range tests {
		for _, i := range []int{0, 31, 63} {
			t.Run("fail/"+tt.name+"/bit flipped", func(t *testing.T) {
				r, body := tt.build()
				bad := flipHex(tt.sig, i)
				if bad == tt.sig {
					t.Fatal("flipHex did not change the signature")
				}
				if tt.wantPresigned {
					r.URL.RawQuery = strings.Replace(r.URL.RawQuery, tt.sig, bad, 1)
				} else {
					r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), tt.sig, bad, 1))
				}
				req := mustParse(t, r, body)
				if err := NewVerifier(16).Verify(req, katSecret); !errors.Is(err, ErrSignatureMismatch) {
					t.Errorf("got %v, want ErrSignatureMismatch", err)
				}
			})
		}
	}
}
