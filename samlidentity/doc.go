// Package samlidentity verifies the SAML 2.0 responses that
// AssumeRoleWithSAML accepts, the way AWS STS does (roles-spec §4.3–§4.6):
// a base64 samlp:Response of at most MaxAssertionSize characters holding
// one saml:Assertion, the Response or the Assertion (or both) carrying an
// XML-DSig enveloped signature by one of the IAM SAML provider's signing
// certificates; then the issuer, the bearer subject confirmation, the
// conditions (time window and audience), the destination, and the AWS
// attributes: Role, RoleSessionName, SessionDuration, SourceIdentity,
// PrincipalTag:* and TransitiveTagKeys. It computes the response's
// SubjectType and NameQualifier and the saml:* condition keys of the role's
// trust policy, and remembers every accepted assertion until it expires so
// that it is accepted once.
//
// Signatures are checked by github.com/russellhaering/goxmldsig, and only
// the element its validator returns (re-read from the bytes whose digest
// was checked) is read afterwards: no data comes from an element the
// signature does not cover (XML signature wrapping).
//
// Every error is an *opensts.Error of kind ErrInvalidIdentityToken,
// ErrIdentityTokenExpired, ErrAccessDenied (the role not in the assertion,
// no NameID) or ErrThrottled (the replay cache full) whose Message is AWS's
// text (or OpenSTS's where AWS's is unknown, docs/compatibility.md) and
// never contains the assertion; the cause, when there is one, is in Err.
//
// It imports the root package, goxmldsig and etree. It reads no metadata
// (its caller passes the provider's certificates), makes no network
// requests and knows nothing of roles, trust policies or the STS wire
// format.
package samlidentity
