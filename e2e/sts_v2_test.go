package e2e

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

var (
	temporaryKeyShape = regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)
	secretShape       = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
	tokenShape        = regexp.MustCompile(`^[A-Za-z0-9+/=]{100,}$`)
)

// The README's quick start, with aws-sdk-go-v2: root creates alice and her
// key; alice gets a session; the session's credentials sign
// GetCallerIdentity, which proves X-Amz-Security-Token end to end.
func TestSTS_v2_SessionQuickStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")

	out, err := e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	c := out.Credentials
	if !temporaryKeyShape.MatchString(*c.AccessKeyId) || !secretShape.MatchString(*c.SecretAccessKey) || !tokenShape.MatchString(*c.SessionToken) {
		t.Fatalf("credentials have the wrong shape: %s / %d-char secret / %d-char token", *c.AccessKeyId, len(*c.SecretAccessKey), len(*c.SessionToken))
	}
	if !near(*c.Expiration, e.clock.Now().Add(900*time.Second), 5*time.Second) {
		t.Fatalf("Expiration %v is not 900 s from now", *c.Expiration)
	}

	temp := fromSTS(c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
	id, err := e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with session credentials: %v", err)
	}
	user, err := e.iam(e.root).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != *user.User.Arn || *id.UserId != *user.User.UserId || *id.Account != e.node.Root.AccountID {
		t.Fatalf("identity = %s %s %s, want %s %s %s", *id.Arn, *id.UserId, *id.Account, *user.User.Arn, *user.User.UserId, e.node.Root.AccountID)
	}
	if want := "arn:aws:iam::" + e.node.Root.AccountID + ":user/alice"; *id.Arn != want {
		t.Fatalf("Arn = %s, want %s", *id.Arn, want)
	}
}

// Every bound of seeds/GetSessionTokenInput.txt, through the real client.
func TestSTS_v2_GetSessionTokenBounds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	cases := []struct {
		name     string
		caller   creds
		in       sts.GetSessionTokenInput
		wantLife time.Duration // when the call succeeds
		wantMsg  string        // ValidationError message when it fails
	}{
		{name: "ok/user default is 12 h", caller: alice, wantLife: 43200 * time.Second},
		{name: "ok/user minimum 900", caller: alice, in: sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}, wantLife: 900 * time.Second},
		{name: "ok/user maximum 129600", caller: alice, in: sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129600)}, wantLife: 129600 * time.Second},
		{name: "ok/root default is 1 h", caller: e.root, wantLife: time.Hour},
		{name: "ok/root longer request clamped to 1 h", caller: e.root, in: sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)}, wantLife: time.Hour},
		{name: "ok/root shorter request honoured", caller: e.root, in: sts.GetSessionTokenInput{DurationSeconds: aws.Int32(1000)}, wantLife: 1000 * time.Second},
		{name: "fail/899", caller: alice, in: sts.GetSessionTokenInput{DurationSeconds: aws.Int32(899)},
			wantMsg: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{name: "fail/129601", caller: alice, in: sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)},
			wantMsg: "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"},
		{name: "fail/root 129601 is still invalid", caller: e.root, in: sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)},
			wantMsg: "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"},
		{name: "fail/serial shorter than 9", caller: alice, in: sts.GetSessionTokenInput{SerialNumber: aws.String("GAHT1234"), TokenCode: aws.String("123456")},
			wantMsg: "1 validation error detected: Value 'GAHT1234' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9"},
		{name: "fail/serial pattern", caller: alice, in: sts.GetSessionTokenInput{SerialNumber: aws.String("GAHT 12345678"), TokenCode: aws.String("123456")},
			wantMsg: `1 validation error detected: Value 'GAHT 12345678' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=/:,.@-]*`},
		{name: "fail/token code 5 digits", caller: alice, in: sts.GetSessionTokenInput{SerialNumber: aws.String("GAHT12345678"), TokenCode: aws.String("12345")},
			wantMsg: "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{name: "fail/token code 7 digits", caller: alice, in: sts.GetSessionTokenInput{SerialNumber: aws.String("GAHT12345678"), TokenCode: aws.String("1234567")},
			wantMsg: "1 validation error detected: Value '1234567' at 'tokenCode' failed to satisfy constraint: Member must have length less than or equal to 6"},
		{name: "fail/token code not digits", caller: alice, in: sts.GetSessionTokenInput{SerialNumber: aws.String("GAHT12345678"), TokenCode: aws.String("12345a")},
			wantMsg: `1 validation error detected: Value '12345a' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\d]*`},
		{name: "fail/two errors counted", caller: alice, in: sts.GetSessionTokenInput{DurationSeconds: aws.Int32(1), TokenCode: aws.String("1")},
			wantMsg: "2 validation errors detected: Value '1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900; Value '1' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			out, err := e.sts(tc.caller).GetSessionToken(ctx, &in)
			if tc.wantMsg != "" {
				wantAPIError(t, err, "ValidationError", tc.wantMsg)
				return
			}
			if err != nil {
				t.Fatalf("GetSessionToken: %v", err)
			}
			if !near(*out.Credentials.Expiration, e.clock.Now().Add(tc.wantLife), 5*time.Second) {
				t.Fatalf("lifetime = %v, want %v", out.Credentials.Expiration.Sub(e.clock.Now()).Round(time.Second), tc.wantLife)
			}
		})
	}
}

