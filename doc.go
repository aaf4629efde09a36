// Package opensts holds the domain of OpenSTS, a self-hosted, AWS-compatible
// Security Token Service: accounts, IAM users, access keys, MFA devices,
// policies and groups, the principals that sign requests, the storage
// interfaces that persist them, and the errors domain code returns.
//
// It imports only the standard library. Protocol vocabulary (action names,
// AWS error codes, XML shapes) lives in package api; storage technology lives
// in the adapter packages (sqlite, postgres). Secrets never reach this
// package's types in plaintext: secret access keys, TOTP seeds and token keys
// are sealed by package atrest before they are stored.
package opensts
