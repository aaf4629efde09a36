package samlidentity

import (
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/opensts/opensts"
)

// AWS's attributes (roles-spec §4.4); names are case-sensitive.
const (
	attrPrefix            = "https://aws.amazon.com/SAML/Attributes/"
	attrRole              = attrPrefix + "Role"
	attrRoleSessionName   = attrPrefix + "RoleSessionName"
	attrSessionDuration   = attrPrefix + "SessionDuration"
	attrSourceIdentity    = attrPrefix + "SourceIdentity"
	attrPrincipalTag      = attrPrefix + "PrincipalTag:"
	attrTransitiveTagKeys = attrPrefix + "TransitiveTagKeys"
)

// Limits (roles-spec §2.8, §2.9, §4.4).
const (
	minSessionDuration = 900
	maxSessionDuration = 43200
)

// attribute is one Name's values, in document order; an attribute named
// several times (in one or several AttributeStatements) has all their
// values.
type attribute struct {
	name   string
	values []string
}

// readAttributes collects the assertion's attributes by Name, in order of
// first appearance.
func readAttributes(a *etree.Element) []attribute {
	var out []attribute
	index := map[string]int{}
	for _, st := range children(a, nsAssertion, "AttributeStatement") {
		for _, at := range children(st, nsAssertion, "Attribute") {
			name := at.SelectAttrValue("Name", "")
			i, ok := index[name]
			if !ok {
				i = len(out)
				index[name] = i
				out = append(out, attribute{name: name})
			}
			for _, val := range children(at, nsAssertion, "AttributeValue") {
				out[i].values = append(out[i].values, text(val))
			}
		}
	}
	return out
}

// attributes reads AWS's attributes into out in the order of roles-spec
// §4.3 #8: the Role pair, RoleSessionName, SessionDuration,
// SourceIdentity, the tags.
func attributes(a *etree.Element, out *Assertion, p Provider, roleARN string) error {
	attrs := readAttributes(a)
	get := func(name string) (attribute, bool) {
		for _, at := range attrs {
			if at.name == name {
				return at, true
			}
		}
		return attribute{}, false
	}
	role, _ := get(attrRole)
	if !hasRole(role.values, roleARN, p.ARN) {
		return opensts.Errorf(opensts.ErrAccessDenied, "%s", msgNotAuthorized)
	}

	name, ok := get(attrRoleSessionName)
	if !ok || len(name.values) == 0 {
		return invalid(msgNoSessionName)
	}
	if len(name.values) != 1 || !opensts.ValidSessionName(name.values[0]) {
		return invalid(msgBadSessionName)
	}
	out.SessionName = name.values[0]

	if d, ok := get(attrSessionDuration); ok {
		if len(d.values) != 1 {
			return invalid(msgSessionDuration)
		}
		n, err := strconv.Atoi(d.values[0])
		if err != nil || n < minSessionDuration || n > maxSessionDuration || strings.HasPrefix(d.values[0], "+") {
			return invalid(msgSessionDuration)
		}
		out.SessionDuration = n
	}

	if s, ok := get(attrSourceIdentity); ok {
		if len(s.values) != 1 || !opensts.ValidSourceIdentity(s.values[0]) {
			return invalid(msgSourceIdentity)
		}
		out.SourceIdentity = s.values[0]
	}

	var err error
	out.Tags, out.TransitiveTagKeys, err = sessionTags(attrs)
	return err
}

// hasRole reports whether values hold the pair "role,provider", in either
// order, white space around each ARN ignored.
func hasRole(values []string, roleARN, providerARN string) bool {
	if roleARN == "" || providerARN == "" {
		return false
	}
	for _, v := range values {
		a, b, ok := strings.Cut(v, ",")
		if !ok {
			continue
		}
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if (a == roleARN && b == providerARN) || (a == providerARN && b == roleARN) {
			return true
		}
	}
	return false
}

// sessionTags reads the PrincipalTag:<Key> attributes (one value each)
// and TransitiveTagKeys with AssumeRole's limits and texts (roles-spec
// §2.8, §4.4): 50 tags, keys 1–128 and values 0–256 characters of the tag
// pattern, no "aws:" prefix, keys unique case-insensitively, transitive
// keys among the tags. Tags come back in key order.
func sessionTags(attrs []attribute) ([]opensts.Tag, []string, error) {
	var tags []opensts.Tag
	var transitive []string
	for _, at := range attrs {
		if at.name == attrTransitiveTagKeys {
			transitive = append(transitive, at.values...)
			continue
		}
		k, ok := strings.CutPrefix(at.name, attrPrincipalTag)
		if !ok {
			continue
		}
		if len(at.values) != 1 {
			return nil, nil, invalid("Each PrincipalTag attribute in the SAML assertion must have exactly one value")
		}
		tags = append(tags, opensts.Tag{Key: k, Value: at.values[0]})
		if len(tags) > opensts.MaxSessionTagsPerSession {
			return nil, nil, invalid("The SAML assertion has more than 50 PrincipalTag attributes")
		}
	}
	return opensts.FederatedTags("the SAML assertion", tags, transitive)
}

