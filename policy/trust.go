package policy

import "strings"

// Trust policies (Kind Trust): a role's AssumeRolePolicyDocument, validated
// as IAM validates it in CreateRole and UpdateAssumeRolePolicy
// (reference_policies_elements_principal, id_roles_terms-and-concepts).

// IAM's own messages for trust policies, used verbatim.
const (
	// A statement without Principal. IAM's, verbatim [O]
	// (terraform-aws-modules/terraform-aws-iam#47,
	// cloudposse/terraform-aws-cloudwatch-logs#7).
	msgTrustNoPrincipal = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"
	// The bare "Principal": "*". IAM's, verbatim, lower-case p and final
	// period included [O] (aws/aws-cdk#5732).
	msgTrustStar = `AssumeRolepolicy contained an invalid principal: "STAR":"*".`
	// A Federated value that is neither a domain name nor a provider ARN.
	// IAM's, verbatim, no final period [O]
	// (terraform-aws-modules/terraform-aws-iam#202).
	msgTrustFederated = "Federated principals must be valid domain names or SAML metadata ARNs"
	// An Action that is not one of the STS actions on a role. IAM's,
	// verbatim [O] (hashicorp/terraform-provider-aws#32872, CreateRole
	// with "sts:TagSessions"); LocalStack and VGW answer the same.
	msgTrustActions = "AssumeRole policy may only specify STS AssumeRole actions."
)

// msgProhibitedField refuses NotPrincipal, Resource and NotResource in a
// trust policy. "Has prohibited field Resource" is IAM's, verbatim [O]
// (kubernetes-sigs/external-dns#3085, hashicorp/terraform#34231, CreateRole
// with a permissions policy as the trust policy). IAM's text for
// NotResource and NotPrincipal is not recorded [U]: OpenSTS says the same
// with the element's name.
func msgProhibitedField(name string) string { return "Has prohibited field " + name }

// InvalidPrincipal is IAM's refusal of a principal in a trust policy,
// `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/Missing"`,
// for the IAM layer to return when a user or role that the policy names (see
// Document.EntityPrincipals) does not exist. typ is the principal type
// as the policy writes it; IAM renders Service as SERVICE and the others as
// written.
func InvalidPrincipal(typ, value string) *SyntaxError {
	if typ == "Service" {
		typ = "SERVICE"
	}
	return &SyntaxError{Message: msgInvalidPrincipal(typ, value)}
}

// EntityPrincipals returns the IAM user and role ARNs that the AWS
// principals of the document's statements name
// (arn:aws:iam::123456789012:user/division/Bob,
// arn:aws:iam::123456789012:role/Admin), in document order, each once. IAM
// refuses a trust policy naming a user or role that does not exist, with
// InvalidPrincipal("AWS", arn). Accounts, account roots, role sessions,
// federated users and "*" are not listed: they are not IAM entities. It is
// meant for Trust documents; for others it reads NotPrincipal too.
func (d *Document) EntityPrincipals() []string {
	var out []string
	for i := range d.Statements {
		s := &d.Statements[i]
		for _, p := range [...]*Principal{s.Principal, s.NotPrincipal} {
			if p == nil {
				continue
			}
			for _, v := range p.Values["AWS"] {
				if k, _ := classifyAWSPrincipal(v); k == awsUser || k == awsRole {
					out = append(out, v)
				}
			}
		}
	}
	return dedupeStrings(out)
}

// trustElements refuses the elements a trust policy statement must not have,
// the first in document order, then a statement without Principal.
func trustElements(n *node) *SyntaxError {
	for i := range n.members {
		switch m := &n.members[i]; m.key {
		case "NotPrincipal", "Resource", "NotResource":
			return verbatim(m.pos, msgProhibitedField(m.key))
		}
	}
	if n.get("Principal") == nil {
		return verbatim(n.pos, msgTrustNoPrincipal)
	}
	return nil
}

// trustActionNames are the STS actions on a role, lowercased
// (id_roles_terms-and-concepts; sts:SetContext for ProvidedContexts).
var trustActionNames = [...]string{
	"assumerole", "assumerolewithsaml", "assumerolewithwebidentity",
	"tagsession", "setsourceidentity", "setcontext",
}

// isTrustAction reports whether an Action value of a trust policy is one of
// the STS actions on a role or a wildcard matching at least one of them
// (sts:*, sts:Assume*). "*" and wildcards matching none (sts:Get*) are
// refused.
func (a *actionPattern) isTrustAction() bool {
	if a.all || a.vendor != "sts" {
		return false
	}
	for _, name := range trustActionNames {
		if a.name.match(name, nil, true) {
			return true
		}
	}
	return false
}

// compileTrustPrincipal validates one principal of a trust policy and
// compiles it, or returns IAM's message refusing it.
func compileTrustPrincipal(typ, val string) (principalMatcher, string) {
	switch typ {
	case "AWS":
		switch k, account := classifyAWSPrincipal(val); k {
		case awsInvalid:
			// IAM's format, verbatim [O] (aws/aws-cdk#11505 for a group).
			return principalMatcher{}, msgInvalidPrincipal(typ, val)
		case awsAny:
			return principalMatcher{any: true, awsOnly: true}, ""
		case awsAccount:
			return principalMatcher{account: account}, ""
		default:
			return principalMatcher{arn: val}, ""
		}
	case "Service":
		if !isServicePrincipal(val) {
			// IAM's format with the key upper-cased, verbatim [O].
			return principalMatcher{}, msgInvalidPrincipal("SERVICE", val)
		}
		return principalMatcher{none: true}, ""
	case "Federated":
		if !isFederatedPrincipal(val) {
			return principalMatcher{}, msgTrustFederated
		}
		return principalMatcher{federated: val}, ""
	}
	// CanonicalUser (S3 only). IAM's format; the key as IAM renders it
	// is not recorded [U], so it is written as in the policy.
	return principalMatcher{}, msgInvalidPrincipal(typ, val)
}

