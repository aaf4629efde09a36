// Package certs serves the server's TLS certificate and replaces it when
// the files on disk change, so an operator (or certbot, cert-manager, a
// Kubernetes secret mount) can rotate the certificate without a restart.
//
// A Reloader loads the --tls-cert / --tls-key pair once at start (failing
// start-up if it cannot), then hands out the current certificate through
// tls.Config.GetCertificate. Reload re-reads the pair on demand (cmd calls
// it on SIGHUP); Run polls the files on an interval. A new pair takes effect
// on new TLS connections; connections already open keep the certificate
// they were made with.
//
// Rotation is rarely atomic: tools write the certificate and then the key,
// or truncate and rewrite a file in place. A pair that does not load (a
// half-written file, a certificate whose key has not arrived yet) is never
// served: the previous certificate stays, the failure is logged at warn once
// per distinct content, and the next change of content is tried again. Log
// records and errors name the files and say what is wrong; they never carry
// file content, so no key material reaches the logs.
//
// TLSConfig gives the server settings: TLS 1.2 at least (Go's default
// cipher suites, all AEAD with forward secrecy) and ALPN offering h2 before
// http/1.1, so clients that can, such as the AWS SDKs, speak HTTP/2.
//
// Package certstest mints a test CA and leaf certificates for tests in any
// package. certs imports the standard library only and knows nothing of
// HTTP: cmd wires the tls.Config into the server.
package certs
