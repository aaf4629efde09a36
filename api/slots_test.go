package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opensts/opensts/access"
	"github.com/opensts/opensts/iam"
	"github.com/opensts/opensts/issuer"
)

// TestServer_MaxConcurrent: with every slot taken, a request whose body has
// been read is refused at once with ServiceUnavailable, before anything
// else is done for it (its dependencies here would fail if used).
func TestServer_MaxConcurrent(t *testing.T) {
	s, err := New(Config{Authenticator: &access.Authenticator{}, Authorizer: &access.Authorizer{},
		Issuer: &issuer.Issuer{}, IAM: &iam.Service{}, MaxConcurrent: 2})
	if err != nil {
		t.Fatal(err)
	}
	s.slots <- struct{}{}
	s.slots <- struct{}{}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	body := w.Body.String()
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(body, "<Code>ServiceUnavailable</Code>") ||
		!strings.Contains(body, `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`) {
		t.Fatalf("%d %s", w.Code, body)
	}
	<-s.slots
	if len(s.slots) != 1 {
		t.Fatalf("a refused request changed the slots: %d taken", len(s.slots))
	}
}
