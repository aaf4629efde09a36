package certs

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opensts/opensts/certs/certstest"
)

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a CA, a pair of files in a temporary directory and a Reloader
// serving them.
type env struct {
	ca                *certstest.CA
	dir               string
	certFile, keyFile string
	first             *big.Int // serial of the leaf written at start
	logs              *syncBuffer
	r                 *Reloader
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{ca: certstest.NewCA(t), dir: t.TempDir(), logs: &syncBuffer{}}
	e.first = e.writeLeaf(t)
	e.certFile, e.keyFile = filepath.Join(e.dir, "tls.crt"), filepath.Join(e.dir, "tls.key")
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, err := NewReloader(e.certFile, e.keyFile, logger)
	if err != nil {
		t.Fatalf("NewReloader: %v", err)
	}
	e.r = r
	return e
}

// writeLeaf replaces the pair with a new leaf and returns its serial.
func (e *env) writeLeaf(t *testing.T) *big.Int {
	t.Helper()
	certFile, _ := e.ca.WriteLeaf(t, e.dir)
	return mustSerialOf(t, mustReadFile(t, certFile))
}

func mustReadFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustSerialOf(t *testing.T, certPEM []byte) *big.Int {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	if block == nil {
		t.Fatal("no PEM block in certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert.SerialNumber
}

// serving returns the serial of the leaf GetCertificate hands out.
func (e *env) serving() *big.Int {
	c, _ := e.r.GetCertificate(&tls.ClientHelloInfo{ServerName: "localhost"})
	return c.Leaf.SerialNumber
}

// startServer serves "ok" over TLS with the Reloader's configuration.
func startServer(t *testing.T, r *Reloader) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.TLS = r.TLSConfig()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// get makes one request on a fresh connection, verifying the server
// against pool. The client sends SNI "localhost": with no SNI, httptest's
// own fallback certificate would answer instead of GetCertificate (see
// TestReloader_NoSNI for clients that send none).
func get(t *testing.T, url string, pool *x509.CertPool, h2 bool) *http.Response {
	t.Helper()
	resp, err := fetch(url, pool, h2)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func fetch(url string, pool *x509.CertPool, h2 bool) (*http.Response, error) {
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: "localhost"},
		ForceAttemptHTTP2: h2,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "ok" {
		return nil, fmt.Errorf("GET %s: body %q, %v", url, body, err)
	}
	return resp, nil
}

func servedSerial(t *testing.T, url string, pool *x509.CertPool) *big.Int {
	t.Helper()
	return get(t, url, pool, false).TLS.PeerCertificates[0].SerialNumber
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// startRun runs r.Run with a short interval until the test ends.
func startRun(t *testing.T, r *Reloader) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx, 5*time.Millisecond)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// waitPolls waits until Run has checked the files n more times.
func waitPolls(t *testing.T, r *Reloader, n uint64) {
	t.Helper()
	target := r.polls.Load() + n
	waitFor(t, 10*time.Second, "polls", func() bool { return r.polls.Load() >= target })
}

// assertNoKeyMaterial fails if logs quote any of the key files' content.
func assertNoKeyMaterial(t *testing.T, logs string, keyPEMs ...[]byte) {
	t.Helper()
	if strings.Contains(logs, "PRIVATE KEY") {
		t.Errorf("logs contain a PEM key header:\n%s", logs)
	}
	for _, keyPEM := range keyPEMs {
		for line := range strings.Lines(string(keyPEM)) {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(logs, line) {
				t.Errorf("logs contain a line of a key file: %q", line)
			}
		}
	}
}

func TestNewReloader(t *testing.T) {
	ca := certstest.NewCA(t)
	otherCert, otherKey := ca.Leaf(t)
	tests := []struct {
		name    string
		setup   func(t *testing.T, certFile, keyFile string) // changes a good pair
		wantErr error                                        // checked with errors.Is when set
	}{
		{name: "ok", setup: func(*testing.T, string, string) {}},
		{name: "ok/chain with the CA appended", setup: func(t *testing.T, certFile, _ string) {
			certstest.WriteFileAtomic(t, certFile, append(mustReadFile(t, certFile), ca.CertPEM...))
		}},
		{name: "fail/missing cert", setup: func(t *testing.T, certFile, _ string) { os.Remove(certFile) }, wantErr: fs.ErrNotExist},
		{name: "fail/missing key", setup: func(t *testing.T, _, keyFile string) { os.Remove(keyFile) }, wantErr: fs.ErrNotExist},
		{name: "fail/key of another leaf", setup: func(t *testing.T, _, keyFile string) {
			certstest.WriteFileAtomic(t, keyFile, otherKey)
		}},
		{name: "fail/cert of another leaf", setup: func(t *testing.T, certFile, _ string) {
			certstest.WriteFileAtomic(t, certFile, otherCert)
		}},
		{name: "fail/files swapped", setup: func(t *testing.T, certFile, keyFile string) {
			c, k := mustReadFile(t, certFile), mustReadFile(t, keyFile)
			certstest.WriteFileAtomic(t, certFile, k)
			certstest.WriteFileAtomic(t, keyFile, c)
		}},
		{name: "fail/garbage cert", setup: func(t *testing.T, certFile, _ string) {
			certstest.WriteFileAtomic(t, certFile, []byte("not a certificate\n"))
		}},
		{name: "fail/empty key", setup: func(t *testing.T, _, keyFile string) {
			certstest.WriteFileAtomic(t, keyFile, nil)
		}},
		{name: "fail/truncated cert", setup: func(t *testing.T, certFile, _ string) {
			c := mustReadFile(t, certFile)
			certstest.WriteFileAtomic(t, certFile, c[:len(c)/2])
		}},
		{name: "fail/oversized cert file", setup: func(t *testing.T, certFile, _ string) {
			c := mustReadFile(t, certFile)
			certstest.WriteFileAtomic(t, certFile, append(c, bytes.Repeat([]byte("\n"), maxFileSize)...))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certFile, keyFile := ca.WriteLeaf(t, t.TempDir())
			keyPEM := mustReadFile(t, keyFile)
			tt.setup(t, certFile, keyFile)
			var logs syncBuffer
			r, err := NewReloader(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil)))
			if strings.HasPrefix(tt.name, "ok") {
				if err != nil {
					t.Fatalf("NewReloader: %v", err)
				}
				if c, _ := r.GetCertificate(nil); c == nil || c.Leaf == nil {
					t.Fatal("no certificate in service")
				}
				if !strings.Contains(logs.String(), "tls certificate loaded") {
					t.Errorf("load not logged:\n%s", logs.String())
				}
				return
			}
			if err == nil {
				t.Fatal("NewReloader succeeded, want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want one wrapping %v", err, tt.wantErr)
			}
			assertNoKeyMaterial(t, err.Error(), keyPEM, otherKey)
		})
	}
}