// Until an MFA device is enrolled, naming a device is refused with AWS's
// MFA AccessDenied, never accepted blindly.
func TestSTS_v2_GetSessionTokenUnknownDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.mustUser("alice")
	_, err := e.sts(alice).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{
		SerialNumber: aws.String("arn:aws:iam::" + e.node.Root.AccountID + ":mfa/alice"), TokenCode: aws.String("123456"),
	})
	wantAPIError(t, err, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")
}

func TestSTS_v2_SessionCredentialsCannotIssue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	temp := e.mustSession(e.mustUser("alice"), nil)
	_, err := e.sts(temp).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantAPIError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	_, err = e.sts(temp).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob")})
	wantAPIError(t, err, "AccessDenied", "Cannot call GetFederationToken with session credentials")
}

const allowAllS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

func TestSTS_v2_GetFederationToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	e.mustPutUserPolicy("alice", "federate", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`)
	acct := e.node.Root.AccountID

	out, err := e.sts(alice).GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("Bob"), Policy: aws.String(allowAllS3), DurationSeconds: aws.Int32(3600),
	})
	if err != nil {
		t.Fatalf("GetFederationToken: %v", err)
	}
	if want := "arn:aws:sts::" + acct + ":federated-user/Bob"; *out.FederatedUser.Arn != want {
		t.Fatalf("FederatedUser.Arn = %s, want %s", *out.FederatedUser.Arn, want)
	}
	if want := acct + ":Bob"; *out.FederatedUser.FederatedUserId != want {
		t.Fatalf("FederatedUserId = %s, want %s", *out.FederatedUser.FederatedUserId, want)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
		t.Fatalf("PackedPolicySize = %v, want 1..100", out.PackedPolicySize)
	}
	if !near(*out.Credentials.Expiration, e.clock.Now().Add(time.Hour), 5*time.Second) {
		t.Fatalf("Expiration %v is not 1 h from now", *out.Credentials.Expiration)
	}
	fed := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
	id, err := e.sts(fed).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity as federated user: %v", err)
	}
	if *id.Arn != *out.FederatedUser.Arn || *id.UserId != acct+":Bob" || *id.Account != acct {
		t.Fatalf("identity = %s %s %s", *id.Arn, *id.UserId, *id.Account)
	}

	// A bigger policy packs to a bigger share of the budget.
	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-`+"x"+`/*"},`, 10)
	big = strings.TrimSuffix(big, ",") + `]}`
	out2, err := e.sts(alice).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob"), Policy: aws.String(big)})
	if err != nil {
		t.Fatalf("GetFederationToken with a larger policy: %v", err)
	}
	if *out2.PackedPolicySize < *out.PackedPolicySize {
		t.Fatalf("PackedPolicySize %d for a larger policy is below %d", *out2.PackedPolicySize, *out.PackedPolicySize)
	}

	// No session policy: AWS omits PackedPolicySize.
	out3, err := e.sts(alice).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob")})
	if err != nil {
		t.Fatal(err)
	}
	if out3.PackedPolicySize != nil {
		t.Fatalf("PackedPolicySize = %d without a session policy, want it omitted", *out3.PackedPolicySize)
	}
}

