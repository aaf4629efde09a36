package opensts

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestAWSManagedPolicies(t *testing.T) {
	ps := AWSManagedPolicies()
	if !slices.IsSortedFunc(ps, func(a, b ManagedPolicy) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("not sorted by name")
	}
	ids := map[string]bool{}
	for _, p := range ps {
		if ids[p.ID] || !strings.HasPrefix(p.ID, "ANPA") || len(p.ID) != 21 {
			t.Errorf("%s: id %q", p.Name, p.ID)
		}
		ids[p.ID] = true
		if p.ARN() != "arn:aws:iam::aws:policy/"+p.Name {
			t.Errorf("%s: ARN %s", p.Name, p.ARN())
		}
		if p.CreatedAt.IsZero() || p.UpdatedAt.Before(p.CreatedAt) || p.DefaultVersionID == "" {
			t.Errorf("%s: dates %v %v, version %q", p.Name, p.CreatedAt, p.UpdatedAt, p.DefaultVersionID)
		}
		byID, doc, ok := AWSManagedPolicyByID(p.ID)
		if !ok || byID.ID != p.ID || byID.Name != p.Name {
			t.Errorf("AWSManagedPolicyByID(%s) = %+v, %v", p.ID, byID, ok)
		}
		var v struct{ Version string }
		if err := json.Unmarshal([]byte(doc), &v); err != nil || v.Version != "2012-10-17" {
			t.Errorf("%s: document %v", p.Name, err)
		}
		for _, arn := range []string{p.ARN(), strings.ToLower(p.ARN())[:len("arn:aws:iam::aws:policy/")] + strings.ToUpper(p.Name)} {
			if got, d, ok := AWSManagedPolicyByARN(arn); !ok || got.ID != p.ID || d != doc {
				t.Errorf("AWSManagedPolicyByARN(%s) = %+v, %v", arn, got, ok)
			}
		}
	}
	for _, name := range []string{"AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "IAMReadOnlyAccess"} {
		if _, _, ok := AWSManagedPolicyByARN("arn:aws:iam::aws:policy/" + name); !ok {
			t.Errorf("%s missing", name)
		}
	}
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::aws:policy/job-function/AdministratorAccess",
		"arn:aws:iam::123456789012:policy/AdministratorAccess",
		"arn:aws:iam::aws:role/AdministratorAccess",
	} {
		if _, _, ok := AWSManagedPolicyByARN(arn); ok {
			t.Errorf("AWSManagedPolicyByARN(%s) found a policy", arn)
		}
	}
	if !IsAWSManagedPolicyARN("arn:aws:iam::aws:policy/ReadOnlyAccess") || IsAWSManagedPolicyARN("arn:aws:iam::123456789012:policy/X") {
		t.Error("IsAWSManagedPolicyARN")
	}
	if _, _, ok := AWSManagedPolicyByID("ANPAUNKNOWNUNKNOWNUN"); ok {
		t.Error("unknown id found")
	}
}
