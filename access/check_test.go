package access

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
)

// A check must name the service the request was signed for: without one, a
// signature for any service (a presigned STS GetCallerIdentity URL) would do.
func TestCheck_RequiresService(t *testing.T) {
	c := Check{Request: httptest.NewRequest("GET", "http://notes.example.test/", nil), Actions: []string{"notes:GetNote"}}
	if _, err := c.Run(context.Background(), nil, nil); !errors.Is(err, ErrNoService) {
		t.Fatalf("err = %v, want ErrNoService", err)
	}
}
