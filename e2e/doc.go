// Package e2e tests OpenSTS the way its users meet it: real AWS clients —
// aws-sdk-go-v2, aws-sdk-go (v1, the seeds' SDK) and, when installed, the
// AWS CLI — against the very node that `opensts server` runs, on a loopback
// port, with its embedded store in a temporary directory.
//
// The package holds tests only.
package e2e
