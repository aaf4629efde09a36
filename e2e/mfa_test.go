package e2e

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/opensts/opensts/node"
	"github.com/opensts/opensts/totp"
)

const (
	msgInvalidCode   = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
	msgUnknownDevice = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
)

// decodeQR reads the text of a QR code PNG.
func decodeQR(t *testing.T, pngBytes []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The PNG is a rendered symbol, not a photo: the pure-barcode reader
	// applies (the general detector misses some valid symbols).
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("QR code does not decode: %v", err)
	}
	return res.GetText()
}

// centerStep moves the server clock to the middle of a 30 s TOTP step, so a
// test computing codes never races a step boundary, and returns that step.
func (e *env) centerStep() int64 {
	now := e.clock.Now()
	e.clock.Advance(time.Duration(15-now.Unix()%30)*time.Second - time.Duration(now.Nanosecond()))
	return totp.Step(e.clock.Now())
}

// mfaDevice is an enrolled virtual device.
type mfaDevice struct {
	serial string
	seed   []byte
}

// code is the device's code for the server's current step plus delta.
func (e *env) code(d mfaDevice, delta int64) string {
	return totp.Code(d.seed, totp.Step(e.clock.Now())+delta)
}

// mustEnroll creates and enables a virtual device for user as root, the way
// an authenticator app user would: the two consecutive codes shown just now.
func (e *env) mustEnroll(user, name string) mfaDevice {
	e.t.Helper()
	ctx := context.Background()
	c := e.iam(e.root)
	out, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("CreateVirtualMFADevice: %v", err)
	}
	seed, err := totp.DecodeSeed(string(out.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		e.t.Fatalf("Base32StringSeed: %v", err)
	}
	d := mfaDevice{serial: *out.VirtualMFADevice.SerialNumber, seed: seed}
	e.centerStep()
	_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{
		UserName: aws.String(user), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(e.code(d, -1)), AuthenticationCode2: aws.String(e.code(d, 0)),
	})
	if err != nil {
		e.t.Fatalf("EnableMFADevice: %v", err)
	}
	// The enabling codes used the current step; move past it.
	e.clock.Advance(30 * time.Second)
	return d
}

func TestMFA_v2_CreateVirtualDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct := e.node.Root.AccountID
	out, err := e.iam(e.root).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"), Path: aws.String("/eng/")})
	if err != nil {
		t.Fatal(err)
	}
	d := out.VirtualMFADevice
	if *d.SerialNumber != "arn:aws:iam::"+acct+":mfa/eng/alice-phone" {
		t.Fatalf("SerialNumber = %s", *d.SerialNumber)
	}
	seed, err := totp.DecodeSeed(string(d.Base32StringSeed))
	if err != nil || len(seed) < 16 {
		t.Fatalf("Base32StringSeed %q: %v", d.Base32StringSeed, err)
	}
	if got, want := decodeQR(t, d.QRCodePNG), totp.URI("alice-phone", acct, seed); got != want {
		t.Fatalf("QR code says %q, want %q", got, want)
	}
	_, err = e.iam(e.root).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"), Path: aws.String("/eng/")})
	wantAPIError(t, err, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")

	list, err := e.iam(e.root).ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})
	if err != nil || len(list.VirtualMFADevices) != 1 || list.VirtualMFADevices[0].User != nil || len(list.VirtualMFADevices[0].Base32StringSeed) != 0 {
		t.Fatalf("ListVirtualMFADevices Unassigned = %+v, %v", list, err)
	}
}

func TestMFA_v2_EnableErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.mustUser("alice")
	c := e.iam(e.root)
	out, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := totp.DecodeSeed(string(out.VirtualMFADevice.Base32StringSeed))
	d := mfaDevice{serial: *out.VirtualMFADevice.SerialNumber, seed: seed}
	e.centerStep()
	enable := func(c1, c2 string) error {
		_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial),
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	for name, codes := range map[string][2]string{
		"swapped order":   {e.code(d, 0), e.code(d, -1)},
		"same code twice": {e.code(d, 0), e.code(d, 0)},
		"not consecutive": {e.code(d, -2), e.code(d, 0)},
	} {
		t.Run("fail/"+name, func(t *testing.T) {
			wantAPIError(t, enable(codes[0], codes[1]), "InvalidAuthenticationCode", "Authentication code for device is not valid.")
		})
	}
	err = enable("12345", "123456")
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value '12345' at 'authenticationCode1' failed to satisfy constraint: Member must have length greater than or equal to 6")
	if err := enable(e.code(d, -1), e.code(d, 0)); err != nil {
		t.Fatalf("consecutive codes: %v", err)
	}
	wantAPIError(t, enable(e.code(d, 0), e.code(d, 1)), "EntityAlreadyExists", "MFA Device is already in use.")
	_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String("arn:aws:iam::" + e.node.Root.AccountID + ":mfa/none"),
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("234567")})
	wantAPIError(t, err, "NoSuchEntity", "")
}

