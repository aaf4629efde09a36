package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opensts/opensts/guard"
)

// A queue service in front of OpenSTS (through guard and AuthorizeRequest)
// whose queues belong to this account or to another one: a resource
// policy naming the caller is enough for a queue of the caller's own
// account, while for another account's queue the caller's own identity
// policy must allow too (AWS's cross-account evaluation), and an explicit
// Deny in either still wins.
func TestCrossAccount_ResourcePolicyAndIdentityPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acct := e.node.Root.AccountID
	const other = "210987654321"
	if acct == other {
		t.Fatalf("the node's account is %s, the one this test uses as another account", acct)
	}
	svc := e.mustUser("queue-service")
	e.mustPutUserPolicy("queue-service", "authorize", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"opensts:AuthorizeRequest","Resource":"*"}]}`)
	alice := e.mustUser("alice")
	aliceARN := "arn:aws:iam::" + acct + ":user/alice"
	queuePolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + aliceARN + `"},"Action":"sqs:SendMessage","Resource":"*"}]}`

	// Paths are /ACCOUNT/QUEUE.
	g, err := guard.New(guard.Config{
		Endpoint: e.url, AccessKeyID: svc.AccessKeyID, SecretAccessKey: svc.SecretAccessKey, Service: "s3",
		Authorize: func(r *http.Request) (string, string) {
			account, queue, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			return "sqs:SendMessage", "arn:aws:sqs:us-east-1:" + account + ":" + queue
		},
		ResourcePolicy: func(*http.Request, string) string { return queuePolicy },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "sent") })))
	t.Cleanup(srv.Close)
	queues := &objectStore{url: srv.URL}

	check := func(t *testing.T, path string, want int) {
		t.Helper()
		if got := queues.call(t, alice, http.MethodGet, path); got != want {
			t.Errorf("GET %s: status %d, want %d", path, got, want)
		}
	}
	t.Run("no identity policy", func(t *testing.T) {
		check(t, "/"+acct+"/jobs", http.StatusOK)         // the resource policy alone suffices
		check(t, "/"+other+"/jobs", http.StatusForbidden) // another account's: it does not
	})
	t.Run("identity policy allows", func(t *testing.T) {
		e.mustPutUserPolicy("alice", "sqs", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:*:*:*"}]}`)
		check(t, "/"+acct+"/jobs", http.StatusOK)
		check(t, "/"+other+"/jobs", http.StatusOK)
	})
	t.Run("identity policy denies", func(t *testing.T) {
		e.mustPutUserPolicy("alice", "no-other", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sqs:*","Resource":"arn:aws:sqs:*:`+other+`:*"}]}`)
		check(t, "/"+acct+"/jobs", http.StatusOK)
		check(t, "/"+other+"/jobs", http.StatusForbidden)
	})
}
