// Package iam holds the IAM use cases OpenSTS serves: users, access keys,
// and (as they are added) policies, groups and MFA devices. It validates
// input with IAM's model constraints, enforces IAM's quotas and errors,
// authorizes every action through an opensts.Authorizer, and seals secrets
// (secret access keys, TOTP seeds) with package atrest before they reach the
// store.
//
// Imports the root package, atrest, policy and totp; never net/http.
package iam
