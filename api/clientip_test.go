package api

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// The client address behind a trusted reverse proxy comes from
// X-Forwarded-For; from anyone else that header is ignored.
func TestClientIP(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	cases := []struct {
		remote, xff, want string
	}{
		{"203.0.113.7:4000", "", "203.0.113.7"},
		{"203.0.113.7:4000", "198.51.100.1", "203.0.113.7"},
		{"10.1.1.1:4000", "198.51.100.1", "198.51.100.1"},
		{"10.1.1.1:4000", "192.0.2.9, 198.51.100.1, 10.2.2.2", "198.51.100.1"},
		{"10.1.1.1:4000", "not-an-ip", "10.1.1.1"},
		{"10.1.1.1:4000", "", "10.1.1.1"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := s.clientIP(r); got != tc.want {
			t.Errorf("%s via %q: %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}
