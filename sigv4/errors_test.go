package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// authReq builds a server-side request with the given Authorization header
// (if any), extra headers and query string.
func authReq(method, target, auth string, headers ...string) *http.Request {
	r := httptest.NewRequest(method, "https://sts.amazonaws.com"+target, nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

const (
	goodCred   = "AKIAIOSFODNN7EXAMPLE/20260102/us-east-1/sts/aws4_request"
	goodSig    = "dcbb1d6c3c5acb72d434639caa0c034537ceaa022bdfbeed3b761b00c8c1d731"
	goodAuth   = "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host;x-amz-date, Signature=" + goodSig
	goodDate   = "20260102T030405Z"
	presignQ   = "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260102%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20260102T030405Z&X-Amz-SignedHeaders=host&X-Amz-Signature=" + goodSig
	presignNoE = presignQ
)

func TestParse_Errors(t *testing.T) {
	long := strings.Repeat("a", 9000)
	manySigned := "host" + strings.Repeat(";x-a", 64)
	tests := []struct {
		name    string
		req     *http.Request
		wantErr error  // sentinel, or nil to require a typed error
		want    string // exact Message of *IncompleteError / *MismatchError
		mis     bool   // want *MismatchError rather than *IncompleteError
	}{
		{name: "fail/no authentication", req: authReq("POST", "/", ""), wantErr: ErrMissingAuthentication},
		{name: "fail/basic auth header", req: authReq("POST", "/", "Basic dXNlcjpwYXNz"), wantErr: ErrMissingAuthentication},
		{name: "fail/signature only in query", req: authReq("GET", "/?X-Amz-Signature="+goodSig, ""), wantErr: ErrMissingAuthentication},
		{name: "fail/both header and query", req: authReq("GET", presignQ, goodAuth, "X-Amz-Date", goodDate),
			want: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{name: "fail/algorithm only", req: authReq("POST", "/", "AWS4-HMAC-SHA256"),
			want: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-HMAC-SHA256"},
		{name: "fail/credential only", req: authReq("POST", "/", "AWS4-HMAC-SHA256 Credential=ABCDEF", "X-Amz-Date", goodDate),
			want: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF"},
		{name: "fail/no date", req: authReq("POST", "/", goodAuth),
			want: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + goodAuth},
		{name: "fail/empty signature", req: authReq("POST", "/", "AWS4-HMAC-SHA256 Credential="+goodCred+",SignedHeaders=host,Signature=", "X-Amz-Date", goodDate),
			want: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=" + goodCred + ",SignedHeaders=host,Signature="},
		{name: "fail/missing equal sign", req: authReq("POST", "/", "AWS4-HMAC-SHA256 Credential= "+goodCred+", SignedHeaders=host, Signature="+goodSig, "X-Amz-Date", goodDate),
			want: "'" + goodCred + "' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= " + goodCred + ", SignedHeaders=host, Signature=" + goodSig + "'."},
		{name: "fail/bad x-amz-date", req: authReq("POST", "/", goodAuth, "X-Amz-Date", "2026-01-02T03:04:05Z"),
			want: "Date must be in ISO-8601 'basic format'. Got '2026-01-02T03:04:05Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "fail/bad x-amz-date hour", req: authReq("POST", "/", goodAuth, "X-Amz-Date", "20260102T250405Z"),
			want: "Date must be in ISO-8601 'basic format'. Got '20260102T250405Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "fail/bad date header", req: authReq("POST", "/", goodAuth, "Date", "yesterday"),
			want: "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "fail/host not signed", req: authReq("POST", "/", strings.Replace(goodAuth, "host;", "", 1), "X-Amz-Date", goodDate),
			want: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", mis: true},
		{name: "fail/empty signed headers", req: authReq("POST", "/", strings.Replace(goodAuth, "host;x-amz-date", "", 1), "X-Amz-Date", goodDate),
			want: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", mis: true},
		{name: "fail/unsupported algorithm", req: authReq("POST", "/", strings.Replace(goodAuth, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1), "X-Amz-Date", goodDate),
			want: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "},
		{name: "fail/credential of 4 parts", req: authReq("POST", "/", strings.Replace(goodAuth, "/aws4_request", "", 1), "X-Amz-Date", goodDate),
			want: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAIOSFODNN7EXAMPLE/20260102/us-east-1/sts'"},
		{name: "fail/credential of 6 parts", req: authReq("POST", "/", strings.Replace(goodAuth, "/aws4_request", "/aws4_request/x", 1), "X-Amz-Date", goodDate),
			want: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + goodCred + "/x'"},
		{name: "fail/credential without slash", req: authReq("POST", "/", strings.Replace(goodAuth, goodCred, "AKIDEXAMPLE", 1), "X-Amz-Date", goodDate),
			want: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE'"},
		{name: "fail/query credential only", req: authReq("GET", "/?X-Amz-Credential="+goodCred, ""),
			want: "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{name: "fail/query algorithm only", req: authReq("GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256", ""),
			want: "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{name: "fail/query bad date", req: authReq("GET", strings.Replace(presignQ, goodDate, "20260102", 1), ""),
			want: "Date must be in ISO-8601 'basic format'. Got '20260102'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "fail/query unsupported algorithm", req: authReq("GET", strings.Replace(presignQ, "HMAC-SHA256", "HMAC-SHA1", 1), ""),
			want: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). "},
		{name: "fail/query host not signed", req: authReq("GET", strings.Replace(presignQ, "SignedHeaders=host", "SignedHeaders=x-k8s-aws-id", 1), ""),
			want: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", mis: true},
		{name: "fail/expires not a number", req: authReq("GET", presignQ+"&X-Amz-Expires=1h", ""), want: "X-Amz-Expires should be a number"},
		{name: "fail/expires negative", req: authReq("GET", presignQ+"&X-Amz-Expires=-1", ""), want: "X-Amz-Expires must be non-negative"},
		{name: "fail/expires over a week", req: authReq("GET", presignQ+"&X-Amz-Expires=604801", ""),
			want: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "fail/expires huge", req: authReq("GET", presignQ+"&X-Amz-Expires=99999999999999999999999", ""),
			want: "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{name: "fail/bad query escape", req: authReq("GET", "/?Action=%zzGetCallerIdentity", goodAuth, "X-Amz-Date", goodDate),
			want: "Illegal hex character in escape % pattern: %zz"},
		{name: "fail/truncated query escape", req: authReq("GET", "/?Action=GetCallerIdentity%4", goodAuth, "X-Amz-Date", goodDate),
			want: "Illegal hex character in escape % pattern: %4"},
		{name: "fail/authorization too long", req: authReq("POST", "/", goodAuth+", X="+long, "X-Amz-Date", goodDate),
			want: "Authorization header exceeds 8192 bytes."},
		{name: "fail/too many signed headers", req: authReq("POST", "/", strings.Replace(goodAuth, "host;x-amz-date", manySigned, 1), "X-Amz-Date", goodDate),
			want: "SignedHeaders lists more than 64 headers."},
		{name: "fail/signed header too long", req: authReq("POST", "/", strings.Replace(goodAuth, "host;", "host;x-big;", 1), "X-Amz-Date", goodDate, "X-Big", long),
			want: "Value of signed header 'x-big' exceeds 8192 bytes."},
		{name: "fail/query too long", req: authReq("GET", "/?a="+strings.Repeat("b", maxQueryBytes), goodAuth, "X-Amz-Date", goodDate),
			want: "Query string exceeds 262144 bytes or 1000 parameters."},
		{name: "fail/too many query params", req: authReq("GET", "/?"+strings.Repeat("a=b&", maxQueryParams)+"a=b", goodAuth, "X-Amz-Date", goodDate),
			want: "Query string exceeds 262144 bytes or 1000 parameters."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Parse(tt.req, nil)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", req)
			}
			if req != nil {
				t.Errorf("Parse returned a request with an error")
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				return
			}
			var got string
			var ie *IncompleteError
			var me *MismatchError
			switch {
			case errors.As(err, &ie) && !tt.mis:
				got = ie.Message
			case errors.As(err, &me) && tt.mis:
				got = me.Message
				if !errors.Is(err, ErrSignatureMismatch) {
					t.Errorf("*MismatchError is not ErrSignatureMismatch")
				}
			default:
				t.Fatalf("got %T %v, want *IncompleteError=%v", err, err, !tt.mis)
			}
			if got != tt.want {
				t.Errorf("message:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Messages that echo the Authorization header keep it out of Error(), which
// is what gets logged.
func TestIncompleteError_ErrorOmitsHeader(t *testing.T) {
	for _, auth := range []string{
		"AWS4-HMAC-SHA256 Credential=" + goodCred + ", Signature=" + goodSig,
		"AWS4-HMAC-SHA256 Credential= " + goodCred + ", SignedHeaders=host, Signature=" + goodSig,
		"AWS4-HMAC-SHA256 Signature=" + goodSig + ", Authorization=x Foo", // "Authorization=" inside the echo
	} {
		_, err := Parse(authReq("POST", "/", auth, "X-Amz-Date", goodDate), nil)
		var ie *IncompleteError
		if !errors.As(err, &ie) {
			t.Fatalf("got %v", err)
		}
		if !strings.Contains(ie.Message, goodSig) {
			t.Errorf("Message %q does not echo the header as AWS does", ie.Message)
		}
		if strings.Contains(err.Error(), goodSig) {
			t.Errorf("Error() %q echoes the Authorization header", err.Error())
		}
	}
}

func TestCheckService(t *testing.T) {
	sign := func(cred, date string) *Request {
		r := authReq("POST", "/", "AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=host;x-amz-date, Signature="+goodSig, "X-Amz-Date", date)
		return mustParse(t, r, nil)
	}
	tests := []struct {
		name    string
		cred    string
		allowed []string
		want    string // "" for success
	}{
		{name: "ok/sts", cred: goodCred, allowed: []string{"sts"}},
		{name: "ok/iam on shared listener", cred: "AKID/20260102/us-east-1/iam/aws4_request", allowed: []string{"sts", "iam"}},
		{name: "ok/any region", cred: "AKID/20260102/my-private-cloud-7/sts/aws4_request", allowed: []string{"sts"}},
		{name: "ok/no service check", cred: "AKID/20260102/us-east-1/s3/aws4_request"},
		{name: "fail/wrong service", cred: "AKID/20260102/us-east-1/s3/aws4_request", allowed: []string{"sts", "iam"},
			want: "Credential should be scoped to correct service: 'sts'. "},
		{name: "fail/upper-case region", cred: "AKID/20260102/US-EAST-1/sts/aws4_request", allowed: []string{"sts"},
			want: "Credential should be scoped to a valid region, not 'US-EAST-1'. "},
		{name: "fail/empty region", cred: "AKID/20260102//sts/aws4_request", allowed: []string{"sts"},
			want: "Credential should be scoped to a valid region. "},
		{name: "fail/terminator", cred: "AKID/20260102/us-east-1/sts/aws5_request", allowed: []string{"sts"},
			want: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{name: "fail/scope date", cred: "AKID/20260101/us-east-1/sts/aws4_request", allowed: []string{"sts"},
			want: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260101' != '20260102', from '20260102T030405Z'."},
		{name: "fail/everything, in AWS's order", cred: "AKID/b/c_/d/e", allowed: []string{"sts"},
			want: "Credential should be scoped to a valid region, not 'c_'. Credential should be scoped to correct service: 'sts'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20260102', from '20260102T030405Z'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := sign(tt.cred, goodDate)
			err := req.CheckService(tt.allowed...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckService: %v", err)
				}
				return
			}
			var me *MismatchError
			if !errors.As(err, &me) || !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("got %v, want *MismatchError", err)
			}
			if me.Message != tt.want {
				t.Errorf("message:\n got %q\nwant %q", me.Message, tt.want)
			}
			// Verify refuses the same scope problems (the service aside).
			verr := NewVerifier(0).Verify(req, katSecret)
			if !errors.Is(verr, ErrSignatureMismatch) {
				t.Errorf("Verify: got %v, want ErrSignatureMismatch", verr)
			}
		})
	}
	// The scope date is compared with the Date header when there is no X-Amz-Date.
	r := authReq("POST", "/", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=date;host, Signature="+goodSig,
		"Date", "Fri, 02 Jan 2026 03:04:05 GMT")
	err := mustParse(t, r, nil).CheckService("sts")
	want := "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260101' != '20260102', from '20260102T030405Z'."
	var me *MismatchError
	if !errors.As(err, &me) || me.Message != want {
		t.Errorf("Date header scope: got %v, want %q", err, want)
	}
}

func TestCheckTime(t *testing.T) {
	header := mustParse(t, authReq("POST", "/", goodAuth, "X-Amz-Date", goodDate), nil)
	presigned := mustParse(t, authReq("GET", presignQ+"&X-Amz-Expires=60", ""), nil)
	if presigned.Expires != time.Minute {
		t.Fatalf("Expires = %v", presigned.Expires)
	}
	tests := []struct {
		name string
		now  time.Duration // server time minus request time
		want string        // "" for success
	}{
		{name: "ok/same time", now: 0},
		{name: "ok/14 min later (X-Amz-Expires=60 is not enforced)", now: 14 * time.Minute},
		{name: "ok/exactly +15:00", now: 15 * time.Minute},
		{name: "ok/+15:00 and a fraction of a second", now: 15*time.Minute + 999*time.Millisecond},
		{name: "ok/exactly -15:00", now: -15 * time.Minute},
		{name: "fail/+15:01", now: 15*time.Minute + time.Second,
			want: "Signature expired: 20260102T030405Z is now earlier than 20260102T030406Z (20260102T031906Z - 15 min.)"},
		{name: "fail/-15:01", now: -15*time.Minute - time.Second,
			want: "Signature not yet current: 20260102T030405Z is still later than 20260102T030404Z (20260102T024904Z + 15 min.)"},
		{name: "fail/a day later", now: 24 * time.Hour,
			want: "Signature expired: 20260102T030405Z is now earlier than 20260103T024905Z (20260103T030405Z - 15 min.)"},
	}
	for _, tt := range tests {
		for _, req := range []*Request{header, presigned} {
			name := tt.name
			if req.Presigned {
				name += "/presigned"
			}
			t.Run(name, func(t *testing.T) {
				now := katTime.Add(tt.now).In(time.FixedZone("UTC+5", 5*3600))
				err := req.CheckTime(now)
				if tt.want == "" {
					if err != nil {
						t.Fatalf("CheckTime: %v", err)
					}
					return
				}
				var me *MismatchError
				if !errors.As(err, &me) || !errors.Is(err, ErrSignatureMismatch) {
					t.Fatalf("got %v, want *MismatchError", err)
				}
				if me.Message != tt.want {
					t.Errorf("message:\n got %q\nwant %q", me.Message, tt.want)
				}
			})
		}
	}
}

func TestParse_Accepts(t *testing.T) {
	tests := []struct {
		name  string
		req   *http.Request
		check func(t *testing.T, r *Request)
	}{
		{name: "ok/credential with trailing slash", req: authReq("POST", "/", strings.Replace(goodAuth, "aws4_request", "aws4_request//", 1), "X-Amz-Date", goodDate),
			check: func(t *testing.T, r *Request) {
				if r.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" || r.terminator != "aws4_request" {
					t.Errorf("got %q %q", r.AccessKeyID, r.terminator)
				}
			}},
		{name: "ok/components without spaces", req: authReq("POST", "/", strings.ReplaceAll(goodAuth, ", ", ","), "X-Amz-Date", goodDate),
			check: func(t *testing.T, r *Request) {
				if len(r.SignedHeaders) != 2 || r.SignedHeaders[0] != "host" || r.SignedHeaders[1] != "x-amz-date" {
					t.Errorf("SignedHeaders %q", r.SignedHeaders)
				}
			}},
		{name: "ok/Date header only", req: authReq("POST", "/", goodAuth, "Date", "Fri, 02 Jan 2026 03:04:05 GMT"),
			check: func(t *testing.T, r *Request) {
				if !r.Time.Equal(katTime) || r.amzDate != goodDate {
					t.Errorf("time %v amzDate %q", r.Time, r.amzDate)
				}
			}},
		{name: "ok/X-Amz-Date wins over Date", req: authReq("POST", "/", goodAuth, "Date", "Sat, 03 Jan 2026 03:04:05 GMT", "X-Amz-Date", goodDate),
			check: func(t *testing.T, r *Request) {
				if !r.Time.Equal(katTime) {
					t.Errorf("time %v", r.Time)
				}
			}},
		{name: "ok/presigned without X-Amz-Expires", req: authReq("GET", presignNoE, ""),
			check: func(t *testing.T, r *Request) {
				if !r.Presigned || r.Expires != 0 {
					t.Errorf("presigned %v expires %v", r.Presigned, r.Expires)
				}
			}},
		{name: "ok/expires of a week", req: authReq("GET", presignQ+"&X-Amz-Expires=604800", ""),
			check: func(t *testing.T, r *Request) {
				if r.Expires != 7*24*time.Hour {
					t.Errorf("expires %v", r.Expires)
				}
			}},
		{name: "ok/upper-case signature is parsed, then mismatches", req: authReq("POST", "/", strings.Replace(goodAuth, goodSig, strings.ToUpper(goodSig), 1), "X-Amz-Date", goodDate),
			check: func(t *testing.T, r *Request) {
				if err := NewVerifier(0).Verify(r, katSecret); !errors.Is(err, ErrSignatureMismatch) {
					t.Errorf("Verify: got %v", err)
				}
			}},
		{name: "ok/short signature is parsed, then mismatches", req: authReq("POST", "/", strings.Replace(goodAuth, goodSig, "abcd", 1), "X-Amz-Date", goodDate),
			check: func(t *testing.T, r *Request) {
				if err := NewVerifier(0).Verify(r, katSecret); !errors.Is(err, ErrSignatureMismatch) {
					t.Errorf("Verify: got %v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParse(t, tt.req, nil))
		})
	}
}

// X-Amz-Content-SHA256, when present, is the payload hash and must match the
// body; UNSIGNED-PAYLOAD is accepted for an empty body only.
func TestVerify_DeclaredPayloadHash(t *testing.T) {
	body := []byte(katBody)
	bodyHash := hexSHA256(body)
	tests := []struct {
		name     string
		declared string
		body     []byte
		ok       bool
	}{
		{name: "ok/matching hash", declared: string(bodyHash[:]), body: body, ok: true},
		{name: "ok/matching hash in upper case", declared: strings.ToUpper(string(bodyHash[:])), body: body, ok: true},
		{name: "ok/unsigned payload with empty body", declared: unsignedPayload, ok: true},
		{name: "fail/hash of another body", declared: emptySHA256, body: body},
		{name: "fail/unsigned payload with a body", declared: unsignedPayload, body: body},
		{name: "fail/garbage", declared: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", body: body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "https://sts.amazonaws.com/", nil)
			r.Header.Set("X-Amz-Content-SHA256", tt.declared)
			if err := Sign(r, tt.body, xAccessKeyID, xSecret, "", "us-east-1", "sts", katTime); err != nil {
				t.Fatal(err)
			}
			req := mustParse(t, r, tt.body)
			if !strings.HasSuffix(req.CanonicalRequest(), "\n"+tt.declared) {
				t.Errorf("canonical request does not end with the declared hash:\n%s", req.CanonicalRequest())
			}
			err := NewVerifier(0).Verify(req, xSecret)
			if tt.ok && err != nil {
				t.Errorf("Verify: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrSignatureMismatch) {
				t.Errorf("Verify: got %v, want ErrSignatureMismatch", err)
			}
		})
	}
}
