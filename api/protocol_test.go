package api_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts/sigv4"
)

// Every authentication failure, through raw HTTP (spec §1.5, §5).
func TestProtocol_AuthErrors(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	session := h.mustSession(alice)
	body := sts("GetCallerIdentity").Encode()

	cases := []struct {
		name    string
		send    func() response
		status  int
		code    string
		message string
	}{
		{"fail/no authentication", func() response { return h.send(creds{}, http.MethodPost, body, nil, "sts") },
			403, "MissingAuthenticationToken", "Request is missing Authentication Token"},
		{"fail/unsigned, for an action OpenSTS does not serve", func() response {
			return h.send(creds{}, http.MethodPost, sts("AssumeRoot").Encode(), nil, "sts")
		}, 400, "InvalidAction", "Could not find operation AssumeRoot for version 2011-06-15"},
		{"fail/unsigned, for an IAM action OpenSTS does not serve", func() response {
			return h.send(creds{}, http.MethodPost, iamForm("CreateLoginProfile").Encode(), nil, "iam")
		}, 400, "InvalidAction", "Could not find operation CreateLoginProfile for version 2010-05-08"},
		{"fail/authorization without credential", func() response {
			return h.send(creds{}, http.MethodPost, body, http.Header{"Authorization": {"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"}}, "sts")
		}, 400, "IncompleteSignature", ""},
		{"fail/unknown access key", func() response {
			return h.send(creds{id: "AKIAAAAAAAAAAAAAAAAA", secret: rootSecret}, http.MethodPost, body, nil, "sts")
		}, 403, "InvalidClientTokenId", "The security token included in the request is invalid."},
		{"fail/wrong secret", func() response {
			return h.send(creds{id: rootKeyID, secret: "wrong" + rootSecret[5:]}, http.MethodPost, body, nil, "sts")
		}, 403, "SignatureDoesNotMatch", sigv4.MsgSignatureMismatch},
		{"fail/IAM scope for an STS action", func() response { return h.send(root, http.MethodPost, body, nil, "iam") },
			403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sts'. "},
		{"fail/temporary key without token", func() response {
			return h.send(creds{id: session.id, secret: session.secret}, http.MethodPost, body, nil, "sts")
		}, 403, "InvalidClientTokenId", "The security token included in the request is invalid."},
		{"fail/long-term key with a token", func() response {
			return h.send(creds{id: alice.id, secret: alice.secret, token: session.token}, http.MethodPost, body, nil, "sts")
		}, 403, "InvalidClientTokenId", ""},
		{"fail/truncated token", func() response {
			return h.send(creds{id: session.id, secret: session.secret, token: session.token[:len(session.token)-8]}, http.MethodPost, body, nil, "sts")
		}, 403, "InvalidClientTokenId", ""},
		{"fail/token from a foreign key ring", func() response {
			raw, _ := base64.StdEncoding.DecodeString(session.token)
			raw[1] ^= 0x7f // the key id
			return h.send(creds{id: session.id, secret: session.secret, token: base64.StdEncoding.EncodeToString(raw)}, http.MethodPost, body, nil, "sts")
		}, 403, "InvalidClientTokenId", ""},
		{"fail/token not base64", func() response {
			return h.send(creds{id: session.id, secret: session.secret, token: "not a token!"}, http.MethodPost, body, nil, "sts")
		}, 403, "InvalidClientTokenId", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.send(), tc.status, tc.code, tc.message)
		})
	}

	t.Run("fail/clock skew", func(t *testing.T) {
		h.clock.Advance(15*time.Minute + time.Second)
		defer h.clock.Advance(-15*time.Minute - time.Second)
		r, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		signed := h.clock.Now().Add(-15*time.Minute - time.Second)
		if err := sigv4.Sign(r, []byte(body), rootKeyID, rootSecret, "", "us-east-1", "sts", signed); err != nil {
			t.Fatal(err)
		}
		now := h.clock.Now().UTC()
		msg := "Signature expired: " + signed.UTC().Format("20060102T150405Z") + " is now earlier than " +
			now.Add(-15*time.Minute).Format("20060102T150405Z") + " (" + now.Format("20060102T150405Z") + " - 15 min.)"
		wantError(t, h.roundTrip(r), 403, "SignatureDoesNotMatch", msg)
	})

	t.Run("fail/expired token", func(t *testing.T) {
		short := h.mustSession(alice, "DurationSeconds", "900")
		h.clock.Advance(900 * time.Second)
		defer h.clock.Advance(-900 * time.Second)
		wantError(t, h.do(short, sts("GetCallerIdentity")), 403, "ExpiredToken", "The security token included in the request is expired")
	})

	t.Run("fail/IAM message has no period", func(t *testing.T) {
		r := h.do(creds{id: "AKIAAAAAAAAAAAAAAAAA", secret: rootSecret}, iamForm("ListUsers"))
		wantError(t, r, 403, "InvalidClientTokenId", "The security token included in the request is invalid")
		if !strings.Contains(r.body, `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`) {
			t.Fatalf("IAM error without the IAM namespace: %s", r.body)
		}
	})
}

