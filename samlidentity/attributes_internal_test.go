package samlidentity

import "testing"

// samlKeys are the condition keys of sts:AssumeRoleWithSAML that come
// from attributes (Service Authorization Reference; IAM User Guide,
// "Available keys for SAML-based AWS STS federation").
var samlKeys = map[string]bool{
	"saml:cn": true, "saml:commonName": true, "saml:eduorghomepageuri": true,
	"saml:eduorgidentityauthnpolicyuri": true, "saml:eduorglegalname": true, "saml:eduorgsuperioruri": true,
	"saml:eduorgwhitepagesuri": true, "saml:edupersonaffiliation": true, "saml:edupersonassurance": true,
	"saml:edupersonentitlement": true, "saml:edupersonnickname": true, "saml:edupersonorgdn": true,
	"saml:edupersonorgunitdn": true, "saml:edupersonprimaryaffiliation": true, "saml:edupersonprimaryorgunitdn": true,
	"saml:edupersonprincipalname": true, "saml:edupersonscopedaffiliation": true, "saml:edupersontargetedid": true,
	"saml:givenName": true, "saml:mail": true, "saml:name": true, "saml:organizationStatus": true,
	"saml:primaryGroupSID": true, "saml:surname": true, "saml:uid": true, "saml:x500UniqueIdentifier": true,
}

// TestAttributeKeys_documented: every mapped key is one AWS documents, and
// every documented attribute key is filled by some attribute.
func TestAttributeKeys_documented(t *testing.T) {
	filled := map[string]bool{}
	for name, keys := range attributeKeys {
		for _, k := range keys {
			if !samlKeys[k] {
				t.Errorf("%s maps to %s, which is not a documented key", name, k)
			}
			filled[k] = true
		}
	}
	for k := range samlKeys {
		if !filled[k] {
			t.Errorf("no attribute fills %s", k)
		}
	}
}
