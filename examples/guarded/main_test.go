package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts/node"
	"github.com/opensts/opensts/sigv4"
)

// call signs a request with the given credentials for service "sts" or
// "iam" (by Version) or "notes", sends it and returns status and body.
func call(t *testing.T, method, target, body, id, secret, token, service string) (int, string) {
	t.Helper()
	r, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if service != "notes" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if err := sigv4.Sign(r, []byte(body), id, secret, token, "us-east-1", service, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func text(body, name string) string {
	_, rest, _ := strings.Cut(body, "<"+name+">")
	v, _, _ := strings.Cut(rest, "</"+name+">")
	return v
}

// The example as the docs run it: an OpenSTS node, the notes service with
// its own key, and a federated user whose session policy allows note 1 only.
func TestExample(t *testing.T) {
	n, err := node.Open(context.Background(), node.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	sts := httptest.NewServer(n.Handler)
	defer sts.Close()
	root := [2]string{n.Root.AccessKeyID, n.Root.SecretAccessKey}
	admin := func(form url.Values) string {
		service := "sts"
		if form.Get("Version") == "2010-05-08" {
			service = "iam"
		}
		code, body := call(t, http.MethodPost, sts.URL+"/", form.Encode(), root[0], root[1], "", service)
		if code != 200 {
			t.Fatalf("%s: %d %s", form.Get("Action"), code, body)
		}
		return body
	}
	iamForm := func(action string, kv ...string) url.Values {
		v := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	admin(iamForm("CreateUser", "UserName", "notes-service"))
	key := admin(iamForm("CreateAccessKey", "UserName", "notes-service"))
	admin(iamForm("PutUserPolicy", "UserName", "notes-service", "PolicyName", "authorize",
		"PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"opensts:AuthorizeRequest","Resource":"*"}]}`))
	h, err := Handler(sts.URL, text(key, "AccessKeyId"), text(key, "SecretAccessKey"))
	if err != nil {
		t.Fatal(err)
	}
	notes := httptest.NewServer(h)
	defer notes.Close()

	fed := admin(url.Values{"Action": {"GetFederationToken"}, "Version": {"2011-06-15"}, "Name": {"reader"},
		"Policy": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"notes:*","Resource":"arn:aws:notes:::note/1"}]}`}})
	id, secret, token := text(fed, "AccessKeyId"), text(fed, "SecretAccessKey"), text(fed, "SessionToken")

	if code, body := call(t, http.MethodPut, notes.URL+"/note/1", "hello", id, secret, token, "notes"); code != 200 || !strings.Contains(body, "federated-user/reader") {
		t.Fatalf("PUT note 1: %d %s", code, body)
	}
	if code, body := call(t, http.MethodGet, notes.URL+"/note/1", "", id, secret, token, "notes"); code != 200 || !strings.Contains(body, "hello") {
		t.Fatalf("GET note 1: %d %s", code, body)
	}
	if code, body := call(t, http.MethodGet, notes.URL+"/note/2", "", id, secret, token, "notes"); code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") || !strings.Contains(body, "Encoded authorization failure message: ") {
		t.Fatalf("GET note 2: %d %s", code, body)
	}
	if code, body := call(t, http.MethodGet, notes.URL+"/note/1", "", id, "wrong"+secret[5:], token, "notes"); code != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Fatalf("wrong secret: %d %s", code, body)
	}
	if code, body := call(t, http.MethodGet, notes.URL+"/note/1", "", id, secret, token, "sts"); code != 403 || !strings.Contains(body, "Credential should be scoped to correct service: 'notes'") {
		t.Fatalf("signed for another service: %d %s", code, body)
	}
}
