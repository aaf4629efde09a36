// Package certstest mints throwaway certificates for tests: a CA made at
// run time and leaf certificates it signs for loopback names, so tests can
// serve real TLS and clients can verify it against CA.Pool instead of
// skipping verification.
//
// Keys are ECDSA P-256, made fresh for every CA and leaf; nothing is read
// from or kept on disk except where WriteLeaf is asked to write. CAs are
// valid from an hour ago for a day, which covers any test run.
//
// Import it from _test.go files only. It imports the standard library only.
package certstest
