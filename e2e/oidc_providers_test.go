package e2e

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const (
	e2eThumb      = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	e2eOtherThumb = "a031c46782e6e6c662c2c87c76da9aa62ccabd8e"
)

// IAM OpenID Connect providers through aws-sdk-go-v2: the calls Terraform's
// aws_iam_openid_connect_provider makes, the whole lifecycle, with AWS's
// shapes and texts (roles-spec §3.3).
func TestIAM_v2_OIDCProviders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	c := e.iam(e.root)
	acct := e.node.Root.AccountID
	issuer := "https://token.actions.githubusercontent.com"
	arn := "arn:aws:iam::" + acct + ":oidc-provider/token.actions.githubusercontent.com"

	// No thumbprint: the list is optional since 2024.
	created, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer),
		ClientIDList: []string{"sts.amazonaws.com"}, Tags: []types.Tag{{Key: aws.String("ci"), Value: aws.String("github")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.OpenIDConnectProviderArn) != arn || len(created.Tags) != 1 {
		t.Fatalf("created %+v", created)
	}
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer)})
	wantAPIError(t, err, "EntityAlreadyExists", "Provider with url "+issuer+" already exists.")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc.example.com:8443")})
	wantAPIError(t, err, "InvalidInput", "Invalid Open ID Connect Provider URL")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc.example.com"), ThumbprintList: []string{"short"}})
	wantAPIError(t, err, "ValidationError", "1 validation error detected: Value 'short' at 'thumbprintList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 40")

	get := func() *iam.GetOpenIDConnectProviderOutput {
		t.Helper()
		out, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := get()
	if aws.ToString(got.Url) != "token.actions.githubusercontent.com" || !slices.Equal(got.ClientIDList, []string{"sts.amazonaws.com"}) ||
		len(got.ThumbprintList) != 0 || got.CreateDate == nil || time.Since(*got.CreateDate) > time.Hour || len(got.Tags) != 1 {
		t.Fatalf("GetOpenIDConnectProvider = %+v", got)
	}

	for range 2 { // idempotent
		if _, err := c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("https://github.com/opensts")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("sts.amazonaws.com")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
		OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: []string{e2eThumb, e2eOtherThumb}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}, {Key: aws.String("CI"), Value: aws.String("actions")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn),
		TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	got = get()
	if !slices.Equal(got.ClientIDList, []string{"https://github.com/opensts"}) || !slices.Equal(got.ThumbprintList, []string{e2eThumb, e2eOtherThumb}) ||
		len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "CI" || aws.ToString(got.Tags[0].Value) != "actions" {
		t.Fatalf("after the changes: %+v %+v", got, got.Tags)
	}
	var keys []string
	p := iam.NewListOpenIDConnectProviderTagsPaginator(c, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn), MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range page.Tags {
			keys = append(keys, aws.ToString(tag.Key))
		}
	}
	if !slices.Equal(keys, []string{"CI"}) {
		t.Fatalf("ListOpenIDConnectProviderTags = %v", keys)
	}

	if _, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{e2eThumb}}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, e := range list.OpenIDConnectProviderList {
		arns = append(arns, aws.ToString(e.Arn))
	}
	if !slices.Equal(arns, []string{"arn:aws:iam::" + acct + ":oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE", arn}) {
		t.Fatalf("ListOpenIDConnectProviders = %v", arns)
	}

	// A user needs iam:<Action> on the provider.
	alice := e.mustUser("alice")
	_, err = e.iam(alice).GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantAPIError(t, err, "AccessDenied", "")

	if _, err := c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	wantAPIError(t, err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn)
	var nse *types.NoSuchEntityException
	_, err = c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if !errors.As(err, &nse) {
		t.Fatalf("DeleteOpenIDConnectProvider twice: %v, want a NoSuchEntityException", err)
	}
	if !strings.Contains(err.Error(), arn) {
		t.Errorf("NoSuchEntity does not name the ARN: %v", err)
	}
}

// cliOIDCProvider is GetOpenIDConnectProvider as the CLI prints it.
type cliOIDCProvider struct {
	Url                          string
	ClientIDList, ThumbprintList []string
	CreateDate                   string
}

// OIDC providers with the AWS CLI: create, get, list, delete, as
// `aws iam create-open-id-connect-provider` documents them.
func TestCLI_OIDCProviders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	acct := e.node.Root.AccountID
	arn := "arn:aws:iam::" + acct + ":oidc-provider/gitlab.example.com"

	var created struct{ OpenIDConnectProviderArn string }
	c.json(e.root, &created, "iam", "create-open-id-connect-provider", "--url", "https://gitlab.example.com",
		"--client-id-list", "sts.amazonaws.com", "--thumbprint-list", e2eThumb)
	if created.OpenIDConnectProviderArn != arn {
		t.Fatalf("create-open-id-connect-provider = %+v", created)
	}
	var got cliOIDCProvider
	c.json(e.root, &got, "iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
	if got.Url != "gitlab.example.com" || !slices.Equal(got.ClientIDList, []string{"sts.amazonaws.com"}) ||
		!slices.Equal(got.ThumbprintList, []string{e2eThumb}) || got.CreateDate == "" {
		t.Fatalf("get-open-id-connect-provider = %+v", got)
	}
	var list struct{ OpenIDConnectProviderList []struct{ Arn string } }
	c.json(e.root, &list, "iam", "list-open-id-connect-providers")
	if len(list.OpenIDConnectProviderList) != 1 || list.OpenIDConnectProviderList[0].Arn != arn {
		t.Fatalf("list-open-id-connect-providers = %+v", list)
	}
	// --thumbprint-list again: CLIs older than the 2024 model (Debian's
	// 2.9.19) require it.
	c.fails(e.root, "EntityAlreadyExists", "Provider with url https://gitlab.example.com already exists.",
		"iam", "create-open-id-connect-provider", "--url", "https://gitlab.example.com", "--thumbprint-list", e2eThumb)
	if _, stderr, err := c.run(e.root, "iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn", arn); err != nil {
		t.Fatalf("delete-open-id-connect-provider: %v\n%s", err, stderr)
	}
	c.fails(e.root, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+arn,
		"iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
	c.json(e.root, &list, "iam", "list-open-id-connect-providers")
	if len(list.OpenIDConnectProviderList) != 0 {
		t.Fatalf("list-open-id-connect-providers after delete = %+v", list)
	}
}
