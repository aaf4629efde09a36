package certstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// DefaultHosts are the names a leaf covers when Leaf or WriteLeaf is given
// none: everything a loopback test server may be reached by.
var DefaultHosts = []string{"localhost", "127.0.0.1", "::1"}

// CA is a test certificate authority.
type CA struct {
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// CertPEM is Cert in PEM, for clients that take a CA bundle file.
	CertPEM []byte

	key *ecdsa.PrivateKey
}

// NewCA makes a self-signed CA.
func NewCA(tb testing.TB) *CA {
	tb.Helper()
	key := mustKey(tb)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          mustSerial(tb),
		Subject:               pkix.Name{CommonName: "OpenSTS Test CA", Organization: []string{"OpenSTS tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatalf("certstest: create CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("certstest: parse CA certificate: %v", err)
	}
	return &CA{
		Cert:    cert,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:     key,
	}
}

// Pool returns a pool holding only the CA, for tls.Config.RootCAs.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

// Leaf makes a server certificate signed by the CA for hosts (DNS names or
// IP addresses; DefaultHosts when empty) and a fresh key. certPEM holds the
// leaf alone; keyPEM is the key in PKCS #8. Every call makes a new key and
// serial number, so two leaves for the same hosts are distinguishable.
func (ca *CA) Leaf(tb testing.TB, hosts ...string) (certPEM, keyPEM []byte) {
	tb.Helper()
	if len(hosts) == 0 {
		hosts = DefaultHosts
	}
	key := mustKey(tb)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: mustSerial(tb),
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"OpenSTS tests"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		tb.Fatalf("certstest: create leaf certificate: %v", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatalf("certstest: marshal leaf key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
}

// WriteLeaf makes a leaf as Leaf does and writes it to dir as tls.crt and
// tls.key (mode 0600), returning their paths. Each file is replaced
// atomically (written aside, then renamed), so calling it again on the same
// dir rotates the pair the way a certificate manager would, one file after
// the other.
func (ca *CA) WriteLeaf(tb testing.TB, dir string, hosts ...string) (certFile, keyFile string) {
	tb.Helper()
	certPEM, keyPEM := ca.Leaf(tb, hosts...)
	certFile = filepath.Join(dir, "tls.crt")
	keyFile = filepath.Join(dir, "tls.key")
	WriteFileAtomic(tb, certFile, certPEM)
	WriteFileAtomic(tb, keyFile, keyPEM)
	return certFile, keyFile
}

// WriteFileAtomic replaces path with data (mode 0600) by writing a
// temporary file in the same directory and renaming it over path, so a
// reader sees the old content or the new, never a mix.
func WriteFileAtomic(tb testing.TB, path string, data []byte) {
	tb.Helper()
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		tb.Fatalf("certstest: %v", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		tb.Fatalf("certstest: write %s: %v", path, err)
	}
}

func mustKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("certstest: generate key: %v", err)
	}
	return key
}

func mustSerial(tb testing.TB) *big.Int {
	tb.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		tb.Fatalf("certstest: serial number: %v", err)
	}
	return n
}
