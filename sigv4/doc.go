// Package sigv4 verifies AWS Signature Version 4 (AWS4-HMAC-SHA256) on
// requests that reach OpenSTS, in both forms AWS clients use: the
// Authorization header and the presigned query string (X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Signature, optional X-Amz-Security-Token).
//
// What it owns:
//
//   - Parsing and syntax checks of the signature ([Parse]), with AWS's
//     IncompleteSignature and SignatureDoesNotMatch messages byte for byte
//     (shared/spec/sts-spec.md §1.5, §5.4, §5.5).
//   - The canonical request and string to sign, recomputed from the request's
//     own SignedHeaders list, never from a fixed header set (§1.6, §5.2).
//   - The request-time window: ±15 minutes for both forms; presigned URLs are
//     valid 15 minutes after X-Amz-Date whatever X-Amz-Expires says, as AWS
//     STS does (§5.5, §5.7).
//   - Constant-time signature comparison and a bounded, concurrency-safe cache
//     of derived signing keys bound to the secret they came from ([Verifier]).
//   - A small header-form signer, [Sign], for OpenSTS's own tools and tests.
//
// What it does not own: finding the secret. The caller resolves the access key
// id (long-term key from the store, or temporary key from a session token) and
// hands the secret to [Verifier.Verify]; the caller also decides which
// services a listener accepts ([Request.CheckService]), since STS and IAM
// share one. Mapping errors to wire codes belongs to package api:
//
//	ErrMissingAuthentication  → MissingAuthenticationToken, 403, MsgMissingAuthentication
//	*IncompleteError          → IncompleteSignature, 400, its Message
//	*MismatchError            → SignatureDoesNotMatch, 403, its Message
//	ErrSignatureMismatch      → SignatureDoesNotMatch, 403, MsgSignatureMismatch
//
// (*MismatchError also matches ErrSignatureMismatch under errors.Is, so test
// for it with errors.As first.)
//
// The order of checks AWS applies (§5.8) is reproduced by calling, in turn:
// Parse, Request.CheckTime, Request.CheckService, key lookup, Verifier.Verify.
//
// Secrets never appear in errors, logs or the texts returned by
// Request.CanonicalRequest and Request.StringToSign.
//
// The package imports only the standard library.
package sigv4
