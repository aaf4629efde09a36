// Package api is OpenSTS's protocol edge: the AWS Query protocol for STS
// (Version 2011-06-15) and IAM (Version 2010-05-08) on one handler. It
// decodes form bodies and query strings, authenticates with SigV4 (package
// access), dispatches on Action and Version, encodes AWS's XML envelope (or
// the JSON variant on Accept: application/json), and renders every error
// through one table (errors.go) as AWS's ErrorResponse.
//
// Protocol vocabulary — action names, AWS error codes, XML shapes — lives
// here and nowhere else. Domain packages return typed errors; this package
// alone decides codes, statuses and messages.
package api
