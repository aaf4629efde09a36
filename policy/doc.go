// Package policy owns the IAM policy language in OpenSTS: it parses and
// validates identity, session, resource-based and role trust policy
// documents, compiles
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
// # Trust policies
//
// Kind Trust is a role's AssumeRolePolicyDocument, the role's resource-based
// policy, as CreateRole and UpdateAssumeRolePolicy validate it: every
// statement names its Principal; NotPrincipal, Resource and NotResource are
// prohibited; actions are the STS actions on a role (sts:AssumeRole,
// sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession,
// sts:SetSourceIdentity, sts:SetContext) or wildcards matching some of them;
// principals are AWS accounts, users, roles, role sessions, federated users
// or {"AWS": "*"} (not the bare "*", not groups, no wildcards in ARNs),
// service principals, and identity providers (IAM OIDC and SAML provider
// ARNs, or the domain of a web identity provider). The first offending value
// is reported in IAM's words. Parse cannot know which users and roles exist:
// Document.EntityPrincipals lists those a trust policy names, and the
// IAM layer refuses missing ones with InvalidPrincipal, as IAM does.
//
// A trust policy is evaluated as the resource-based policy of a request on
// the role (Input.Resource, Request.Resource the role ARN): its statements
// apply to the role whatever the request's resource. Unlike other
// resource-based policies it must allow: a request it does not allow is
// denied (DeniedBy ResourceBased), even for the account root. Naming the
// caller's ARN (or its role session) allows by itself; naming the account
// leaves it to the identity policies; naming the caller's role leaves it to
// the boundary and session policies. Web-identity and SAML callers are
// matched by PrincipalInfo.Federated, the provider that vouched for them.
//
// # Evaluation
//
// Evaluate follows reference_policies_evaluation-logic for requests within one
// account:
//
//  1. An explicit Deny that applies, in any policy, denies; so does a trust
//     policy that does not allow.
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
