package issuer

import (
	"fmt"
	"testing"
)

// A valid policy is accepted again from the cache; an invalid one is
// refused every time with its parse error, and is never cached.
func TestCheckSessionPolicy(t *testing.T) {
	valid := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	invalid := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`
	for i := range 2 {
		if err := checkSessionPolicy(valid); err != nil {
			t.Fatalf("valid policy, check %d: %v", i+1, err)
		}
		if err := checkSessionPolicy(invalid); err == nil {
			t.Fatalf("invalid policy accepted, check %d", i+1)
		}
	}
	for i := range maxValidPolicies + 5 {
		if err := checkSessionPolicy(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"S%d","Effect":"Allow","Action":"*","Resource":"*"}]}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	validPolicies.Lock()
	n := len(validPolicies.m)
	validPolicies.Unlock()
	if n > maxValidPolicies {
		t.Errorf("%d policies remembered, bound %d", n, maxValidPolicies)
	}
	if err := checkSessionPolicy(invalid); err == nil {
		t.Error("invalid policy accepted after the cache started over")
	}
}
