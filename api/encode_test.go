package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// One response rendered for the JSON protocol and for the audit trail: the
// wire keeps element names and every element; the audit lower-cases the first
// letter of each name and leaves the secret elements out, at any depth.
func TestNodeValue(t *testing.T) {
	result := el("",
		el("Credentials", leaf("AccessKeyId", "ASIAEXAMPLE"), leaf("SecretAccessKey", "secret"), leaf("SessionToken", "token")),
		el("FederatedUser", leaf("Arn", "arn:aws:sts::111122223333:federated-user/Bob")),
		list("Devices", []*node{el("", leaf("SerialNumber", "arn:mfa"), leaf("Base32StringSeed", "seed"))}),
		intLeaf("PackedPolicySize", 7),
	)
	wire := map[string]any{
		"Credentials":      map[string]any{"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret", "SessionToken": "token"},
		"FederatedUser":    map[string]any{"Arn": "arn:aws:sts::111122223333:federated-user/Bob"},
		"Devices":          []any{map[string]any{"SerialNumber": "arn:mfa", "Base32StringSeed": "seed"}},
		"PackedPolicySize": "7",
	}
	if diff := cmp.Diff(wire, result.value(wireKey)); diff != "" {
		t.Errorf("wire value (-want +got):\n%s", diff)
	}
	audited := map[string]any{
		"credentials":      map[string]any{"accessKeyId": "ASIAEXAMPLE"},
		"federatedUser":    map[string]any{"arn": "arn:aws:sts::111122223333:federated-user/Bob"},
		"devices":          []any{map[string]any{"serialNumber": "arn:mfa"}},
		"packedPolicySize": "7",
	}
	if diff := cmp.Diff(audited, result.object(auditKey)); diff != "" {
		t.Errorf("audit object (-want +got):\n%s", diff)
	}
}

func TestIsFormContent(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/x-www-form-urlencoded":                true,
		"application/x-www-form-urlencoded; charset=utf-8": true,
		"Application/X-WWW-Form-URLEncoded ;charset=UTF-8": true,
		" application/x-www-form-urlencoded":               true,
		"":                                                 false,
		"text/plain":                                       false,
		"application/json":                                 false,
		"application/x-www-form-urlencodedX":               false,
		"multipart/form-data; boundary=x":                  false,
	} {
		if got := isFormContent(ct); got != want {
			t.Errorf("isFormContent(%q) = %v, want %v", ct, got, want)
		}
	}
}