func TestReloader_TLSConfig(t *testing.T) {
	e := newEnv(t)
	cfg := e.r.TLSConfig()
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %#x, want TLS 1.2", cfg.MinVersion)
	}
	if got := strings.Join(cfg.NextProtos, ","); got != "h2,http/1.1" {
		t.Errorf("NextProtos = %s, want h2,http/1.1", got)
	}
	if cfg.Certificates != nil {
		t.Error("Certificates set: GetCertificate would be bypassed for clients without SNI")
	}
	if e.r.TLSConfig() == cfg {
		t.Error("TLSConfig returned a shared config")
	}

	srv := startServer(t, e.r)
	tr := &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: e.ca.Pool(), ServerName: "localhost",
		MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11,
	}}
	defer tr.CloseIdleConnections()
	if _, err := (&http.Client{Transport: tr}).Get(srv.URL); err == nil {
		t.Error("TLS 1.1 client connected; want TLS 1.2 at least")
	}
}

func TestReloader_HTTP2(t *testing.T) {
	e := newEnv(t)
	srv := startServer(t, e.r)

	resp := get(t, srv.URL, e.ca.Pool(), true)
	if resp.ProtoMajor != 2 || resp.TLS.NegotiatedProtocol != "h2" {
		t.Errorf("HTTP/2 client got %s (ALPN %q), want HTTP/2", resp.Proto, resp.TLS.NegotiatedProtocol)
	}
	resp = get(t, srv.URL, e.ca.Pool(), false)
	if resp.ProtoMajor != 1 {
		t.Errorf("HTTP/1.1-only client got %s, want HTTP/1.1", resp.Proto)
	}
}

