package sigv4

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Suite vectors in testdata/suite were produced by botocore's signer with
// testdata/suite/gen_suite.py; these are its credentials.
const (
	suiteSecret      = "suite/Secret+Key0123456789abcdefghijklmn"
	suiteAccessKeyID = "AKIAOPENSTSSUITE0001"
)

func TestSuite(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "suite", "*", "request.http"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 20 {
		t.Fatalf("found %d suite cases, want at least 20", len(dirs))
	}
	for _, file := range dirs {
		dir := filepath.Dir(file)
		t.Run("ok/"+filepath.Base(dir), func(t *testing.T) {
			raw := mustReadFile(t, file)
			wantCanonical := string(mustReadFile(t, filepath.Join(dir, "canonical.txt")))
			wantSTS := string(mustReadFile(t, filepath.Join(dir, "sts.txt")))
			r, body := mustRead(t, raw)
			req := mustParse(t, r, body)
			if got := req.CanonicalRequest(); got != wantCanonical {
				t.Errorf("canonical request:\n%s\nwant (botocore):\n%s", got, wantCanonical)
			}
			if got := req.StringToSign(); got != wantSTS {
				t.Errorf("string to sign:\n%s\nwant (botocore):\n%s", got, wantSTS)
			}
			if req.AccessKeyID != suiteAccessKeyID {
				t.Errorf("access key id %q", req.AccessKeyID)
			}
			if err := req.CheckTime(katTime); err != nil {
				t.Errorf("CheckTime: %v", err)
			}
			if err := req.CheckService("sts"); err != nil {
				t.Errorf("CheckService: %v", err)
			}
			if err := NewVerifier(4).Verify(req, suiteSecret); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if err := NewVerifier(4).Verify(req, katSecret); !errors.Is(err, ErrSignatureMismatch) {
				t.Errorf("Verify with another secret: got %v, want ErrSignatureMismatch", err)
			}
		})
	}
}

func mustReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
