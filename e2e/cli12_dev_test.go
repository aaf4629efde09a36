package e2e

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var exportRE = regexp.MustCompile(`(?m)^export (AWS_[A-Z_]+)=(\S+)$`)

// opensts server --dev prints export lines that are all a client needs:
// with exactly those in its environment (no shared config files),
// aws-sdk-go-v2 reaches the server and is the dev account's root. The
// temporary store is gone once the server stops.
func TestCLI12_DevServer(t *testing.T) {
	p := startServer(t, []string{"OPENSTS_LOG_FORMAT=text"}, "--dev")
	var exports [][]string
	deadline := time.Now().Add(10 * time.Second)
	for {
		exports = exportRE.FindAllStringSubmatch(p.output(), -1)
		if len(exports) == 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := map[string]string{}
	for _, m := range exports {
		got[m[1]] = m[2]
	}
	want := map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAOPENSTSDEVROOT01", "AWS_SECRET_ACCESS_KEY": "openstsDevRootSecretNotSecret0123456789a",
		"AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": p.url,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("export %s=%q, want %q; output:\n%s", k, got[k], v, p.output())
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_STS", "AWS_CA_BUNDLE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	for k, v := range got {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the printed exports: %v", err)
	}
	if aws.ToString(id.Arn) != "arn:aws:iam::123456789012:root" {
		t.Errorf("caller %s, want the dev account's root", aws.ToString(id.Arn))
	}
	m := regexp.MustCompile(`data_dir=(\S+)`).FindStringSubmatch(p.log())
	if m == nil {
		t.Fatalf("no data_dir in the log:\n%s", p.log())
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Fatalf("dev data dir while serving: %v", err)
	}
	if err := p.stop(t); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Errorf("dev data dir %s left after exit: %v", m[1], err)
	}
}

// --dev refuses a non-loopback listener (its root secret is published), and
// a store or data dir it would not own, before serving anything.
func TestCLI12_DevRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:0"}, "loopback addresses only"},
		{[]string{"--listen", "0.0.0.0:0", "--insecure-http"}, "loopback addresses only"},
		{[]string{"--store", "sqlite:///tmp/x.db"}, "do not give --store"},
		{[]string{"--data-dir", t.TempDir()}, "do not give --data-dir"},
	} {
		cmd := exec.Command(opensts(t), append([]string{"server", "--dev"}, c.args...)...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) || strings.Contains(string(out), "export AWS_") {
			t.Errorf("server --dev %v: %v\n%s\nwant a refusal naming %q", c.args, err, out, c.want)
		}
	}
}
