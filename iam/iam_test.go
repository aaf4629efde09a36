package iam

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/atrest"
	"github.com/opensts/opensts/policy"
	"github.com/opensts/opensts/sqlite"
)

func mustStore(t *testing.T) (opensts.Store, *atrest.Box) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/opensts.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := atrest.New(atrest.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return st, box
}

func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	want := RootCredentials{AccountID: "123456789012", AccessKeyID: "AKIAROOTKEYFORTESTS1", SecretAccessKey: "rootSecretForBootstrapTests/0123456789ab"}

	t.Run("ok/first start uses the operator's values, later starts change nothing", func(t *testing.T) {
		st, box := mustStore(t)
		got, created, err := Bootstrap(ctx, st, box, want, now)
		if err != nil || !created || got != want {
			t.Fatalf("first start: %+v %v %v", got, created, err)
		}
		k, err := st.GetAccessKey(ctx, want.AccessKeyID)
		if err != nil || !k.IsRoot() || strings.Contains(string(k.SealedSecret), want.SecretAccessKey) {
			t.Fatalf("stored root key: %+v %v", k, err)
		}
		got, created, err = Bootstrap(ctx, st, box, want, now)
		if err != nil || created || got.AccountID != want.AccountID || got.SecretAccessKey != "" {
			t.Fatalf("restart: %+v %v %v", got, created, err)
		}
		got, created, err = Bootstrap(ctx, st, box, RootCredentials{}, now)
		if err != nil || created || got.AccountID != want.AccountID {
			t.Fatalf("restart without env: %+v %v %v", got, created, err)
		}
	})
	t.Run("ok/generated", func(t *testing.T) {
		st, box := mustStore(t)
		got, created, err := Bootstrap(ctx, st, box, RootCredentials{}, now)
		if err != nil || !created || len(got.AccountID) != 12 || !strings.HasPrefix(got.AccessKeyID, "AKIA") || len(got.SecretAccessKey) != 40 {
			t.Fatalf("generated: %+v %v %v", got, created, err)
		}
		if acct, ok := opensts.AccountFromKeyID(got.AccessKeyID); !ok || acct != got.AccountID {
			t.Fatalf("generated key id does not name its account")
		}
	})
	cases := []struct {
		name   string
		second RootCredentials
		msg    string
	}{
		{"fail/another secret", RootCredentials{AccessKeyID: want.AccessKeyID, SecretAccessKey: "anotherSecretValue0123456789"}, "does not match the stored secret"},
		{"fail/another key id", RootCredentials{AccessKeyID: "AKIAOTHERROOTKEY0001", SecretAccessKey: want.SecretAccessKey}, "is not a root access key of this store"},
		{"fail/another account", RootCredentials{AccountID: "999999999999"}, "the account is fixed at first start"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, box := mustStore(t)
			if _, _, err := Bootstrap(ctx, st, box, want, now); err != nil {
				t.Fatal(err)
			}
			_, _, err := Bootstrap(ctx, st, box, tc.second, now)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %q", err, tc.msg)
			}
			if strings.Contains(err.Error(), tc.second.SecretAccessKey) && tc.second.SecretAccessKey != "" {
				t.Fatal("the error shows a secret")
			}
		})
	}
	t.Run("fail/master key changed", func(t *testing.T) {
		st, box := mustStore(t)
		if _, _, err := Bootstrap(ctx, st, box, want, now); err != nil {
			t.Fatal(err)
		}
		other, _ := atrest.New(atrest.GenerateKey())
		if _, _, err := Bootstrap(ctx, st, other, want, now); err == nil || !strings.Contains(err.Error(), "master key") {
			t.Fatalf("err = %v", err)
		}
	})
	for _, bad := range []RootCredentials{
		{AccountID: "12345"},
		{AccessKeyID: "AKIAONLYKEYNOSECRET1"},
		{AccessKeyID: "akia-lower", SecretAccessKey: "secretsecretsecret"},
		{AccessKeyID: "AKIAROOTKEYFORTESTS1", SecretAccessKey: "short"},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted", bad)
		}
	}
}

func TestEncodeDocument(t *testing.T) {
	in := `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::a/b+c"}}`
	want := `%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22s3%3A%2A%22%2C%20%22Resource%22%3A%20%22arn%3Aaws%3As3%3A%3A%3Aa%2Fb%2Bc%22%7D%7D`
	if got := EncodeDocument(in); got != want {
		t.Fatalf("EncodeDocument:\n got %s\nwant %s", got, want)
	}
}

// Validation errors carry AWS's member paths and constraint texts.
func TestValidate(t *testing.T) {
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"user name pattern", CreateUserInput{UserName: s("a b")}.Validate(),
			`1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"user name too long", CreateUserInput{UserName: s(strings.Repeat("a", 65))}.Validate(),
			"1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"user name missing", CreateUserInput{}.Validate(),
			"1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
		{"path", CreateUserInput{UserName: s("a"), Path: s("eng")}.Validate(),
			`1 validation error detected: Value 'eng' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
		{"tag value too long", CreateUserInput{UserName: s("a"), Tags: []TagInput{{Key: s("k"), Value: s(strings.Repeat("v", 257))}}}.Validate(),
			"1 validation error detected: Value '" + strings.Repeat("v", 257) + "' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"status enum", UpdateAccessKeyInput{AccessKeyRef: AccessKeyRef{AccessKeyID: s("AKIAAAAAAAAAAAAAAAAA")}, Status: s("Paused")}.Validate(),
			"1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]"},
		{"max items", ListUsersInput{ListInput: ListInput{MaxItems: n(1001)}}.Validate(),
			"1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ve *opensts.ValidationError
			if !errors.As(tc.err, &ve) || ve.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", tc.err, tc.want)
			}
		})
	}
}

// pageOf visits every item exactly once in order, whatever the page size,
// and refuses a marker that names no item.
func TestPageOf(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	for size := int64(1); size <= 6; size++ {
		var got []string
		li := ListInput{MaxItems: &size}
		for {
			p, err := pageOf(items, id, li)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(p.Items)) > size {
				t.Fatalf("page of %d items with MaxItems %d", len(p.Items), size)
			}
			got = append(got, p.Items...)
			if p.Marker == "" {
				break
			}
			m := p.Marker
			li.Marker = &m
		}
		if strings.Join(got, "") != "abcde" {
			t.Fatalf("MaxItems %d visited %v", size, got)
		}
	}
	bad := "z"
	if _, err := pageOf(items, id, ListInput{Marker: &bad}); !errors.Is(err, opensts.ErrInvalidInput) {
		t.Fatalf("unknown marker: %v", err)
	}
	if p, err := pageOf([]string{}, id, ListInput{}); err != nil || len(p.Items) != 0 || p.Marker != "" {
		t.Fatalf("empty list: %+v %v", p, err)
	}
}

// The AWS managed policies' documents are identity policies and session
// policies OpenSTS accepts, as stored and checked on the way in
// (checkManagedDocument: size and grammar).
func TestAWSManagedPolicyDocuments(t *testing.T) {
	for _, p := range opensts.AWSManagedPolicies() {
		_, doc, _ := opensts.AWSManagedPolicyByID(p.ID)
		if err := checkManagedDocument(doc); err != nil {
			t.Errorf("%s as a managed policy: %v", p.Name, err)
		}
		if _, err := policy.Parse(doc, policy.Session); err != nil {
			t.Errorf("%s as a session policy: %v", p.Name, err)
		}
	}
}
