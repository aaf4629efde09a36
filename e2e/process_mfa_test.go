package e2e

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/opensts/opensts/internal/clock"
	"github.com/opensts/opensts/totp"
)

// Two server processes on one store: a code accepted by one is refused by
// the other (RFC 6238 §5.2 across nodes).
func TestProcess_MFAReplayAcrossServers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	b := startServer(t, procRootEnv("111122223333"), "--data-dir", dir)
	ea, eb := procEnv(t, a, procRoot), procEnv(t, b, procRoot)
	ea.clock, eb.clock = &clock.Offset{}, &clock.Offset{}
	ctx := context.Background()

	alice := ea.mustUser("alice")
	out, err := ea.iam(procRoot).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := totp.DecodeSeed(string(out.VirtualMFADevice.Base32StringSeed))
	serial := *out.VirtualMFADevice.SerialNumber
	step := totp.Step(time.Now())
	_, err = eb.iam(procRoot).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totp.Code(seed, step-1)), AuthenticationCode2: aws.String(totp.Code(seed, step))})
	if err != nil {
		t.Fatalf("enable on B a device created on A: %v", err)
	}
	code := totp.Code(seed, step+1)
	if _, err := ea.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)}); err != nil {
		t.Fatalf("first use on A: %v", err)
	}
	_, err = eb.sts(alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
	wantAPIError(t, err, "AccessDenied", msgInvalidCode)
}

// `opensts mfa enroll` run the way a person runs it in a terminal: it shows
// the key, reads two codes and enables the device.
func TestProcess_EnrollCommand(t *testing.T) {
	t.Parallel()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", t.TempDir())
	e := procEnv(t, p, procRoot)
	e.clock = &clock.Offset{}
	e.mustUser("bob")
	pngPath := filepath.Join(t.TempDir(), "bob.png")

	cmd := exec.Command(opensts(t), "mfa", "enroll", "--user", "bob", "--png", pngPath, "--endpoint-url", p.url)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=" + procRoot.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + procRoot.SecretAccessKey, "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seed []byte
	var transcript strings.Builder
	sc := bufio.NewScanner(stdout)
	sc.Split(scanPrompts)
	for sc.Scan() {
		chunk := sc.Text()
		transcript.WriteString(chunk)
		if k, ok := strings.CutPrefix(strings.TrimSpace(chunk), "Or enter this key by hand: "); ok {
			if seed, err = totp.DecodeSeed(strings.TrimSpace(k)); err != nil {
				t.Fatalf("key %q: %v", k, err)
			}
		}
		if strings.HasPrefix(chunk, "First code from the app: ") {
			if seed == nil {
				t.Fatalf("asked for codes before showing the key:\n%s", transcript.String())
			}
			step := totp.Step(time.Now())
			stdin.Write([]byte(totp.Code(seed, step-1) + "\n" + totp.Code(seed, step) + "\n"))
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("mfa enroll: %v\n%s\n%s", err, transcript.String(), stderr.String())
	}
	if !strings.Contains(transcript.String(), "is enabled") || !strings.Contains(transcript.String(), "█") && !strings.Contains(transcript.String(), "▀") {
		t.Fatalf("transcript lacks the QR code or the confirmation:\n%s", transcript.String())
	}
	list, err := e.iam(procRoot).ListMFADevices(context.Background(), &iam.ListMFADevicesInput{UserName: aws.String("bob")})
	if err != nil || len(list.MFADevices) != 1 {
		t.Fatalf("ListMFADevices: %+v %v", list, err)
	}
	png, err := os.ReadFile(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := decodeQR(t, png), totp.URI("bob", "111122223333", seed); got != want {
		t.Fatalf("PNG says %q, want %q", got, want)
	}
}

// scanPrompts splits output into lines, and also yields a prompt (text
// ending in ": " with no newline yet) as soon as it arrives.
func scanPrompts(data []byte, atEOF bool) (int, []byte, error) {
	if i := strings.IndexByte(string(data), '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if strings.HasSuffix(string(data), ": ") {
		return len(data), data, nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// Ctrl-C (SIGINT) or SIGTERM at the code prompt stops `opensts mfa enroll`
// at once and deletes the half-made device, so running it again works.
func TestProcess_EnrollInterrupted(t *testing.T) {
	t.Parallel()
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", t.TempDir())
	e := procEnv(t, p, procRoot)
	e.mustUser("carol")
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		cmd := exec.Command(opensts(t), "mfa", "enroll", "--user", "carol", "--endpoint-url", p.url)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
			"AWS_ACCESS_KEY_ID=" + procRoot.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + procRoot.SecretAccessKey, "AWS_REGION=us-east-1",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
		stdin, err := cmd.StdinPipe() // kept open: the prompt waits
		if err != nil {
			t.Fatal(err)
		}
		defer stdin.Close()
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		sc.Split(scanPrompts)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "First code from the app: ") {
				break
			}
		}
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		go io.Copy(io.Discard, stdout)
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		select {
		case err := <-waited:
			if err == nil || !strings.Contains(stderr.String(), "interrupted") {
				t.Fatalf("%v: mfa enroll ended with %v:\n%s", sig, err, stderr.String())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: mfa enroll still waits at its prompt", sig)
		}
		list, err := e.iam(procRoot).ListVirtualMFADevices(context.Background(), &iam.ListVirtualMFADevicesInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range list.VirtualMFADevices {
			if strings.HasSuffix(aws.ToString(d.SerialNumber), "/carol") {
				t.Fatalf("%v: the half-made device %s was left behind", sig, aws.ToString(d.SerialNumber))
			}
		}
	}
}