// GetSessionToken with MFA, every path of issue 3 point 3 and 6.
func TestMFA_v2_GetSessionToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	bob := e.mustUser("bob")
	dev := e.mustEnroll("alice", "alice")
	bobDev := e.mustEnroll("bob", "bob")
	client := e.sts(alice)
	get := func(serial, code string) (*sts.GetSessionTokenOutput, error) {
		return client.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
	}
	e.centerStep()
	e.clock.Advance(60 * time.Second) // well past the steps used at enrolment

	// The previous step, the current one and the next are accepted, in that
	// order (each a later step than the last accepted one).
	for _, delta := range []int64{-1, 0, 1} {
		out, err := get(dev.serial, e.code(dev, delta))
		if err != nil {
			t.Fatalf("code of step %+d: %v", delta, err)
		}
		temp := fromSTS(out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken)
		if _, err := e.sts(temp).GetCallerIdentity(ctx, nil); err != nil {
			t.Fatalf("MFA session: %v", err)
		}
	}
	t.Run("fail/replayed code", func(t *testing.T) {
		_, err := get(dev.serial, e.code(dev, 1))
		wantAPIError(t, err, "AccessDenied", msgInvalidCode)
	})
	t.Run("fail/code of an earlier step than one already used", func(t *testing.T) {
		_, err := get(dev.serial, e.code(dev, 0))
		wantAPIError(t, err, "AccessDenied", msgInvalidCode)
	})
	t.Run("fail/two steps ahead", func(t *testing.T) {
		_, err := get(dev.serial, e.code(dev, 2))
		wantAPIError(t, err, "AccessDenied", msgInvalidCode)
	})
	t.Run("fail/another user's device", func(t *testing.T) {
		_, err := get(bobDev.serial, e.code(bobDev, 0))
		wantAPIError(t, err, "AccessDenied", msgUnknownDevice)
	})
	t.Run("fail/user ARN instead of device ARN", func(t *testing.T) {
		_, err := get("arn:aws:iam::"+e.node.Root.AccountID+":user/alice", e.code(dev, 0))
		wantAPIError(t, err, "AccessDenied", msgUnknownDevice)
	})
	t.Run("fail/code without serial", func(t *testing.T) {
		_, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{TokenCode: aws.String(e.code(dev, 0))})
		wantAPIError(t, err, "AccessDenied", msgUnknownDevice)
	})
	t.Run("ok/bob's own device", func(t *testing.T) {
		e.clock.Advance(60 * time.Second)
		if _, err := e.sts(bob).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(bobDev.serial), TokenCode: aws.String(e.code(bobDev, 0))}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ok/root's own device", func(t *testing.T) {
		out, err := e.iam(e.root).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("root")})
		if err != nil {
			t.Fatal(err)
		}
		seed, _ := totp.DecodeSeed(string(out.VirtualMFADevice.Base32StringSeed))
		rootDev := mfaDevice{serial: *out.VirtualMFADevice.SerialNumber, seed: seed}
		e.centerStep()
		// The account root enables its own device by omitting UserName.
		_, err = e.iam(e.root).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{SerialNumber: aws.String(rootDev.serial),
			AuthenticationCode1: aws.String(e.code(rootDev, -1)), AuthenticationCode2: aws.String(e.code(rootDev, 0))},
			func(o *iam.Options) { o.APIOptions = append(o.APIOptions, removeValidation) })
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(30 * time.Second)
		if _, err := e.sts(e.root).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(rootDev.serial), TokenCode: aws.String(e.code(rootDev, 0))}); err != nil {
			t.Fatalf("root MFA session: %v", err)
		}
	})
}

