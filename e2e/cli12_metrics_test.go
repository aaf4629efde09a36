package e2e

import (
	"crypto/tls"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts/certs/certstest"
)

var metricsRE = regexp.MustCompile(`msg="serving metrics" address=(\S+) scheme=(\w+)`)

// metricsURL waits for the server's "serving metrics" line.
func metricsURL(t *testing.T, p *process) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := metricsRE.FindStringSubmatch(p.log()); m != nil {
			return m[2] + "://" + m[1] + "/metrics"
		}
		if time.Now().After(deadline) {
			t.Fatalf("no metrics listener in the log:\n%s", p.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func scrapeGet(client *http.Client, url string) (int, string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// With TLS on the main listener, --metrics-listen serves plain HTTP, as a
// default Prometheus scrape expects; --metrics-tls makes it HTTPS with the
// same certificate; --metrics-tls without TLS or a metrics listener is
// refused.
func TestCLI12_MetricsScheme(t *testing.T) {
	dir := t.TempDir()
	ca := certstest.NewCA(t)
	certFile, keyFile := ca.WriteLeaf(t, dir, "127.0.0.1", "localhost")
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}

	p := startServer(t, procRootEnv("111122223333"), "--data-dir", filepath.Join(dir, "plain"),
		"--tls-cert", certFile, "--tls-key", keyFile, "--metrics-listen", "127.0.0.1:0")
	url := metricsURL(t, p)
	if !strings.HasPrefix(url, "http://") {
		t.Fatalf("metrics at %s, want plain http by default", url)
	}
	if code, body, err := scrapeGet(http.DefaultClient, url); err != nil || code != 200 || !strings.Contains(body, "opensts_token_keys") {
		t.Fatalf("plain scrape of %s: %d %v\n%.200s", url, code, err, body)
	}
	if !strings.HasPrefix(p.url, "https://") {
		t.Fatalf("main listener %s is not https", p.url)
	}

	q := startServer(t, procRootEnv("111122223333"), "--data-dir", filepath.Join(dir, "tls"),
		"--tls-cert", certFile, "--tls-key", keyFile, "--metrics-listen", "127.0.0.1:0", "--metrics-tls")
	url = metricsURL(t, q)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("metrics at %s with --metrics-tls, want https", url)
	}
	if code, body, err := scrapeGet(tlsClient, url); err != nil || code != 200 || !strings.Contains(body, "opensts_token_keys") {
		t.Fatalf("TLS scrape of %s: %d %v\n%.200s", url, code, err, body)
	}
	if code, _, err := scrapeGet(http.DefaultClient, "http://"+strings.TrimPrefix(url, "https://")); err == nil && code == 200 {
		t.Fatal("plain HTTP scrape of the --metrics-tls listener succeeded")
	}

	for _, args := range [][]string{
		{"--metrics-listen", "127.0.0.1:0", "--metrics-tls"},
		{"--tls-cert", certFile, "--tls-key", keyFile, "--metrics-tls"},
	} {
		out, err := exec.Command(opensts(t), append([]string{"server", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "--metrics-tls serves --metrics-listen with the certificate of --tls-cert") {
			t.Errorf("server %v: %v\n%s", args, err, out)
		}
	}
}
