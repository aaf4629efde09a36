package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// idpMetadata returns an IdP's SAML 2.0 metadata as Shibboleth or Keycloak
// export it, for entityID, with a fresh self-signed RSA 2048 signing
// certificate; validUntil is added when not empty.
func idpMetadata(t *testing.T, entityID, validUntil string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "idp.example.com"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	var wrapped strings.Builder
	for b64 := base64.StdEncoding.EncodeToString(der); b64 != ""; {
		n := min(64, len(b64))
		wrapped.WriteString("\n            " + b64[:n])
		b64 = b64[n:]
	}
	attrs := ""
	if validUntil != "" {
		attrs = ` validUntil="` + validUntil + `"`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="` + entityID + `"` + attrs + `>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>` + wrapped.String() + `
          </ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + entityID + `/sso/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + entityID + `/sso/post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`
}

// IAM SAML providers through aws-sdk-go-v2: the calls Terraform's
// aws_iam_saml_provider makes, the whole lifecycle, with AWS's shapes
// (roles-spec §4.2).
func TestIAM_v2_SAMLProviders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	c := e.iam(e.root)
	acct := e.node.Root.AccountID
	arn := "arn:aws:iam::" + acct + ":saml-provider/Okta"
	doc := idpMetadata(t, "https://idp.example.com/okta", "")

	created, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(doc),
		Tags: []types.Tag{{Key: aws.String("idp"), Value: aws.String("okta")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.SAMLProviderArn) != arn || len(created.Tags) != 1 {
		t.Fatalf("created %+v", created)
	}
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: aws.String(doc)})
	wantAPIError(t, err, "EntityAlreadyExists", "SAMLProvider with name okta already exists.")
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Broken"), SAMLMetadataDocument: aws.String(strings.Replace(doc, "X509Certificate>", "X509Certificate>!", 1))})
	wantAPIError(t, err, "InvalidInput", "Could not parse metadata.")
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Encrypted"), SAMLMetadataDocument: aws.String(doc),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired})
	wantAPIError(t, err, "InvalidInput", "")

	get := func() *iam.GetSAMLProviderOutput {
		t.Helper()
		out, err := c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := get()
	if aws.ToString(got.SAMLMetadataDocument) != doc || aws.ToString(got.SAMLProviderUUID) == "" || got.CreateDate == nil ||
		time.Since(*got.CreateDate) > time.Hour || !aws.ToTime(got.ValidUntil).Equal(got.CreateDate.AddDate(100, 0, 0)) ||
		got.AssertionEncryptionMode != types.AssertionEncryptionModeTypeAllowed || len(got.Tags) != 1 {
		t.Fatalf("GetSAMLProvider = %+v", got)
	}

	rotated := idpMetadata(t, "https://idp.example.com/okta", "2031-01-01T00:00:00Z")
	updated, err := c.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(rotated)})
	if err != nil || aws.ToString(updated.SAMLProviderArn) != arn {
		t.Fatalf("UpdateSAMLProvider = %+v, %v", updated, err)
	}
	after := get()
	if aws.ToString(after.SAMLMetadataDocument) != rotated || !aws.ToTime(after.ValidUntil).Equal(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		aws.ToString(after.SAMLProviderUUID) != aws.ToString(got.SAMLProviderUUID) {
		t.Fatalf("after UpdateSAMLProvider: %+v", after)
	}
	if _, err := c.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"idp"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Fatalf("ListSAMLProviderTags = %+v, %v", tags, err)
	}

	if _, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("ADFS"),
		SAMLMetadataDocument: aws.String(idpMetadata(t, "http://adfs.example.com/adfs/services/trust", ""))}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, p := range list.SAMLProviderList {
		if p.CreateDate == nil || p.ValidUntil == nil {
			t.Errorf("listed without dates: %+v", p)
		}
		arns = append(arns, aws.ToString(p.Arn))
	}
	if !slices.Equal(arns, []string{"arn:aws:iam::" + acct + ":saml-provider/ADFS", arn}) {
		t.Fatalf("ListSAMLProviders = %v", arns)
	}

	// A user needs iam:<Action> on the provider.
	alice := e.mustUser("alice")
	_, err = e.iam(alice).GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantAPIError(t, err, "AccessDenied", "")

	if _, err := c.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantAPIError(t, err, "NoSuchEntity", "Manifest not found for arn "+arn)
	var nse *types.NoSuchEntityException
	_, err = c.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	if !errors.As(err, &nse) {
		t.Fatalf("DeleteSAMLProvider twice: %v, want a NoSuchEntityException", err)
	}
}

// SAML providers with the AWS CLI: create (the metadata from a file, as
// `aws iam create-saml-provider` documents it), get, list, delete.
func TestCLI_SAMLProviders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := newCLI(t, e)
	acct := e.node.Root.AccountID
	arn := "arn:aws:iam::" + acct + ":saml-provider/MySAMLProvider"
	doc := idpMetadata(t, "https://idp.example.com/saml", "2030-01-02T03:04:05Z")
	path := filepath.Join(t.TempDir(), "SAMLMetaData.xml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}

	var created struct{ SAMLProviderArn string }
	c.json(e.root, &created, "iam", "create-saml-provider", "--saml-metadata-document", "file://"+path, "--name", "MySAMLProvider")
	if created.SAMLProviderArn != arn {
		t.Fatalf("create-saml-provider = %+v", created)
	}
	var got struct {
		SAMLMetadataDocument, CreateDate, ValidUntil string
	}
	c.json(e.root, &got, "iam", "get-saml-provider", "--saml-provider-arn", arn)
	if got.SAMLMetadataDocument != doc || got.CreateDate == "" || !strings.HasPrefix(got.ValidUntil, "2030-01-02T03:04:05") {
		t.Fatalf("get-saml-provider = %+v", got)
	}
	var list struct {
		SAMLProviderList []struct{ Arn, ValidUntil, CreateDate string }
	}
	c.json(e.root, &list, "iam", "list-saml-providers")
	if len(list.SAMLProviderList) != 1 || list.SAMLProviderList[0].Arn != arn || list.SAMLProviderList[0].CreateDate == "" {
		t.Fatalf("list-saml-providers = %+v", list)
	}
	c.fails(e.root, "EntityAlreadyExists", "SAMLProvider with name MySAMLProvider already exists.",
		"iam", "create-saml-provider", "--saml-metadata-document", "file://"+path, "--name", "MySAMLProvider")
	if _, stderr, err := c.run(e.root, "iam", "delete-saml-provider", "--saml-provider-arn", arn); err != nil {
		t.Fatalf("delete-saml-provider: %v\n%s", err, stderr)
	}
	c.fails(e.root, "NoSuchEntity", "Manifest not found for arn "+arn, "iam", "get-saml-provider", "--saml-provider-arn", arn)
	c.json(e.root, &list, "iam", "list-saml-providers")
	if len(list.SAMLProviderList) != 0 {
		t.Fatalf("list-saml-providers after delete = %+v", list)
	}
}