func TestSTS_v2_GetFederationTokenErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	e.mustPutUserPolicy("alice", "federate", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::`+acct+`:federated-user/B*"}]}`)
	client := e.sts(alice)

	_, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",}]}`)})
	var malformed *types.MalformedPolicyDocumentException
	if !errors.As(err, &malformed) {
		t.Fatalf("bad policy: err = %v, want *types.MalformedPolicyDocumentException", err)
	}
	_, err = client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
	if !errors.As(err, &malformed) {
		t.Fatalf("policy with Principal: err = %v, want *types.MalformedPolicyDocumentException", err)
	}

	_, err = client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Carol")})
	wantAPIError(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/alice is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::"+acct+":federated-user/Carol because no identity-based policy allows the sts:GetFederationToken action")

	cases := []struct {
		name string
		in   sts.GetFederationTokenInput
		msg  string
	}{
		{"fail/name too short", sts.GetFederationTokenInput{Name: aws.String("B")},
			"1 validation error detected: Value 'B' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"fail/name too long", sts.GetFederationTokenInput{Name: aws.String(strings.Repeat("B", 33))},
			"1 validation error detected: Value '" + strings.Repeat("B", 33) + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 32"},
		{"fail/name pattern", sts.GetFederationTokenInput{Name: aws.String("Bo b")},
			`1 validation error detected: Value 'Bo b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"fail/policy too long", sts.GetFederationTokenInput{Name: aws.String("Bob"), Policy: aws.String(strings.Repeat(" ", 2049))},
			"1 validation error detected: Value '" + strings.Repeat(" ", 2049) + "' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"fail/duration", sts.GetFederationTokenInput{Name: aws.String("Bob"), DurationSeconds: aws.Int32(129601)},
			"1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			_, err := client.GetFederationToken(ctx, &in)
			wantAPIError(t, err, "ValidationError", tc.msg)
		})
	}

	t.Run("fail/packed policy too large", func(t *testing.T) {
		var arns []types.PolicyDescriptorType
		for i := range 10 {
			arns = append(arns, types.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::" + acct + ":policy/" + strings.Repeat(string(rune('a'+i)), 120) + randomish(i))})
		}
		var tags []types.Tag
		for i := range 50 {
			tags = append(tags, types.Tag{Key: aws.String(randomish(i*7) + strings.Repeat("k", 100)), Value: aws.String(randomish(i*13) + strings.Repeat("v", 200))})
		}
		e.mustPutUserPolicy("alice", "tag", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","sts:TagSession"],"Resource":"*"}]}`)
		_, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob"), PolicyArns: arns, Tags: tags})
		var tooLarge *types.PackedPolicyTooLargeException
		if !errors.As(err, &tooLarge) {
			t.Fatalf("err = %v, want *types.PackedPolicyTooLargeException", err)
		}
	})
}

// randomish is a short deterministic string that compresses poorly.
func randomish(seed int) string {
	const alphabet = "qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM0123456789"
	b := make([]byte, 24)
	x := uint32(seed*2654435761 + 12345)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = alphabet[x%uint32(len(alphabet))]
	}
	return string(b)
}

func TestSTS_v2_GetCallerIdentityEveryCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	alice := e.mustUser("alice")
	user, err := e.iam(e.root).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	rootFed, err := e.sts(e.root).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Ops")})
	if err != nil {
		t.Fatalf("root GetFederationToken: %v", err)
	}
	cases := []struct {
		name        string
		c           creds
		arn, userID string
	}{
		{"root keys", e.root, "arn:aws:iam::" + acct + ":root", acct},
		{"root session", e.mustSession(e.root, nil), "arn:aws:iam::" + acct + ":root", acct},
		{"user keys", alice, *user.User.Arn, *user.User.UserId},
		{"user session", e.mustSession(alice, nil), *user.User.Arn, *user.User.UserId},
		{"federated user", fromSTS(rootFed.Credentials.AccessKeyId, rootFed.Credentials.SecretAccessKey, rootFed.Credentials.SessionToken),
			"arn:aws:sts::" + acct + ":federated-user/Ops", acct + ":Ops"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, err := e.sts(tc.c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if *id.Arn != tc.arn || *id.UserId != tc.userID || *id.Account != acct {
				t.Fatalf("got %s %s %s, want %s %s %s", *id.Arn, *id.UserId, *id.Account, tc.arn, tc.userID, acct)
			}
		})
	}
}

func TestSTS_v2_GetAccessKeyInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	temp := e.mustSession(alice, nil)
	for _, id := range []string{alice.AccessKeyID, temp.AccessKeyID, e.root.AccessKeyID} {
		out, err := e.sts(e.root).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetAccessKeyInfo(%s): %v", id, err)
		}
		if *out.Account != e.node.Root.AccountID {
			t.Fatalf("GetAccessKeyInfo(%s) = %s, want %s", id, *out.Account, e.node.Root.AccountID)
		}
	}
	_, err := e.sts(e.root).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIA")})
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value 'AKIA' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16")
}

