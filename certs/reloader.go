package certs

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultPollInterval is how often Run checks the files when given an
// interval of 0 or less.
const DefaultPollInterval = time.Minute

// maxFileSize bounds each file read. A certificate chain is a few KiB; a
// larger file is a mistake (a wrong path), not something to load into memory.
const maxFileSize = 1 << 20

// Reloader holds the server's current TLS certificate. It is safe for
// concurrent use.
type Reloader struct {
	certFile, keyFile string
	logger            *slog.Logger

	cert atomic.Pointer[tls.Certificate]

	mu      sync.Mutex // serialises loads; guards the fields below
	loaded  [sha256.Size]byte
	failed  [sha256.Size]byte // digest of the last content that failed to load
	lastErr string            // last read failure Run logged, to log it once

	polls atomic.Uint64 // completed polls, for tests
}

// NewReloader loads the certificate chain in certFile and its private key
// in keyFile (both PEM) now and returns an error if the pair does not load.
// A nil logger discards records.
func NewReloader(certFile, keyFile string, logger *slog.Logger) (*Reloader, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{certFile: certFile, keyFile: keyFile, logger: logger}
	certPEM, keyPEM, err := r.read()
	if err == nil {
		err = r.install(certPEM, keyPEM)
	}
	if err != nil {
		return nil, err
	}
	r.logLoaded("tls certificate loaded")
	return r, nil
}

// GetCertificate returns the current certificate, whatever the client
// hello says; it is meant for tls.Config.GetCertificate.
func (r *Reloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.cert.Load(), nil
}

// TLSConfig returns a new server configuration that serves the current
// certificate: TLS 1.2 or later, ALPN h2 then http/1.1.
func (r *Reloader) TLSConfig() *tls.Config {
	return &tls.Config{
		GetCertificate: r.GetCertificate,
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"h2", "http/1.1"},
	}
}

// Reload re-reads both files now and serves the pair from then on. If the
// pair does not load, the previous certificate stays in service and the
// error, also logged at warn, is returned.
func (r *Reloader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	certPEM, keyPEM, err := r.read()
	if err == nil {
		err = r.install(certPEM, keyPEM)
	}
	if err != nil {
		if certPEM != nil && keyPEM != nil {
			r.failed = digest(certPEM, keyPEM)
		}
		r.lastErr = err.Error()
		r.logFailed(err)
		return err
	}
	r.lastErr = ""
	r.logLoaded("tls certificate reloaded")
	return nil
}

// Run checks the files every interval (DefaultPollInterval if interval <= 0)
// and loads the pair whenever its content differs from the pair in service,
// until ctx ends. Content that failed to load is not retried until it
// changes again, so a half-written pair is picked up on the first check
// after the writer finishes, and a broken one is logged once, not on every
// check.
//
// Changes are detected by a SHA-256 digest of both files rather than by
// modification time and size: the files are small, reading them costs
// microseconds, and the digest also catches a replacement that keeps both
// the size and the mtime (coarse mtime resolution, cp -p, tar), while a
// touch that changes nothing causes no reload.
func (r *Reloader) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.poll()
			r.polls.Add(1)
		}
	}
}

func (r *Reloader) poll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	certPEM, keyPEM, err := r.read()
	if err != nil {
		if msg := err.Error(); msg != r.lastErr {
			r.lastErr = msg
			r.logFailed(err)
		}
		return
	}
	sum := digest(certPEM, keyPEM)
	if sum == r.loaded || sum == r.failed {
		return
	}
	if err := r.install(certPEM, keyPEM); err != nil {
		r.failed = sum
		r.lastErr = err.Error()
		r.logFailed(err)
		return
	}
	r.lastErr = ""
	r.logLoaded("tls certificate reloaded")
}

// read returns both files' content; on error, the content of whichever
// file was read.
func (r *Reloader) read() (certPEM, keyPEM []byte, err error) {
	certPEM, err = readFile(r.certFile)
	if err != nil {
		return nil, nil, fmt.Errorf("read tls certificate: %w", err)
	}
	keyPEM, err = readFile(r.keyFile)
	if err != nil {
		return certPEM, nil, fmt.Errorf("read tls key: %w", err)
	}
	return certPEM, keyPEM, nil
}

func readFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxFileSize)
	}
	return b, nil
}

// install parses the pair and, if it loads, puts it in service. The
// errors of tls.X509KeyPair and x509 describe what is wrong (no PEM block,
// key does not match certificate) without quoting the input.
func (r *Reloader) install(certPEM, keyPEM []byte) error {
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return fmt.Errorf("load tls key pair %s, %s: %w", r.certFile, r.keyFile, err)
	}
	if pair.Leaf == nil {
		if pair.Leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return fmt.Errorf("load tls key pair %s, %s: %w", r.certFile, r.keyFile, err)
		}
	}
	r.cert.Store(&pair)
	r.loaded = digest(certPEM, keyPEM)
	r.failed = [sha256.Size]byte{}
	return nil
}

// digest identifies the content of a pair. The certificate's length is
// hashed first so that no two different pairs share an input.
func digest(certPEM, keyPEM []byte) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(certPEM)))
	h.Write(n[:])
	h.Write(certPEM)
	h.Write(keyPEM)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// logLoaded records the certificate now in service by its public
// attributes only. A certificate outside its validity period is loaded all
// the same (the files are the operator's word) but logged at warn.
func (r *Reloader) logLoaded(msg string) {
	leaf := r.cert.Load().Leaf
	fp := sha256.Sum256(leaf.Raw)
	attrs := []any{
		slog.String("cert_file", r.certFile),
		slog.String("subject", leaf.Subject.String()),
		slog.Any("dns_names", leaf.DNSNames),
		slog.Any("ip_addresses", leaf.IPAddresses),
		slog.String("serial", leaf.SerialNumber.Text(16)),
		slog.Time("not_before", leaf.NotBefore),
		slog.Time("not_after", leaf.NotAfter),
		slog.String("sha256", hex.EncodeToString(fp[:])),
	}
	now := time.Now()
	switch {
	case now.After(leaf.NotAfter):
		r.logger.Warn(msg+"; it has expired", attrs...)
	case now.Before(leaf.NotBefore):
		r.logger.Warn(msg+"; it is not valid yet", attrs...)
	default:
		r.logger.Info(msg, attrs...)
	}
}

func (r *Reloader) logFailed(err error) {
	r.logger.Warn("tls certificate reload failed; still serving the previous certificate",
		slog.String("cert_file", r.certFile),
		slog.String("key_file", r.keyFile),
		slog.String("err", err.Error()),
	)
}
