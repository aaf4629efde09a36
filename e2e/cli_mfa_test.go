package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts/totp"
)

// Enrolment with the AWS CLI exactly as AWS documents it: the --outfile of
// both bootstrap methods works (a QR code an app can scan, the base32 key),
// then enable-mfa-device and get-session-token with MFA, and every refusal
// with AWS's message.
func TestCLI_MFA(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	alice := e.mustUser("alice")
	dir := t.TempDir()
	acct := e.node.Root.AccountID

	var created struct{ VirtualMFADevice struct{ SerialNumber string } }
	png := filepath.Join(dir, "alice.png")
	c.json(e.root, &created, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "alice-phone", "--outfile", png, "--bootstrap-method", "QRCodePNG")
	serial := created.VirtualMFADevice.SerialNumber
	if serial != "arn:aws:iam::"+acct+":mfa/alice-phone" {
		t.Fatalf("SerialNumber %q", serial)
	}
	img, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	uri := decodeQR(t, img)
	_, query, _ := strings.Cut(uri, "?secret=")
	secret, _, _ := strings.Cut(query, "&")
	seed, err := totp.DecodeSeed(secret)
	if err != nil || uri != totp.URI("alice-phone", acct, seed) {
		t.Fatalf("QR code %q: %v", uri, err)
	}

	txt := filepath.Join(dir, "bob.txt")
	c.json(e.root, &created, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "bob-phone", "--outfile", txt, "--bootstrap-method", "Base32StringSeed")
	key, err := os.ReadFile(txt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := totp.DecodeSeed(string(key)); err != nil {
		t.Fatalf("Base32StringSeed outfile %q: %v", key, err)
	}

	dev := mfaDevice{serial: serial, seed: seed}
	e.centerStep()
	if _, stderr, err := c.run(e.root, "iam", "enable-mfa-device", "--user-name", "alice", "--serial-number", serial,
		"--authentication-code1", e.code(dev, -1), "--authentication-code2", e.code(dev, 0)); err != nil {
		t.Fatalf("enable-mfa-device: %v\n%s", err, stderr)
	}
	var devices struct {
		MFADevices []struct{ UserName, SerialNumber string }
	}
	c.json(e.root, &devices, "iam", "list-mfa-devices", "--user-name", "alice")
	if len(devices.MFADevices) != 1 || devices.MFADevices[0].SerialNumber != serial {
		t.Fatalf("list-mfa-devices: %+v", devices)
	}

	e.clock.Advance(30 * time.Second)
	code := e.code(dev, 0)
	var sess cliCredentials
	c.json(alice, &sess, "sts", "get-session-token", "--serial-number", serial, "--token-code", code)
	var id struct{ Arn string }
	c.json(sess.creds(), &id, "sts", "get-caller-identity")
	if !strings.HasSuffix(id.Arn, ":user/alice") {
		t.Fatalf("MFA session identity %+v", id)
	}
	c.fails(alice, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", "sts", "get-session-token", "--serial-number", serial, "--token-code", code)
	c.fails(alice, "AccessDenied", "unable to validate MFA code.  Please verify your MFA serial number", "sts", "get-session-token", "--serial-number", "arn:aws:iam::"+acct+":mfa/bob-phone", "--token-code", code)
	c.fails(e.root, "InvalidAuthenticationCode", "Authentication code for device is not valid.", "iam", "enable-mfa-device", "--user-name", "alice",
		"--serial-number", "arn:aws:iam::"+acct+":mfa/bob-phone", "--authentication-code1", "123456", "--authentication-code2", "123457")
}
