// Package node wires one OpenSTS node: it opens the store named by its
// configuration, loads the master key and the token key ring, bootstraps the
// default account, builds the access, issuer and IAM services and the
// Query-protocol handler, and serves HTTP. Package cmd/opensts parses flags
// into a Config; end-to-end tests build the very same Node on a loopback
// port, so what they test is what runs.
package node