// Repeated failures lock the device for a bounded time; a correct code
// afterwards works again.
func TestMFA_v2_Throttling(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	dev := e.mustEnroll("alice", "alice")
	e.centerStep()
	wrong := "000000"
	for _, d := range []int64{-1, 0, 1} {
		if e.code(dev, d) == wrong {
			wrong = "000001"
		}
	}
	get := func(code string) error {
		_, err := e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(dev.serial), TokenCode: aws.String(code)})
		return err
	}
	for i := range 6 {
		wantAPIError(t, get(wrong), "AccessDenied", msgInvalidCode)
		_ = i
	}
	err := get(e.code(dev, 0))
	if err == nil {
		t.Fatal("a locked device accepted a code")
	}
	if _, msg := apiCode(t, err); !strings.Contains(msg, "too many invalid codes") {
		t.Fatalf("locked device: %q", msg)
	}
	e.clock.Advance(31 * time.Second)
	if err := get(e.code(dev, 0)); err != nil {
		t.Fatalf("after the lock expired: %v", err)
	}
}

func TestMFA_v2_DeviceLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	c := e.iam(e.root)
	alice := e.mustUser("alice")
	dev := e.mustEnroll("alice", "alice")

	list, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})
	if err != nil || len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != dev.serial || *list.MFADevices[0].UserName != "alice" {
		t.Fatalf("ListMFADevices = %+v, %v", list, err)
	}
	assigned, err := c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})
	if err != nil || len(assigned.VirtualMFADevices) != 1 || *assigned.VirtualMFADevices[0].User.UserName != "alice" || assigned.VirtualMFADevices[0].EnableDate == nil {
		t.Fatalf("ListVirtualMFADevices Assigned = %+v, %v", assigned, err)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantAPIError(t, err, "DeleteConflict", "")
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(dev.serial)})
	wantAPIError(t, err, "DeleteConflict", "")

	// Resync from two consecutive codes of a device whose clock runs 10 minutes fast.
	e.centerStep()
	_, err = c.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(dev.serial),
		AuthenticationCode1: aws.String(e.code(dev, 19)), AuthenticationCode2: aws.String(e.code(dev, 20))})
	if err != nil {
		t.Fatalf("ResyncMFADevice: %v", err)
	}
	e.clock.Advance(30 * time.Second)
	if _, err := e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(dev.serial), TokenCode: aws.String(e.code(dev, 20))}); err != nil {
		t.Fatalf("code from the drifted device after resync: %v", err)
	}

	if _, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(dev.serial)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	_, err = e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(dev.serial), TokenCode: aws.String(e.code(dev, 20))})
	wantAPIError(t, err, "AccessDenied", msgUnknownDevice)
	if _, err := c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(dev.serial)}); err != nil {
		t.Fatal(err)
	}
	list, err = c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})
	if err != nil || len(list.MFADevices) != 0 {
		t.Fatalf("after delete: %+v %v", list, err)
	}
}

// An OATH hardware token imported by the operator is enabled like AWS's.
func TestMFA_HardwareToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mustUser("alice")
	seed := []byte("0123456789abcdefghij")
	tokens, err := totp.ParseSeedFile(strings.NewReader("# serial,seed\nGAHT12345678," + totp.EncodeSeed(seed) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	n, _, err := node.ImportHardwareTokens(ctx, e.node.Store, e.node.Box, tokens, false)
	if err != nil || n != 1 {
		t.Fatalf("import: %d %v", n, err)
	}
	if _, _, err := node.ImportHardwareTokens(ctx, e.node.Store, e.node.Box, tokens, false); err == nil {
		t.Fatal("importing the same serial twice succeeded")
	}
	dev := mfaDevice{serial: "GAHT12345678", seed: seed}
	e.centerStep()
	_, err = e.iam(e.root).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(dev.serial),
		AuthenticationCode1: aws.String(e.code(dev, -1)), AuthenticationCode2: aws.String(e.code(dev, 0))})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(30 * time.Second)
	if _, err := e.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(dev.serial), TokenCode: aws.String(e.code(dev, 0))}); err != nil {
		t.Fatalf("hardware token session: %v", err)
	}
}