func TestReloader_Reload(t *testing.T) {
	e := newEnv(t)
	srv := startServer(t, e.r)
	pool := e.ca.Pool()

	if got := servedSerial(t, srv.URL, pool); got.Cmp(e.first) != 0 {
		t.Fatalf("served serial %x, want the first leaf %x", got, e.first)
	}

	second := e.writeLeaf(t)
	if got := servedSerial(t, srv.URL, pool); got.Cmp(e.first) != 0 {
		t.Fatalf("served %x before Reload, want the first leaf still", got)
	}
	if err := e.r.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if got := servedSerial(t, srv.URL, pool); got.Cmp(second) != 0 {
		t.Fatalf("served serial %x after Reload, want the second leaf %x", got, second)
	}
	if !strings.Contains(e.logs.String(), "tls certificate reloaded") {
		t.Errorf("reload not logged:\n%s", e.logs.String())
	}
	assertNoKeyMaterial(t, e.logs.String(), mustReadFile(t, e.keyFile))
}

// TestReloader_ReloadBadReplacement: whatever is wrong with the new files,
// the old certificate stays in service and Reload says why.
func TestReloader_ReloadBadReplacement(t *testing.T) {
	tests := []struct {
		name    string
		replace func(t *testing.T, e *env)
	}{
		{"fail/garbage cert", func(t *testing.T, e *env) {
			certstest.WriteFileAtomic(t, e.certFile, []byte("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"))
		}},
		{"fail/garbage key", func(t *testing.T, e *env) {
			certstest.WriteFileAtomic(t, e.keyFile, []byte("garbage"))
		}},
		{"fail/half-written cert", func(t *testing.T, e *env) {
			certPEM, _ := e.ca.Leaf(t)
			certstest.WriteFileAtomic(t, e.certFile, certPEM[:len(certPEM)/2])
		}},
		{"fail/new cert, old key", func(t *testing.T, e *env) {
			certPEM, _ := e.ca.Leaf(t)
			certstest.WriteFileAtomic(t, e.certFile, certPEM)
		}},
		{"fail/key removed", func(t *testing.T, e *env) {
			if err := os.Remove(e.keyFile); err != nil {
				t.Fatal(err)
			}
		}},
		{"fail/cert truncated in place", func(t *testing.T, e *env) {
			if err := os.Truncate(e.certFile, 0); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			srv := startServer(t, e.r)
			keyPEM := mustReadFile(t, e.keyFile)
			before, _ := e.r.GetCertificate(nil)

			tt.replace(t, e)
			if err := e.r.Reload(); err == nil {
				t.Fatal("Reload succeeded, want an error")
			}
			if after, _ := e.r.GetCertificate(nil); after != before {
				t.Error("certificate in service changed after a failed Reload")
			}
			if got := servedSerial(t, srv.URL, e.ca.Pool()); got.Cmp(e.first) != 0 {
				t.Errorf("served serial %x, want the first leaf %x", got, e.first)
			}
			logs := e.logs.String()
			if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "reload failed") {
				t.Errorf("failure not logged at warn:\n%s", logs)
			}
			assertNoKeyMaterial(t, logs, keyPEM)

			// The operator fixes the files: the next Reload serves them.
			second := e.writeLeaf(t)
			if err := e.r.Reload(); err != nil {
				t.Fatalf("Reload after fixing the files: %v", err)
			}
			if got := servedSerial(t, srv.URL, e.ca.Pool()); got.Cmp(second) != 0 {
				t.Errorf("served serial %x, want the fixed leaf %x", got, second)
			}
		})
	}
}

func TestReloader_Run(t *testing.T) {
	e := newEnv(t)
	srv := startServer(t, e.r)
	startRun(t, e.r)

	second := e.writeLeaf(t)
	waitFor(t, 10*time.Second, "Run to load the second leaf", func() bool { return e.serving().Cmp(second) == 0 })
	if got := servedSerial(t, srv.URL, e.ca.Pool()); got.Cmp(second) != 0 {
		t.Fatalf("served serial %x, want the second leaf %x", got, second)
	}

	// Unchanged files are not loaded again.
	waitPolls(t, e.r, 3)
	if n := strings.Count(e.logs.String(), "tls certificate reloaded"); n != 1 {
		t.Errorf("logged %d reloads, want 1:\n%s", n, e.logs.String())
	}
}