// attributeKeys maps attribute Names to the saml:* condition keys AWS
// fills from them: the IAM User Guide's tables "Mapping SAML attributes to
// AWS trust policy context keys" (eduPerson and eduOrg, Active Directory,
// X.500). The X.500 table names bare OIDs, three of them mistyped
// (2.4.5.42, 0.9.2342.19200300100.1.1 and …1.3); the real OIDs are
// mapped, with and without the urn:oid: prefix of SAML's X.500 profile.
// The AD table maps primarygroupsid to uid while the condition key list
// has saml:primaryGroupSID: both are filled.
var attributeKeys = map[string][]string{
	// eduPerson and eduOrg.
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.1":  {"saml:edupersonaffiliation"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.2":  {"saml:edupersonnickname"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.3":  {"saml:edupersonorgdn"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.4":  {"saml:edupersonorgunitdn"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.5":  {"saml:edupersonprimaryaffiliation"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.6":  {"saml:edupersonprincipalname"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.7":  {"saml:edupersonentitlement"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.8":  {"saml:edupersonprimaryorgunitdn"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.9":  {"saml:edupersonscopedaffiliation"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.10": {"saml:edupersontargetedid"},
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.11": {"saml:edupersonassurance"},
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.2":  {"saml:eduorghomepageuri"},
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.3":  {"saml:eduorgidentityauthnpolicyuri"},
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.4":  {"saml:eduorglegalname"},
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.5":  {"saml:eduorgsuperioruri"},
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.6":  {"saml:eduorgwhitepagesuri"},
	"urn:oid:2.5.4.3":                   {"saml:cn", "saml:commonName"}, // eduOrg cn and X.500 commonName
	// Active Directory (ADFS claim types).
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":              {"saml:name"},
	"http://schemas.xmlsoap.org/claims/CommonName":                            {"saml:commonName"},
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname":         {"saml:givenName"},
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname":           {"saml:surname"},
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress":      {"saml:mail"},
	"http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": {"saml:uid", "saml:primaryGroupSID"},
	// X.500.
	"2.5.4.3":                            {"saml:commonName"},
	"2.5.4.4":                            {"saml:surname"},
	"urn:oid:2.5.4.4":                    {"saml:surname"},
	"2.5.4.42":                           {"saml:givenName"},
	"urn:oid:2.5.4.42":                   {"saml:givenName"},
	"2.5.4.45":                           {"saml:x500UniqueIdentifier"},
	"urn:oid:2.5.4.45":                   {"saml:x500UniqueIdentifier"},
	"0.9.2342.19200300.100.1.1":          {"saml:uid"},
	"urn:oid:0.9.2342.19200300.100.1.1":  {"saml:uid"},
	"0.9.2342.19200300.100.1.3":          {"saml:mail"},
	"urn:oid:0.9.2342.19200300.100.1.3":  {"saml:mail"},
	"0.9.2342.19200300.100.1.45":         {"saml:organizationStatus"},
	"urn:oid:0.9.2342.19200300.100.1.45": {"saml:organizationStatus"},
}

// conditionKeys builds the trust policy's saml:* keys (roles-spec §4.6).
// Only one attribute is mapped to a key: the first, in document order,
// that maps to it.
func conditionKeys(a *etree.Element, out *Assertion, p Provider) map[string][]string {
	keys := map[string][]string{
		"saml:aud":           {out.Audience},
		"saml:iss":           {out.Issuer},
		"saml:sub":           {out.Subject},
		"saml:sub_type":      {out.SubjectType},
		"saml:namequalifier": {out.NameQualifier},
		"saml:doc":           {p.AccountID + "/" + p.Name},
	}
	for _, at := range readAttributes(a) {
		for _, k := range attributeKeys[at.name] {
			if _, taken := keys[k]; !taken && len(at.values) > 0 {
				keys[k] = append([]string(nil), at.values...)
			}
		}
	}
	return keys
}