// awsPrincipal classifies an AWS principal of a trust policy.
type awsPrincipal uint8

const (
	awsInvalid       awsPrincipal = iota
	awsAny                        // "*"
	awsAccount                    // 123456789012 or arn:aws:iam::123456789012:root
	awsUser                       // arn:aws:iam::123456789012:user/<path><name>
	awsRole                       // arn:aws:iam::123456789012:role/<path><name>
	awsAssumedRole                // arn:aws:sts::123456789012:assumed-role/<role>/<session>
	awsFederatedUser              // arn:aws:sts::123456789012:federated-user/<name>
)

// classifyAWSPrincipal classifies an AWS principal of a trust policy and
// returns the account an account principal names. ARNs are in the aws
// partition (OpenSTS's only one), have no region and no wildcards, and their
// names follow IAM's rules: user and role names of 1–64 characters of
// [\w+=,.@-] under a path of printable ASCII, role session names of 2–64,
// federated user names of 2–32 (reference_iam-quotas). Groups are not
// principals.
func classifyAWSPrincipal(val string) (awsPrincipal, string) {
	switch {
	case val == "*":
		return awsAny, ""
	case isAccountID(val):
		return awsAccount, val
	}
	parts := strings.SplitN(val, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[3] != "" ||
		!isAccountID(parts[4]) || strings.ContainsAny(val, "*?") {
		return awsInvalid, ""
	}
	res := parts[5]
	switch parts[2] {
	case "iam":
		if res == "root" {
			return awsAccount, parts[4]
		}
		typ, rest, _ := strings.Cut(res, "/")
		switch {
		case typ == "user" && isPathAndName(rest):
			return awsUser, ""
		case typ == "role" && isPathAndName(rest):
			return awsRole, ""
		}
	case "sts":
		typ, rest, _ := strings.Cut(res, "/")
		switch typ {
		case "assumed-role":
			role, session, ok := strings.Cut(rest, "/")
			if ok && isIAMName(role, 1, 64) && isIAMName(session, 2, 64) {
				return awsAssumedRole, ""
			}
		case "federated-user":
			if isIAMName(rest, 2, 32) {
				return awsFederatedUser, ""
			}
		}
	}
	return awsInvalid, ""
}

// isPathAndName reports whether s is <path><name> as it follows user/ or
// role/ in an ARN: a name of 1–64 characters after optional path segments
// of printable ASCII, the whole path at most 512 characters.
func isPathAndName(s string) bool {
	i := strings.LastIndexByte(s, '/')
	path, name := s[:i+1], s[i+1:]
	if !isIAMName(name, 1, 64) || len(path)+1 > 512 {
		return false
	}
	for seg := range strings.SplitSeq(path, "/") {
		// The last "segment" is the empty string after the final slash.
		for j := 0; j < len(seg); j++ {
			if seg[j] < 0x21 || seg[j] > 0x7e {
				return false
			}
		}
	}
	return !strings.Contains(path, "//") && !strings.HasPrefix(path, "/")
}

// isIAMName reports whether s has min to max characters of [\w+=,.@-], the
// character set of user, role and session names.
func isIAMName(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnumByte(c) || strings.IndexByte("_+=,.@-", c) >= 0) {
			return false
		}
	}
	return true
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isHostname reports whether s is a DNS host name of at least minLabels
// labels: labels of 1–63 letters, digits and hyphens, not starting or ending
// with a hyphen, at most 253 characters in all.
func isHostname(s string, minLabels int) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	n := 0
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlnumByte(c) && c != '-' {
				return false
			}
		}
		n++
	}
	return n >= minLabels
}

// isServicePrincipal reports whether s looks like an AWS service principal:
// a host name in amazonaws.com or amazonaws.com.cn (ec2.amazonaws.com,
// states.us-east-1.amazonaws.com).
func isServicePrincipal(s string) bool {
	name, ok := strings.CutSuffix(s, ".amazonaws.com")
	if !ok {
		name, ok = strings.CutSuffix(s, ".amazonaws.com.cn")
	}
	return ok && isHostname(name, 1)
}

// isFederatedPrincipal reports whether s is an IAM OIDC provider ARN
// (arn:aws:iam::<account>:oidc-provider/<host>[/<path>], the issuer URL
// without https://, which has no port, query or fragment), an IAM SAML
// provider ARN (arn:aws:iam::<account>:saml-provider/<name>, names of 1–128
// characters of [\w.-]), or a domain name of two labels or more
// (cognito-identity.amazonaws.com, accounts.google.com, graph.facebook.com,
// www.amazon.com).
func isFederatedPrincipal(s string) bool {
	rest, ok := strings.CutPrefix(s, "arn:aws:iam::")
	if !ok {
		return isHostname(s, 2)
	}
	account, res, ok := strings.Cut(rest, ":")
	if !ok || !isAccountID(account) {
		return false
	}
	if name, ok := strings.CutPrefix(res, "saml-provider/"); ok {
		if len(name) == 0 || len(name) > 128 {
			return false
		}
		for i := 0; i < len(name); i++ {
			if c := name[i]; !isAlnumByte(c) && c != '_' && c != '.' && c != '-' {
				return false
			}
		}
		return true
	}
	url, ok := strings.CutPrefix(res, "oidc-provider/")
	if !ok || len(url) > 255-len("https://") {
		return false
	}
	host, path, _ := strings.Cut(url, "/")
	if !isHostname(host, 1) {
		return false
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; c < 0x21 || c > 0x7e || c == '*' || c == '?' || c == '#' {
			return false
		}
	}
	return true
}
