// Package policy owns the IAM policy language in OpenSTS: it parses and
// validates identity, session and resource-based policy documents, compiles
// them once, and evaluates requests against them. Every authorization
// decision OpenSTS makes — for its own IAM and STS actions and for the
// services that ask it — goes through Evaluate.
//
// It imports only the standard library. Storing policies, attaching them to
// users and groups, size quotas per attachment point, packing session
// policies and rendering AccessDenied or MalformedPolicyDocument responses
// belong to other packages (iam, issuer, access, api).
//
// # Parsing
//
// Parse reads a document with its own small JSON reader, because IAM rejects
// duplicate keys and SimulateCustomPolicy reports statement positions, neither
// of which encoding/json supports. It enforces the policy character set (tab,
// line feed, carriage return, U+0020–U+00FF), the grammar of
// reference_policies_grammar, and the rules for Principal by Kind. Problems
// are *SyntaxError, whose Message is IAM's own text where IAM's is specific
// and otherwise says what is wrong and where.
//
// Parse compiles each statement: actions lowercased and split at the service
// prefix, resources and string condition values turned into wildcard
// patterns with their policy variables, numbers, dates, CIDR blocks and
// base64 values decoded. Evaluate then parses nothing from the policy.
//
// # Evaluation
//
// Evaluate follows reference_policies_evaluation-logic for requests within one
// account:
//
//  1. An explicit Deny that applies, in any policy, denies.
//  2. The account root is allowed everything else.
//  3. A resource-based policy that allows the caller's own ARN (an IAM user
//     or a federated user) allows, whatever the other policies say.
//  4. Otherwise an identity-based policy must allow — or a resource-based
//     policy that allows the IAM user who federated the caller, which still
//     leaves steps 5 and 6 in force.
//  5. A permissions boundary, when set, must allow too.
//  6. Session policies, when passed, must allow too. A federated user's
//     session created without a session policy has no permissions.
//
// So a federated user gets the intersection of the user's policies and the
// session policy, and MFA conditions such as
// {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}} bite on requests
// whose context says so.
//
// # Cost
//
// Wildcards are matched without backtracking (globParts), so a pattern costs
// about its length plus the value's. Requests whose policies come from the
// caller — IAM's simulator, AuthorizeRequest — set Request.Budget: every
// pattern tried, condition value compared and statement visited is charged,
// and evaluation stops when the budget is spent or its context is done.
package policy
