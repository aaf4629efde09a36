package e2e

import (
	"strings"
	"testing"
	"time"

	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/request"
	iamv1 "github.com/aws/aws-sdk-go/service/iam"
	stsv1 "github.com/aws/aws-sdk-go/service/sts"
)

// v1Code returns the AWS error code of a v1 error.
func v1Code(t *testing.T, err error) (string, string) {
	t.Helper()
	ae, ok := err.(awserr.Error)
	if !ok {
		t.Fatalf("error %v (%T) is not an awserr.Error", err, err)
	}
	return ae.Code(), ae.Message()
}

// The seeds are aws-sdk-go (v1) reference pages: the same flow with that SDK.
func TestSTS_v1_QuickStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.mustUser("alice")
	svc := stsv1.New(e.v1(alice))
	out, err := svc.GetSessionToken(&stsv1.GetSessionTokenInput{DurationSeconds: awsv1.Int64(900)})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	if !temporaryKeyShape.MatchString(*out.Credentials.AccessKeyId) {
		t.Fatalf("AccessKeyId %s", *out.Credentials.AccessKeyId)
	}
	if !near(*out.Credentials.Expiration, e.clock.Now().Add(900*time.Second), 5*time.Second) {
		t.Fatalf("Expiration %v (v1 parses the timestamp strictly)", *out.Credentials.Expiration)
	}
	temp := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
	id, err := stsv1.New(e.v1(temp)).GetCallerIdentity(&stsv1.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if !strings.HasSuffix(*id.Arn, ":user/alice") || *id.Account != e.node.Root.AccountID {
		t.Fatalf("identity %s %s", *id.Arn, *id.Account)
	}

	fed, err := stsv1.New(e.v1(e.root)).GetFederationToken(&stsv1.GetFederationTokenInput{Name: awsv1.String("Bob"), Policy: awsv1.String(allowAllS3)})
	if err != nil {
		t.Fatalf("GetFederationToken: %v", err)
	}
	if *fed.FederatedUser.Arn != "arn:aws:sts::"+e.node.Root.AccountID+":federated-user/Bob" || *fed.PackedPolicySize < 1 {
		t.Fatalf("federated user %s, packed %d", *fed.FederatedUser.Arn, *fed.PackedPolicySize)
	}
	if !near(*fed.Credentials.Expiration, e.clock.Now().Add(time.Hour), 5*time.Second) {
		t.Fatalf("root federation session lasts until %v, want the 1 h cap", *fed.Credentials.Expiration)
	}
}

// The seeds' struct tags (min:"900", min:"9", min:"6", min:"2",
// required:"true", min:"1") are checked by v1's Validate before sending; the
// server enforces the same bounds and the ones the tags cannot express
// (maximums, patterns) when validation is bypassed.
func TestSTS_v1_ValidateAndServerAgree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.mustUser("alice")
	client := stsv1.New(e.v1(alice))
	raw := stsv1.New(e.v1(alice))
	raw.Handlers.Validate.Clear()

	type call struct {
		name      string
		do        func(*stsv1.STS) error
		clientErr bool // v1's Validate refuses it
		serverMsg string
	}
	cases := []call{
		{"GetSessionToken DurationSeconds 899", func(s *stsv1.STS) error {
			_, err := s.GetSessionToken(&stsv1.GetSessionTokenInput{DurationSeconds: awsv1.Int64(899)})
			return err
		}, true, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"GetSessionToken SerialNumber 8 chars", func(s *stsv1.STS) error {
			_, err := s.GetSessionToken(&stsv1.GetSessionTokenInput{SerialNumber: awsv1.String("GAHT1234"), TokenCode: awsv1.String("123456")})
			return err
		}, true, "1 validation error detected: Value 'GAHT1234' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9"},
		{"GetSessionToken TokenCode 5 digits", func(s *stsv1.STS) error {
			_, err := s.GetSessionToken(&stsv1.GetSessionTokenInput{SerialNumber: awsv1.String("GAHT12345678"), TokenCode: awsv1.String("12345")})
			return err
		}, true, "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{"GetSessionToken DurationSeconds 129601", func(s *stsv1.STS) error {
			_, err := s.GetSessionToken(&stsv1.GetSessionTokenInput{DurationSeconds: awsv1.Int64(129601)})
			return err
		}, false, "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"},
		{"GetFederationToken without Name", func(s *stsv1.STS) error {
			_, err := s.GetFederationToken(&stsv1.GetFederationTokenInput{})
			return err
		}, true, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"GetFederationToken Name 1 char", func(s *stsv1.STS) error {
			_, err := s.GetFederationToken(&stsv1.GetFederationTokenInput{Name: awsv1.String("B")})
			return err
		}, true, "1 validation error detected: Value 'B' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"GetFederationToken empty Policy", func(s *stsv1.STS) error {
			_, err := s.GetFederationToken(&stsv1.GetFederationTokenInput{Name: awsv1.String("Bob"), Policy: awsv1.String("")})
			return err
		}, true, "2 validation errors detected: Value '' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+; Value '' at 'policy' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"GetFederationToken DurationSeconds 899", func(s *stsv1.STS) error {
			_, err := s.GetFederationToken(&stsv1.GetFederationTokenInput{Name: awsv1.String("Bob"), DurationSeconds: awsv1.Int64(899)})
			return err
		}, true, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do(client)
			if tc.clientErr {
				code, _ := v1Code(t, err)
				if code != request.InvalidParameterErrCode {
					t.Fatalf("v1 Validate: code %s, want %s", code, request.InvalidParameterErrCode)
				}
			}
			code, msg := v1Code(t, tc.do(raw))
			if code != "ValidationError" || msg != tc.serverMsg {
				t.Fatalf("server: %s %q, want ValidationError %q", code, msg, tc.serverMsg)
			}
		})
	}
}

func TestSTS_v1_Errors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client := stsv1.New(e.v1(e.root))
	_, err := client.GetFederationToken(&stsv1.GetFederationTokenInput{Name: awsv1.String("Bob"), Policy: awsv1.String("{not json")})
	if code, _ := v1Code(t, err); code != stsv1.ErrCodeMalformedPolicyDocumentException {
		t.Fatalf("code %s, want %s", code, stsv1.ErrCodeMalformedPolicyDocumentException)
	}
	_, err = iamv1.New(e.v1(e.root)).GetUser(&iamv1.GetUserInput{UserName: awsv1.String("nobody")})
	if code, msg := v1Code(t, err); code != iamv1.ErrCodeNoSuchEntityException || msg != "The user with name nobody cannot be found." {
		t.Fatalf("GetUser: %s %q", code, msg)
	}
	bad := e.root
	bad.SecretAccessKey = strings.Repeat("y", 40)
	_, err = stsv1.New(e.v1(bad)).GetCallerIdentity(&stsv1.GetCallerIdentityInput{})
	if code, _ := v1Code(t, err); code != "SignatureDoesNotMatch" {
		t.Fatalf("code %s, want SignatureDoesNotMatch", code)
	}
}
