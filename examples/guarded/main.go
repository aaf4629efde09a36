// Command guarded is a runnable example of a Go service protected by
// OpenSTS with package guard: a tiny note store where reading note N is the
// action notes:GetNote on arn:aws:notes:::note/N and writing it is
// notes:PutNote. Every request must be SigV4-signed (service name "notes")
// with OpenSTS credentials whose policies allow the action.
//
//	export GUARD_ACCESS_KEY_ID=… GUARD_SECRET_ACCESS_KEY=…   # the service's own key (needs opensts:AuthorizeRequest)
//	go run ./examples/guarded -opensts http://127.0.0.1:7070 -listen 127.0.0.1:8080
//	curl --aws-sigv4 aws:amz:us-east-1:notes --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
//	     -H "x-amz-security-token: $AWS_SESSION_TOKEN" http://127.0.0.1:8080/note/1
//
// See docs/authorizing-requests.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/opensts/opensts/guard"
)

func main() {
	endpoint := flag.String("opensts", "http://127.0.0.1:7070", "OpenSTS endpoint")
	listen := flag.String("listen", "127.0.0.1:8080", "address to serve on")
	flag.Parse()
	h, err := Handler(*endpoint, os.Getenv("GUARD_ACCESS_KEY_ID"), os.Getenv("GUARD_SECRET_ACCESS_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("notes service on http://%s, authorized by %s", *listen, *endpoint)
	log.Fatal(http.ListenAndServe(*listen, h))
}

// Handler is the guarded notes service.
func Handler(endpoint, accessKeyID, secret string) (http.Handler, error) {
	g, err := guard.New(guard.Config{
		Endpoint: endpoint, AccessKeyID: accessKeyID, SecretAccessKey: secret,
		Service: "notes",
		Authorize: func(r *http.Request) (string, string) {
			id, ok := strings.CutPrefix(r.URL.Path, "/note/")
			if !ok || id == "" {
				return "", ""
			}
			resource := "arn:aws:notes:::note/" + id
			switch r.Method {
			case http.MethodGet:
				return "notes:GetNote", resource
			case http.MethodPut:
				return "notes:PutNote", resource
			}
			return "", ""
		},
	})
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	notes := map[string]string{}
	return g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, _ := guard.PrincipalFrom(r.Context())
		id := strings.TrimPrefix(r.URL.Path, "/note/")
		mu.Lock()
		defer mu.Unlock()
		switch r.Method {
		case http.MethodPut:
			b, _ := io.ReadAll(r.Body)
			notes[id] = string(b)
			fmt.Fprintf(w, "note %s saved by %s\n", id, who.ARN)
		default:
			fmt.Fprintf(w, "note %s for %s: %s\n", id, who.ARN, notes[id])
		}
	})), nil
}
