package guard

import (
	"net/http"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	ok := Config{
		Endpoint: "https://sts.internal:7070", AccessKeyID: "AKIAEXAMPLEEXAMPLE01", SecretAccessKey: "secret",
		Service:   "notes",
		Authorize: func(*http.Request) (string, string) { return "notes:GetNote", "" },
	}
	if _, err := New(ok); err != nil {
		t.Fatalf("ok: %v", err)
	}
	tests := []struct {
		name   string
		change func(*Config)
	}{
		// Without Service a client's signature for any service, such as a
		// presigned STS GetCallerIdentity URL it handed out, would pass.
		{"fail/no service", func(c *Config) { c.Service = "" }},
		{"fail/no endpoint", func(c *Config) { c.Endpoint = "" }},
		{"fail/no credentials", func(c *Config) { c.SecretAccessKey = "" }},
		{"fail/no authorize", func(c *Config) { c.Authorize = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.change(&cfg)
			if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "are required") {
				t.Fatalf("err = %v, want a configuration error", err)
			}
		})
	}
}
