package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	credv1 "github.com/aws/aws-sdk-go/aws/credentials"
	sessionv1 "github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/opensts/opensts/internal/clock"
	"github.com/opensts/opensts/node"
)

// creds are one set of AWS credentials.
type creds struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// env is one OpenSTS node served on a loopback port.
type env struct {
	t     *testing.T
	node  *node.Node
	url   string
	clock *clock.Offset
	root  creds
}

// newEnv starts a node exactly as `opensts server` wires it, on SQLite in a
// temporary directory, with a clock that follows the wall clock (the SDKs
// sign with it) at an offset tests may move.
func newEnv(t *testing.T) *env { return newEnvWith(t, nil) }

// newEnvWith is newEnv with the node's configuration adjusted by configure.
func newEnvWith(t *testing.T, configure func(*node.Config)) *env {
	t.Helper()
	clk := &clock.Offset{}
	cfg := node.Config{
		DataDir:       t.TempDir(),
		Now:           clk.Now,
		Logger:        testLogger(t),
		MetricsOnMain: true,
	}
	if configure != nil {
		configure(&cfg)
	}
	n, err := node.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	srv := httptest.NewServer(n.Handler)
	t.Cleanup(func() {
		srv.Close()
		n.Close()
	})
	if !n.RootCreated {
		t.Fatal("a fresh node did not create the default account")
	}
	return &env{t: t, node: n, url: srv.URL, clock: clk,
		root: creds{AccessKeyID: n.Root.AccessKeyID, SecretAccessKey: n.Root.SecretAccessKey}}
}

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("OPENSTS_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func (e *env) v2Config(c creds) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		BaseEndpoint: aws.String(e.url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// sts returns an aws-sdk-go-v2 STS client for c.
func (e *env) sts(c creds) *sts.Client { return sts.NewFromConfig(e.v2Config(c)) }

// iam returns an aws-sdk-go-v2 IAM client for c.
func (e *env) iam(c creds) *iam.Client { return iam.NewFromConfig(e.v2Config(c)) }

// v1 returns an aws-sdk-go (v1) session for c.
func (e *env) v1(c creds) *sessionv1.Session {
	e.t.Helper()
	s, err := sessionv1.NewSession(&awsv1.Config{
		Region:      awsv1.String("us-east-1"),
		Endpoint:    awsv1.String(e.url),
		Credentials: credv1.NewStaticCredentials(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		MaxRetries:  awsv1.Int(0),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// mustUser creates an IAM user with one access key, through the API as root.
func (e *env) mustUser(name string) creds {
	e.t.Helper()
	ctx := context.Background()
	c := e.iam(e.root)
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		e.t.Fatalf("create user %s: %v", name, err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("create access key for %s: %v", name, err)
	}
	return creds{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
}

// mustPutUserPolicy attaches an inline policy to a user as root.
func (e *env) mustPutUserPolicy(user, name, doc string) {
	e.t.Helper()
	_, err := e.iam(e.root).PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{
		UserName: aws.String(user), PolicyName: aws.String(name), PolicyDocument: aws.String(doc),
	})
	if err != nil {
		e.t.Fatalf("put user policy %s on %s: %v", name, user, err)
	}
}

// mustSession returns GetSessionToken credentials for c.
func (e *env) mustSession(c creds, in *sts.GetSessionTokenInput) creds {
	e.t.Helper()
	if in == nil {
		in = &sts.GetSessionTokenInput{}
	}
	out, err := e.sts(c).GetSessionToken(context.Background(), in)
	if err != nil {
		e.t.Fatalf("GetSessionToken: %v", err)
	}
	return fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
}

func fromSTS(id, secret, token *string) creds {
	return creds{AccessKeyID: aws.ToString(id), SecretAccessKey: aws.ToString(secret), SessionToken: aws.ToString(token)}
}

// apiCode returns the AWS error code of err, failing the test when err is
// not an API error.
func apiCode(t *testing.T, err error) (code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an AWS API error", err, err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

// wantAPIError fails unless err is an API error with code and, when message
// is not empty, exactly that message.
func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got success, want %s", code)
	}
	gotCode, gotMsg := apiCode(t, err)
	if gotCode != code {
		t.Fatalf("code = %s (%s), want %s", gotCode, gotMsg, code)
	}
	if message != "" && gotMsg != message {
		t.Fatalf("message = %q, want %q", gotMsg, message)
	}
}

// near reports whether got is within slack of want.
func near(got, want time.Time, slack time.Duration) bool {
	d := got.Sub(want)
	return d >= -slack && d <= slack
}

// asType is errors.As for tests.
func asType[T error](err error, target *T) bool { return errors.As(err, target) }

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// removeValidation drops the SDK's client-side input validation, to send
// requests the model would refuse (the server's validation is under test).
func removeValidation(s *middleware.Stack) error {
	_, err := s.Initialize.Remove("OperationInputValidation")
	return err
}
