package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/opensts/opensts"
)

func TestIsSecretKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"secretAccessKey", true},
		{"SecretAccessKey", true},
		{"secret_access_key", true},
		{"SECRET-ACCESS-KEY", true},
		{"sessionToken", true},
		{"SessionToken", true},
		{"tokenCode", true},
		{"TokenCode", true},
		{"authenticationCode1", true},
		{"AuthenticationCode2", true},
		{"base32StringSeed", true},
		{"qRCodePNG", true},
		{"qrCodePNG", true},
		{"QRCodePNG", true},
		{"password", true},
		{"Password", true},
		{"newPassword", true},
		{"oldPassword", true},
		{"servicePassword", true},
		{"privateKey", true},
		{"X-Amz-Security-Token", true},
		{"webIdentityToken", true},
		{"SAMLAssertion", true},
		{"policyDocument", false},
		{"policy", false},
		{"accessKeyId", false},
		{"serialNumber", false},
		{"durationSeconds", false},
		{"userName", false},
		{"passwordLastUsed", false},
		{"sessionTokenLength", false},
		{"", false},
		{strings.Repeat("password", 10), false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := isSecretKey(tt.key); got != tt.want {
				t.Errorf("isSecretKey(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

// credentials is how a careless caller might pass an SDK-like struct.
type credentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
}

// TestLog_NeverWritesSecrets records events carrying every secret-named
// member at several depths and in every container type the Log accepts,
// then greps the file's bytes (and the Log's own log output) for every
// secret value.
func TestLog_NeverWritesSecrets(t *testing.T) {
	names := []string{
		"secretAccessKey", "sessionToken", "tokenCode", "authenticationCode1",
		"authenticationCode2", "base32StringSeed", "qRCodePNG", "qrCodePNG", "password",
		"SecretAccessKey", "SessionToken", "TokenCode", "QRCodePNG", "Password",
		"session_token", "X-Amz-Security-Token", "newPassword", "oldPassword",
	}
	var secrets []string
	n := 0
	secret := func() string {
		n++
		s := fmt.Sprintf("S3CR3T%04dVALUE", n)
		secrets = append(secrets, s)
		return s
	}
	// allowed are values under harmless names that must survive.
	allowed := []string{"ALLOWED-POLICY-DOC", "ALLOWED-SERIAL", "ASIAALLOWEDKEYID", "ALLOWED-DEEP"}

	// withSecrets returns a map holding every secret name, plus nested
	// containers holding them again, down to depth.
	var withSecrets func(depth int) map[string]any
	withSecrets = func(depth int) map[string]any {
		m := map[string]any{"policyDocument": "ALLOWED-POLICY-DOC", "serialNumber": "ALLOWED-SERIAL"}
		for _, name := range names {
			m[name] = secret()
		}
		if depth > 0 {
			m["nested"] = withSecrets(depth - 1)
			m["list"] = []any{withSecrets(depth - 1), "ALLOWED-DEEP", []any{withSecrets(depth - 1)}}
			m["maps"] = []map[string]any{withSecrets(depth - 1)}
			m["strings"] = map[string]string{"tokenCode": secret(), "SessionToken": secret(), "kept": "ALLOWED-DEEP"}
			m["struct"] = credentials{AccessKeyID: "ASIAALLOWEDKEYID", SecretAccessKey: secret(), SessionToken: secret()}
			m["pointer"] = &credentials{SecretAccessKey: secret(), SessionToken: secret()}
			m["raw"] = json.RawMessage(fmt.Sprintf(`{"password":%q,"deeper":{"secretAccessKey":%q}}`, secret(), secret()))
		}
		return m
	}

	events := []opensts.Event{
		{Name: "GetSessionToken", RequestParameters: withSecrets(0), ResponseElements: withSecrets(0)},
		{Name: "GetFederationToken", RequestParameters: withSecrets(1), ResponseElements: withSecrets(2)},
		{Name: "CreateVirtualMFADevice", ResponseElements: map[string]any{
			"virtualMFADevice": map[string]any{"serialNumber": "ALLOWED-SERIAL", "base32StringSeed": secret(), "qRCodePNG": secret()},
		}},
		{Name: "CreateAccessKey", ResponseElements: map[string]any{
			"accessKey": map[string]any{"accessKeyId": "ASIAALLOWEDKEYID", "secretAccessKey": secret()},
		}},
		{Name: "EnableMFADevice", RequestParameters: map[string]any{
			"serialNumber": "ALLOWED-SERIAL", "authenticationCode1": secret(), "authenticationCode2": secret(),
		}},
		{Name: "CreateLoginProfile", RequestParameters: withSecrets(3)},
	}
	// Keep copies to prove the caller's maps are not modified.
	before := make([]string, len(events))
	for i, e := range events {
		before[i] = fmt.Sprint(e.RequestParameters, e.ResponseElements)
	}

	for _, sync := range []bool{false, true} {
		t.Run(fmt.Sprintf("sync=%v", sync), func(t *testing.T) {
			logger, logs := newLogger()
			path := tempPath(t)
			l := mustOpen(t, Config{Path: path, Sync: sync, Logger: logger}, nil)
			for _, e := range events {
				e.Time = day1
				l.Record(t.Context(), e)
			}
			mustClose(t, l)
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(secrets) < 100 {
				t.Fatalf("only %d secrets generated; the test lost its coverage", len(secrets))
			}
			for _, s := range secrets {
				if bytes.Contains(file, []byte(s)) {
					t.Errorf("audit file contains secret %s", s)
				}
				if strings.Contains(logs.String(), s) {
					t.Errorf("log output contains secret %s", s)
				}
			}
			for _, a := range allowed {
				if !bytes.Contains(file, []byte(a)) {
					t.Errorf("audit file lacks allowed value %s", a)
				}
			}
			for _, name := range names {
				if bytes.Contains(file, []byte(`"`+name+`"`)) {
					t.Errorf("audit file contains member %q", name)
				}
			}
			if got := len(mustScan(t, path, Filter{})); got != len(events) {
				t.Errorf("scanned %d records, want %d", got, len(events))
			}
			if !strings.Contains(logs.String(), "carried a secret-named member") {
				t.Error("no warning logged about dropped members")
			}
		})
	}
	for i, e := range events {
		if diff := cmp.Diff(before[i], fmt.Sprint(e.RequestParameters, e.ResponseElements)); diff != "" {
			t.Errorf("event %d modified (-before +after):\n%s", i, diff)
		}
	}
}

// flatObject is an opensts.AuditObject of string members, written in
// sorted order, honouring secret.
type flatObject map[string]string

func (o flatObject) AppendJSON(b []byte, secret func(string) bool) ([]byte, string) {
	names := slices.Sorted(maps.Keys(o))
	dropped := ""
	b = append(b, '{')
	first := true
	for _, k := range names {
		if secret(k) {
			if dropped == "" {
				dropped = k
			}
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = fmt.Appendf(b, "%q:%q", k, o[k])
	}
	return append(b, '}'), dropped
}

// Payload objects are written in place of the maps, are asked about every
// secret name, and a member they left out is warned about; an event
// without an id gets a fresh one.
func TestLog_AuditObjects(t *testing.T) {
	logger, logs := newLogger()
	path := tempPath(t)
	l := mustOpen(t, Config{Path: path, Logger: logger}, nil)
	l.Record(t.Context(), opensts.Event{
		Time: day1, Name: "GetSessionToken",
		RequestParameters: map[string]any{"ignored": "map"},
		RequestObject:     flatObject{"durationSeconds": "900", "tokenCode": "S3CR3T-CODE"},
		ResponseObject:    flatObject{"expiration": "2026-01-02T03:04:05Z", "sessionToken": "S3CR3T-TOKEN"},
	})
	l.Record(t.Context(), opensts.Event{Time: day1, Name: "GetCallerIdentity"})
	mustClose(t, l)
	recs := mustScan(t, path, Filter{})
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if d := cmp.Diff(map[string]any{"durationSeconds": "900"}, recs[0].RequestParameters); d != "" {
		t.Errorf("requestParameters (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]any{"expiration": "2026-01-02T03:04:05Z"}, recs[0].ResponseElements); d != "" {
		t.Errorf("responseElements (-want +got):\n%s", d)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte("S3CR3T")) || strings.Contains(logs.String(), "S3CR3T") {
		t.Error("a secret reached the audit file or the log")
	}
	for _, name := range []string{"tokenCode", "sessionToken"} {
		if !strings.Contains(logs.String(), name) {
			t.Errorf("no warning names the dropped member %s", name)
		}
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !uuid.MatchString(recs[0].EventID) || !uuid.MatchString(recs[1].EventID) || recs[0].EventID == recs[1].EventID {
		t.Errorf("event ids %q and %q: want two distinct version 4 UUIDs", recs[0].EventID, recs[1].EventID)
	}
}
