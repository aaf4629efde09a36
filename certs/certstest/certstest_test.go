package certstest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
)

func mustParse(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	if block == nil {
		t.Fatal("no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestCA_Leaf(t *testing.T) {
	ca := NewCA(t)
	other := NewCA(t)
	tests := []struct {
		name     string
		hosts    []string
		verify   string
		pool     *x509.CertPool
		wantFail bool
	}{
		{name: "ok/default localhost", verify: "localhost", pool: ca.Pool()},
		{name: "ok/default 127.0.0.1", verify: "127.0.0.1", pool: ca.Pool()},
		{name: "ok/default ::1", verify: "::1", pool: ca.Pool()},
		{name: "ok/given name", hosts: []string{"sts.example.test"}, verify: "sts.example.test", pool: ca.Pool()},
		{name: "fail/name not covered", hosts: []string{"sts.example.test"}, verify: "localhost", pool: ca.Pool(), wantFail: true},
		{name: "fail/default does not cover other names", verify: "example.com", pool: ca.Pool(), wantFail: true},
		{name: "fail/another CA", verify: "localhost", pool: other.Pool(), wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certPEM, keyPEM := ca.Leaf(t, tt.hosts...)
			if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
				t.Fatalf("leaf and key do not pair: %v", err)
			}
			leaf := mustParse(t, certPEM)
			_, err := leaf.Verify(x509.VerifyOptions{
				DNSName:   tt.verify,
				Roots:     tt.pool,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if tt.wantFail != (err != nil) {
				t.Errorf("Verify(%s) = %v, want failure %v", tt.verify, err, tt.wantFail)
			}
		})
	}
}

func TestCA_LeavesDiffer(t *testing.T) {
	ca := NewCA(t)
	c1, k1 := ca.Leaf(t)
	c2, k2 := ca.Leaf(t)
	if mustParse(t, c1).SerialNumber.Cmp(mustParse(t, c2).SerialNumber) == 0 || string(k1) == string(k2) {
		t.Error("two leaves share a serial number or a key")
	}
	if got := mustParse(t, ca.CertPEM); !got.Equal(ca.Cert) || !got.IsCA {
		t.Error("CertPEM is not the CA certificate")
	}
}

func TestCA_WriteLeaf(t *testing.T) {
	ca := NewCA(t)
	dir := t.TempDir()
	certFile, keyFile := ca.WriteLeaf(t, dir)
	first, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatalf("load written pair: %v", err)
	}
	fi, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode %v, want 0600", mode)
	}

	certFile2, keyFile2 := ca.WriteLeaf(t, dir)
	if certFile2 != certFile || keyFile2 != keyFile {
		t.Fatalf("second WriteLeaf wrote %s, %s; want the same paths", certFile2, keyFile2)
	}
	second, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatalf("load rewritten pair: %v", err)
	}
	if second.Leaf.SerialNumber.Cmp(first.Leaf.SerialNumber) == 0 {
		t.Error("second WriteLeaf did not replace the pair")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("dir holds %d entries, want 2 (no temporary files left)", len(entries))
	}
}