// Sessions end: at expiry (ExpiredToken), and as soon as the long-term key
// or the user behind them goes away (InvalidClientTokenId).
func TestSTS_v2_SessionLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")

	t.Run("fail/expired", func(t *testing.T) {
		// Issue while the server's clock is 14 minutes behind the SDK's, then
		// move it past the expiry; the signing-time check still passes.
		e.clock.Advance(-14 * time.Minute)
		temp := e.mustSession(alice, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
		if _, err := e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("fresh session refused: %v", err)
		}
		e.clock.Advance(15 * time.Minute)
		_, err := e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "ExpiredToken", "The security token included in the request is expired")
		e.clock.Advance(-time.Minute)
	})

	t.Run("fail/tampered token", func(t *testing.T) {
		temp := e.mustSession(alice, nil)
		b := []byte(temp.SessionToken)
		i := len(b) / 2
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		temp.SessionToken = string(b)
		_, err := e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")
	})

	t.Run("fail/token of another session", func(t *testing.T) {
		a, b := e.mustSession(alice, nil), e.mustSession(alice, nil)
		a.SessionToken = b.SessionToken
		_, err := e.sts(a).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "")
	})

	t.Run("fail/wrong secret", func(t *testing.T) {
		temp := e.mustSession(alice, nil)
		temp.SecretAccessKey = strings.Repeat("x", 40)
		_, err := e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "SignatureDoesNotMatch", "")
	})

	t.Run("fail/source key deactivated, then deleted", func(t *testing.T) {
		bob := e.mustUser("bob")
		temp := e.mustSession(bob, nil)
		if _, err := e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
		_, err := e.iam(e.root).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(bob.AccessKeyID), Status: "Inactive"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "")
		_, err = e.sts(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "")

		_, err = e.iam(e.root).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(bob.AccessKeyID), Status: "Active"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("session of a reactivated key: %v", err)
		}
		_, err = e.iam(e.root).DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(bob.AccessKeyID)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, "InvalidClientTokenId", "")
	})

	t.Run("ok/survives key rotation", func(t *testing.T) {
		temp := e.mustSession(alice, nil)
		if _, err := e.node.Keys.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sts(temp).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("session sealed before rotation: %v", err)
		}
		fresh := e.mustSession(alice, nil)
		if _, err := e.sts(fresh).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("session sealed after rotation: %v", err)
		}
	})
}

// A federated session may call only GetCallerIdentity in STS, and no IAM.
func TestSTS_v2_FederatedSessionScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	out, err := e.sts(e.root).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	fed := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
	_, err = e.iam(fed).ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid")
	_, err = e.sts(fed).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(e.root.AccessKeyID)})
	wantAPIError(t, err, "AccessDenied", "")

	// A GetSessionToken session without MFA cannot call IAM either.
	temp := e.mustSession(e.root, nil)
	_, err = e.iam(temp).ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid")
}

// The September 2026 STS fields: MinimumSessionTokenSize pads the token;
// SessionTokenSize and SessionTokenUtilization describe it.
func TestSTS_v2_SessionTokenSize(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	plain, err := e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	n := len(*plain.Credentials.SessionToken)
	if plain.SessionTokenSize == nil || int(*plain.SessionTokenSize) != n || *plain.SessionTokenUtilization != int32((100*n+4095)/4096) {
		t.Fatalf("size %v utilization %v for a %d-byte token", plain.SessionTokenSize, plain.SessionTokenUtilization, n)
	}
	padded, err := e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{MinimumSessionTokenSize: aws.Int32(3000)})
	if err != nil {
		t.Fatal(err)
	}
	tok := fromSTS(padded.Credentials.AccessKeyId, padded.Credentials.SecretAccessKey, padded.Credentials.SessionToken)
	if l := len(tok.SessionToken); l < 3000 || l > 3004 || *padded.SessionTokenSize != int32(l) || *padded.SessionTokenUtilization != 74 {
		t.Fatalf("padded token: %d bytes, size %d, utilization %d", l, *padded.SessionTokenSize, *padded.SessionTokenUtilization)
	}
	if _, err := e.sts(tok).GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("padded token: %v", err)
	}
	fed, err := e.sts(e.root).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("Bob"), MinimumSessionTokenSize: aws.Int32(4096)})
	if err != nil || len(*fed.Credentials.SessionToken) != 4096 || *fed.SessionTokenUtilization != 100 {
		t.Fatalf("federation padded to 4096: %v", err)
	}
	_, err = e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{MinimumSessionTokenSize: aws.Int32(4097)})
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value '4097' at 'minimumSessionTokenSize' failed to satisfy constraint: Member must have value less than or equal to 4096")
}
