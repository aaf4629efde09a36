package e2e

import (
	"context"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestIAM_v2_Users(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	c := e.iam(e.root)
	acct := e.node.Root.AccountID

	created, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	if err != nil {
		t.Fatal(err)
	}
	u := created.User
	if *u.Arn != "arn:aws:iam::"+acct+":user/eng/alice" || *u.Path != "/eng/" || len(*u.UserId) != 21 || (*u.UserId)[:4] != "AIDA" {
		t.Fatalf("created user = %+v", u)
	}
	if len(u.Tags) != 1 || *u.Tags[0].Key != "team" {
		t.Fatalf("tags = %+v", u.Tags)
	}

	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	wantAPIError(t, err, "EntityAlreadyExists", "User with name ALICE already exists.")
	var exists *types.EntityAlreadyExistsException
	if !asType(err, &exists) {
		t.Fatalf("err %T is not *types.EntityAlreadyExistsException", err)
	}

	got, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alice")})
	if err != nil {
		t.Fatalf("GetUser is case-insensitive: %v", err)
	}
	if *got.User.UserId != *u.UserId || !got.User.CreateDate.Equal(*u.CreateDate) {
		t.Fatalf("GetUser = %+v, want %+v", got.User, u)
	}

	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	wantAPIError(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")

	rootUser, err := c.GetUser(ctx, &iam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *rootUser.User.Arn != "arn:aws:iam::"+acct+":root" || *rootUser.User.UserId != acct {
		t.Fatalf("root GetUser = %s %s", *rootUser.User.Arn, *rootUser.User.UserId)
	}

	for _, n := range []string{"bob", "carol", "dave"} {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	// Paginate two at a time: every user exactly once, in name order.
	var names []string
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Users) > 2 {
			t.Fatalf("page of %d users with MaxItems 2", len(page.Users))
		}
		for _, u := range page.Users {
			names = append(names, *u.UserName)
		}
	}
	if want := []string{"alice", "bob", "carol", "dave"}; !sort.StringsAreSorted(names) || len(names) != 4 {
		t.Fatalf("listed %v, want %v", names, want)
	}
	eng, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/eng/")})
	if err != nil || len(eng.Users) != 1 || *eng.Users[0].UserName != "alice" {
		t.Fatalf("ListUsers /eng/ = %+v, %v", eng, err)
	}

	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name")})
	wantAPIError(t, err, "ValidationError", `1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
}

func TestIAM_v2_AccessKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	c := e.iam(e.root)
	alice := e.mustUser("alice")

	second, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantAPIError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")

	list, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.AccessKeyMetadata) != 2 || *list.AccessKeyMetadata[0].AccessKeyId != alice.AccessKeyID || list.AccessKeyMetadata[1].Status != types.StatusTypeActive {
		t.Fatalf("ListAccessKeys = %+v", list.AccessKeyMetadata)
	}

	// An IAM user without permissions cannot manage even their own keys.
	_, err = e.iam(alice).ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	wantAPIError(t, err, "AccessDenied", "")

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantAPIError(t, err, "DeleteConflict", "Cannot delete entity, must delete access keys first.")

	_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA"), Status: types.StatusTypeInactive})
	wantAPIError(t, err, "NoSuchEntity", "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.")

	for _, id := range []string{alice.AccessKeyID, *second.AccessKey.AccessKeyId} {
		if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatalf("DeleteUser after its keys: %v", err)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantAPIError(t, err, "NoSuchEntity", "The user with name alice cannot be found.")
	_, err = e.sts(alice).GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")

	// Root manages root keys when UserName is omitted.
	rootKey, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	newRoot := creds{AccessKeyID: *rootKey.AccessKey.AccessKeyId, SecretAccessKey: *rootKey.AccessKey.SecretAccessKey}
	id, err := e.sts(newRoot).GetCallerIdentity(ctx, nil)
	if err != nil || *id.Arn != "arn:aws:iam::"+e.node.Root.AccountID+":root" {
		t.Fatalf("second root key: %v %v", id, err)
	}
}
