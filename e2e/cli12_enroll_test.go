package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts/totp"
)

// opensts mfa enroll words a refused pair of codes for people (no SDK
// operation or HTTP details), asks again, and enables the device with the
// next pair; --qr-invert draws the code for a light background.
func TestCLI12_EnrollRetryWorded(t *testing.T) {
	p := startServer(t, procRootEnv("111122223333"), "--data-dir", t.TempDir())
	e := procEnv(t, p, procRoot)
	e.mustUser("dave")
	cmd := exec.Command(opensts(t), "mfa", "enroll", "--user", "dave", "--endpoint-url", p.url, "--qr-invert")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=" + procRoot.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + procRoot.SecretAccessKey, "AWS_DEFAULT_REGION=us-east-1",
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
	firsts := 0
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
			firsts++
			if firsts == 1 {
				stdin.Write([]byte("000000\n000000\n"))
				continue
			}
			step := totp.Step(time.Now())
			stdin.Write([]byte(totp.Code(seed, step-1) + "\n" + totp.Code(seed, step) + "\n"))
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("mfa enroll: %v\n%s\n%s", err, transcript.String(), stderr.String())
	}
	out := transcript.String()
	for _, want := range []string{"drawn for a light background", "Those codes were not accepted. Enter two codes in a row", "is enabled"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	for _, raw := range []string{"operation error", "StatusCode", "RequestID", "api error"} {
		if strings.Contains(out, raw) {
			t.Errorf("transcript shows the SDK's %q:\n%s", raw, out)
		}
	}
	if firsts != 2 {
		t.Errorf("asked for codes %d times, want 2", firsts)
	}
}