// Query-protocol decoding rules (spec §1.2–1.3).
func TestProtocol_Decoding(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	life := func(r response) time.Duration {
		t.Helper()
		exp, err := time.Parse("2006-01-02T15:04:05Z", between(r.body, "Expiration"))
		if err != nil {
			t.Fatalf("Expiration in %s: %v", r.body, err)
		}
		return exp.Sub(h.clock.Now().Truncate(time.Second))
	}
	t.Run("ok/plus sign and leading zeros", func(t *testing.T) {
		for _, v := range []string{"+900", "0900", "000000900"} {
			r := h.do(alice, sts("GetSessionToken", "DurationSeconds", v))
			if r.status != 200 || life(r) != 900*time.Second {
				t.Fatalf("DurationSeconds=%s: %d %s", v, r.status, r.body)
			}
		}
	})
	t.Run("fail/a repeated parameter with another value", func(t *testing.T) {
		f := sts("GetSessionToken", "DurationSeconds", "1000", "DurationSeconds", "abc")
		wantError(t, h.do(alice, f), 400, "MalformedInput", "The parameter DurationSeconds appears more than once.")
	})
	t.Run("ok/a repeated parameter with the same value", func(t *testing.T) {
		f := sts("GetSessionToken", "DurationSeconds", "1000", "DurationSeconds", "1000")
		if r := h.do(alice, f); r.status != 200 || life(r) != 1000*time.Second {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("ok/unknown parameters and lower-case names are ignored", func(t *testing.T) {
		f := sts("GetSessionToken", "Bogus", "1", "durationseconds", "abc", "action", "DeleteUser")
		if r := h.do(alice, f); r.status != 200 || life(r) != 43200*time.Second {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	for _, v := range []struct{ value, message string }{
		{"", "missing value for decimal type"},
		{"abc", ""}, {"900.0", ""}, {"2147483648", ""}, {"-2147483649", ""},
	} {
		t.Run("fail/MalformedInput "+v.value, func(t *testing.T) {
			wantError(t, h.do(alice, sts("GetSessionToken", "DurationSeconds", v.value)), 400, "MalformedInput", v.message)
		})
	}
	t.Run("fail/in-range int32 still validated", func(t *testing.T) {
		wantError(t, h.do(alice, sts("GetSessionToken", "DurationSeconds", "-1")), 400, "ValidationError",
			"1 validation error detected: Value '-1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")
	})
	t.Run("ok/content type without charset", func(t *testing.T) {
		body := sts("GetCallerIdentity").Encode()
		r := h.send(root, http.MethodPost, body, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "sts")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("ok/GET with query string", func(t *testing.T) {
		r, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/?"+sts("GetCallerIdentity").Encode(), nil)
		if err := sigv4.Sign(r, nil, rootKeyID, rootSecret, "", "us-east-1", "sts", h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if resp := h.roundTrip(r); resp.status != 200 || between(resp.body, "Arn") != "arn:aws:iam::"+testAccount+":root" {
			t.Fatalf("%d %s", resp.status, resp.body)
		}
	})
	t.Run("ok/any region in the scope", func(t *testing.T) {
		body := sts("GetCallerIdentity").Encode()
		r, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := sigv4.Sign(r, []byte(body), rootKeyID, rootSecret, "", "eu-west-3", "sts", h.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if resp := h.roundTrip(r); resp.status != 200 {
			t.Fatalf("%d %s", resp.status, resp.body)
		}
	})
}

// Action and Version dispatch (spec §1.2).
func TestProtocol_Dispatch(t *testing.T) {
	h := newHarness(t)
	t.Run("fail/unknown action", func(t *testing.T) {
		r := h.do(root, sts("NoSuchAction"))
		wantError(t, r, 400, "InvalidAction", "Could not find operation NoSuchAction for version 2011-06-15")
		if !strings.Contains(r.body, `xmlns="http://webservices.amazon.com/AWSFault/2005-15-09"`) {
			t.Fatalf("InvalidAction namespace: %s", r.body)
		}
	})
	t.Run("fail/IAM action under the STS version", func(t *testing.T) {
		wantError(t, h.do(root, sts("CreateUser", "UserName", "x")), 400, "InvalidAction", "Could not find operation CreateUser for version 2011-06-15")
	})
	t.Run("fail/missing version", func(t *testing.T) {
		f := url.Values{"Action": {"GetCallerIdentity"}}
		wantError(t, h.send(root, http.MethodPost, f.Encode(), nil, "sts"), 400, "InvalidAction",
			"Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED")
	})
	t.Run("fail/unknown version", func(t *testing.T) {
		f := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2000-01-01"}}
		wantError(t, h.send(root, http.MethodPost, f.Encode(), nil, "sts"), 400, "InvalidAction",
			"Could not find operation GetCallerIdentity for version 2000-01-01")
	})
	t.Run("fail/missing action", func(t *testing.T) {
		f := url.Values{"Version": {"2011-06-15"}}
		wantError(t, h.send(root, http.MethodPost, f.Encode(), nil, "sts"), 400, "MissingAction", "")
	})
	t.Run("fail/method", func(t *testing.T) {
		r := h.send(root, http.MethodPut, sts("GetCallerIdentity").Encode(), nil, "sts")
		wantError(t, r, 405, "InvalidHttpRequest", "")
	})
	t.Run("fail/body too large", func(t *testing.T) {
		big := sts("GetCallerIdentity", "Padding", strings.Repeat("x", 2<<20)).Encode()
		wantError(t, h.send(creds{}, http.MethodPost, big, nil, "sts"), 413, "RequestEntityTooLarge", "")
	})
	t.Run("fail/bad percent-encoding", func(t *testing.T) {
		wantError(t, h.send(creds{}, http.MethodPost, "Action=GetCallerIdentity&Version=2011-06-15&x=%zz", nil, "sts"), 404, "MalformedQueryString", "")
	})
	t.Run("ok/JSON error", func(t *testing.T) {
		r := h.send(creds{}, http.MethodPost, sts("GetCallerIdentity").Encode(), http.Header{"Accept": {"application/json"}}, "sts")
		want := `{"Error":{"Code":"MissingAuthenticationToken","Message":"Request is missing Authentication Token","Type":"Sender"},"RequestId":"` + r.header.Get("x-amzn-RequestId") + `"}`
		if r.status != 403 || r.body != want || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
		}
	})
}