// TestReloader_RunNonAtomicRotation: the certificate arrives before its
// key. Run keeps the old pair, warns once, and switches as soon as the key
// lands.
func TestReloader_RunNonAtomicRotation(t *testing.T) {
	e := newEnv(t)
	srv := startServer(t, e.r)
	oldKey := mustReadFile(t, e.keyFile)
	startRun(t, e.r)

	certPEM, keyPEM := e.ca.Leaf(t)
	second := mustSerialOf(t, certPEM)
	certstest.WriteFileAtomic(t, e.certFile, certPEM)
	waitPolls(t, e.r, 3)
	if got := e.serving(); got.Cmp(e.first) != 0 {
		t.Fatalf("serving %x with the key not yet written, want the first leaf %x", got, e.first)
	}
	if got := servedSerial(t, srv.URL, e.ca.Pool()); got.Cmp(e.first) != 0 {
		t.Fatalf("served serial %x, want the first leaf %x", got, e.first)
	}
	if n := strings.Count(e.logs.String(), "reload failed"); n != 1 {
		t.Errorf("logged %d failures over several polls of the same content, want 1:\n%s", n, e.logs.String())
	}

	certstest.WriteFileAtomic(t, e.keyFile, keyPEM)
	waitFor(t, 10*time.Second, "Run to load the completed pair", func() bool { return e.serving().Cmp(second) == 0 })
	if got := servedSerial(t, srv.URL, e.ca.Pool()); got.Cmp(second) != 0 {
		t.Fatalf("served serial %x, want the second leaf %x", got, second)
	}
	assertNoKeyMaterial(t, e.logs.String(), oldKey, keyPEM)
}

// TestReloader_RunInPlaceRewrite: a file rewritten in place (truncate, then
// write in pieces) is never served half-done.
func TestReloader_RunInPlaceRewrite(t *testing.T) {
	e := newEnv(t)
	startRun(t, e.r)

	certPEM, keyPEM := e.ca.Leaf(t)
	second := mustSerialOf(t, certPEM)
	f, err := os.OpenFile(e.certFile, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	half := len(certPEM) / 2
	if _, err := f.Write(certPEM[:half]); err != nil {
		t.Fatal(err)
	}
	waitPolls(t, e.r, 2)
	if got := e.serving(); got.Cmp(e.first) != 0 {
		t.Fatalf("serving %x from a half-written file", got)
	}
	if _, err := f.Write(certPEM[half:]); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "Run to load the rewritten pair", func() bool { return e.serving().Cmp(second) == 0 })
}

func TestReloader_RunStops(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.r.Run(ctx, time.Hour)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestReloader_NoSNI: a client that sends no server name (one connecting
// by IP address) is served the Reloader's certificate, which must cover the
// address.
func TestReloader_NoSNI(t *testing.T) {
	e := newEnv(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", e.r.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()

	dial := func() *big.Int {
		t.Helper()
		d := tls.Dialer{
			NetDialer: &net.Dialer{Timeout: 10 * time.Second},
			Config:    &tls.Config{RootCAs: e.ca.Pool()},
		}
		c, err := d.Dial("tcp", ln.Addr().String()) // ServerName is 127.0.0.1: no SNI
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		return c.(*tls.Conn).ConnectionState().PeerCertificates[0].SerialNumber
	}
	if got := dial(); got.Cmp(e.first) != 0 {
		t.Fatalf("served serial %x, want %x", got, e.first)
	}
	second := e.writeLeaf(t)
	if err := e.r.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := dial(); got.Cmp(second) != 0 {
		t.Fatalf("served serial %x after Reload, want %x", got, second)
	}
}

// TestReloader_ConcurrentReloads: handshakes, Reload and Run at once.
func TestReloader_ConcurrentReloads(t *testing.T) {
	e := newEnv(t)
	srv := startServer(t, e.r)
	startRun(t, e.r)
	pool := e.ca.Pool()
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for range 5 {
				if _, err := fetch(srv.URL, pool, true); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 5 {
		e.writeLeaf(t)
		e.r.Reload()
	}
	wg.Wait()
	last := e.writeLeaf(t)
	if err := e.r.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := servedSerial(t, srv.URL, pool); got.Cmp(last) != 0 {
		t.Errorf("served serial %x, want the last leaf %x", got, last)
	}
}
