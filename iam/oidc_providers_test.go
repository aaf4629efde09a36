package iam_test

import (
	"errors"
	"testing"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/iam"
)

func TestValidOIDCProviderURL(t *testing.T) {
	cases := []struct {
		url string
		ok  bool
	}{
		{"https://oidc.example.com", true},
		{"https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", true},
		{"https://token.actions.githubusercontent.com", true},
		{"https://tenant.auth0.com/", true},
		{"https://Example.COM/Path", true},
		{"https://xn--bcher-kva.example/a/b", true},
		{"https://127.0.0.1/issuer", true},
		{"", false},
		{"https://", false},
		{"https:///path", false},
		{"http://oidc.example.com", false},
		{"HTTPS://oidc.example.com", false},
		{"oidc.example.com", false},
		{"https://oidc.example.com:443", false},
		{"https://oidc.example.com:", false},
		{"https://[::1]/x", false},
		{"https://oidc.example.com?x=1", false},
		{"https://oidc.example.com/?", false},
		{"https://oidc.example.com/#frag", false},
		{"https://user:pw@oidc.example.com", false},
		{"https://oidc.example.com/a b", false},
		{"https://oidc.example.com/a\tb", false},
		{"https://oidc.example.com/\x00", false},
		{"https://oidc.example.com\\evil", false},
		{"https://oidc.example.com/%zz", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			err := iam.ValidOIDCProviderURL(tc.url)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidOIDCProviderURL(%q) = %v, want ok %v", tc.url, err, tc.ok)
			}
			if err != nil && !errors.Is(err, opensts.ErrInvalidInput) {
				t.Fatalf("ValidOIDCProviderURL(%q) = %v, want InvalidInput", tc.url, err)
			}
		})
	}
}
