package opensts

import (
	"regexp"
	"testing"
)

func TestKeyIDs(t *testing.T) {
	shape := regexp.MustCompile(`^(AKIA|ASIA)[A-Z2-7]{16}$`)
	for _, acct := range []string{"123456789012", "000000000001", "999999999999", "100000000000"} {
		for _, id := range []string{NewAccessKeyID(acct), NewTemporaryKeyID(acct)} {
			if !shape.MatchString(id) {
				t.Fatalf("%s: bad shape", id)
			}
			got, ok := AccountFromKeyID(id)
			if !ok || got != acct {
				t.Fatalf("AccountFromKeyID(%s) = %q, %v; want %s", id, got, ok, acct)
			}
		}
	}
	if a, b := NewAccessKeyID("123456789012"), NewAccessKeyID("123456789012"); a == b {
		t.Fatal("two key ids are equal")
	}
	for _, bad := range []string{"", "AKIA", "AIDAAAAAAAAAAAAAAAAA", "AKIA7777777777777777", "AKIAaaaaaaaaaaaaaaaa", "AKIAAAAAAAAAAAAAAAAAA"} {
		if _, ok := AccountFromKeyID(bad); ok {
			t.Errorf("AccountFromKeyID(%q) accepted", bad)
		}
	}
}

func TestNewSecretAccessKey(t *testing.T) {
	shape := regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
	if s := NewSecretAccessKey(); !shape.MatchString(s) {
		t.Fatalf("secret %q has the wrong shape", s)
	}
}

func TestNewAccountID(t *testing.T) {
	for range 100 {
		if id := NewAccountID(); !regexp.MustCompile(`^[1-9][0-9]{11}$`).MatchString(id) {
			t.Fatalf("account id %q", id)
		}
	}
}
