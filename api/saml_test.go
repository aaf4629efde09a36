package api_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// SAML provider operations (roles-spec §4.2).

const (
	goldenSAMLARN  = "arn:aws:iam::" + testAccount + ":saml-provider/Okta"
	samlARNPrefix  = "arn:aws:iam::" + testAccount + ":saml-provider/"
	samlNotFoundOf = "Manifest not found for arn "
	samlBadMeta    = "Could not parse metadata."
)

// samlMetadata is a realistic IdP metadata document (a Keycloak-style
// export with a signing and an encryption certificate).
func samlMetadata(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "saml-metadata.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withValidUntil adds validUntil to the metadata's EntityDescriptor.
func withValidUntil(doc, until string) string {
	return strings.Replace(doc, ` entityID=`, ` validUntil="`+until+`" entityID=`, 1)
}

// TestGolden_SAMLProviders pins the response shapes.
func TestGolden_SAMLProviders(t *testing.T) {
	h := newHarness(t)
	doc := samlMetadata(t)
	cases := []struct {
		file string
		send func(t *testing.T) response
	}{
		{"CreateSAMLProvider.xml", func(t *testing.T) response {
			return h.do(root, iamForm("CreateSAMLProvider", "Name", "Okta", "SAMLMetadataDocument", doc,
				"Tags.member.1.Key", "team", "Tags.member.1.Value", "blue"))
		}},
		{"CreateSAMLProvider-bare.xml", func(t *testing.T) response {
			return h.do(root, iamForm("CreateSAMLProvider", "Name", "ADFS", "SAMLMetadataDocument", withValidUntil(doc, "2030-06-01T00:00:00Z")))
		}},
		{"GetSAMLProvider.xml", func(t *testing.T) response {
			return h.do(root, iamForm("GetSAMLProvider", "SAMLProviderArn", goldenSAMLARN))
		}},
		{"ListSAMLProviders.xml", func(t *testing.T) response { return h.do(root, iamForm("ListSAMLProviders")) }},
		{"ListSAMLProviderTags.xml", func(t *testing.T) response {
			return h.do(root, iamForm("ListSAMLProviderTags", "SAMLProviderArn", goldenSAMLARN))
		}},
		{"UpdateSAMLProvider.xml", func(t *testing.T) response {
			return h.do(root, iamForm("UpdateSAMLProvider", "SAMLProviderArn", goldenSAMLARN, "SAMLMetadataDocument", doc))
		}},
		{"DeleteSAMLProvider-NoSuchEntity.xml", func(t *testing.T) response {
			return h.do(root, iamForm("DeleteSAMLProvider", "SAMLProviderArn", samlARNPrefix+"Gone"))
		}},
		{"CreateSAMLProvider-EntityAlreadyExists.xml", func(t *testing.T) response {
			return h.do(root, iamForm("CreateSAMLProvider", "Name", "okta", "SAMLMetadataDocument", doc))
		}},
		{"CreateSAMLProvider-InvalidInput.xml", func(t *testing.T) response {
			return h.do(root, iamForm("CreateSAMLProvider", "Name", "Broken", "SAMLMetadataDocument", strings.Repeat(" ", 1000)+"<x/>"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) { checkGolden(t, tc.file, tc.send(t)) })
	}
}

// TestGolden_SAMLProvidersSDKDecodes reads the goldens with aws-sdk-go-v2.
func TestGolden_SAMLProvidersSDKDecodes(t *testing.T) {
	ctx := context.Background()
	iamc := func(t *testing.T, file string, status int) *iamsdk.Client {
		return iamsdk.NewFromConfig(sdkConfig(t, file, status))
	}
	arn := aws.String(goldenSAMLARN)
	doc := aws.String(samlMetadata(t))
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t.Run("Create", func(t *testing.T) {
		out, err := iamc(t, "CreateSAMLProvider.xml", 0).CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("Okta"), SAMLMetadataDocument: doc})
		if err != nil || aws.ToString(out.SAMLProviderArn) != goldenSAMLARN || len(out.Tags) != 1 || *out.Tags[0].Key != "team" {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("Create bare", func(t *testing.T) {
		out, err := iamc(t, "CreateSAMLProvider-bare.xml", 0).CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("ADFS"), SAMLMetadataDocument: doc})
		if err != nil || aws.ToString(out.SAMLProviderArn) != samlARNPrefix+"ADFS" || out.Tags != nil {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("Get", func(t *testing.T) {
		out, err := iamc(t, "GetSAMLProvider.xml", 0).GetSAMLProvider(ctx, &iamsdk.GetSAMLProviderInput{SAMLProviderArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.SAMLMetadataDocument) != *doc || aws.ToString(out.SAMLProviderUUID) != "UUID" ||
			!aws.ToTime(out.CreateDate).Equal(created) || !aws.ToTime(out.ValidUntil).Equal(created.AddDate(100, 0, 0)) ||
			out.AssertionEncryptionMode != iamtypes.AssertionEncryptionModeTypeAllowed || len(out.PrivateKeyList) != 0 ||
			len(out.Tags) != 1 || *out.Tags[0].Value != "blue" {
			t.Fatalf("decoded %+v", out)
		}
	})
	t.Run("List", func(t *testing.T) {
		out, err := iamc(t, "ListSAMLProviders.xml", 0).ListSAMLProviders(ctx, &iamsdk.ListSAMLProvidersInput{})
		if err != nil || len(out.SAMLProviderList) != 2 {
			t.Fatalf("decoded %+v %v", out, err)
		}
		adfs, okta := out.SAMLProviderList[0], out.SAMLProviderList[1]
		if aws.ToString(adfs.Arn) != samlARNPrefix+"ADFS" || !aws.ToTime(adfs.ValidUntil).Equal(time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)) ||
			!aws.ToTime(adfs.CreateDate).Equal(created) || aws.ToString(okta.Arn) != goldenSAMLARN || !aws.ToTime(okta.ValidUntil).Equal(created.AddDate(100, 0, 0)) {
			t.Fatalf("decoded %+v", out.SAMLProviderList)
		}
	})
	t.Run("ListTags", func(t *testing.T) {
		out, err := iamc(t, "ListSAMLProviderTags.xml", 0).ListSAMLProviderTags(ctx, &iamsdk.ListSAMLProviderTagsInput{SAMLProviderArn: arn})
		if err != nil || len(out.Tags) != 1 || out.IsTruncated {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("Update", func(t *testing.T) {
		out, err := iamc(t, "UpdateSAMLProvider.xml", 0).UpdateSAMLProvider(ctx, &iamsdk.UpdateSAMLProviderInput{SAMLProviderArn: arn, SAMLMetadataDocument: doc})
		if err != nil || aws.ToString(out.SAMLProviderArn) != goldenSAMLARN {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("NoSuchEntity", func(t *testing.T) {
		_, err := iamc(t, "DeleteSAMLProvider-NoSuchEntity.xml", 404).DeleteSAMLProvider(ctx, &iamsdk.DeleteSAMLProviderInput{SAMLProviderArn: arn})
		var nse *iamtypes.NoSuchEntityException
		if !errors.As(err, &nse) || nse.ErrorMessage() != samlNotFoundOf+samlARNPrefix+"Gone" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("EntityAlreadyExists", func(t *testing.T) {
		_, err := iamc(t, "CreateSAMLProvider-EntityAlreadyExists.xml", 409).CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: doc})
		var eae *iamtypes.EntityAlreadyExistsException
		if !errors.As(err, &eae) || eae.ErrorMessage() != "SAMLProvider with name okta already exists." {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("InvalidInput", func(t *testing.T) {
		_, err := iamc(t, "CreateSAMLProvider-InvalidInput.xml", 400).CreateSAMLProvider(ctx, &iamsdk.CreateSAMLProviderInput{Name: aws.String("Broken"), SAMLMetadataDocument: doc})
		var ii *iamtypes.InvalidInputException
		if !errors.As(err, &ii) || ii.ErrorMessage() != samlBadMeta {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestSAMLProviders_Validation: every refusal, with its code and text.
func TestSAMLProviders_Validation(t *testing.T) {
	h := newHarness(t)
	doc := samlMetadata(t)
	mustOK(t, h.do(root, iamForm("CreateSAMLProvider", "Name", "Okta", "SAMLMetadataDocument", doc)))
	short := strings.Repeat("x", 999)
	longName := strings.Repeat("n", 129)
	noSigning := strings.Replace(doc, `use="signing"`, `use="encryption"`, 1)
	encErr := "Encrypted SAML assertions are not supported by OpenSTS: AssertionEncryptionMode Required, AddPrivateKey and RemovePrivateKey are refused."
	cases := []struct {
		name          string
		form          []string
		status        int
		code, message string
	}{
		{"fail/no metadata", []string{"CreateSAMLProvider", "Name", "X"}, 400, "ValidationError",
			"1 validation error detected: Value null at 'sAMLMetadataDocument' failed to satisfy constraint: Member must not be null"},
		{"fail/metadata too short", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", short}, 400, "ValidationError",
			"1 validation error detected: Value '" + short + "' at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length greater than or equal to 1000"},
		{"fail/no name", []string{"CreateSAMLProvider", "SAMLMetadataDocument", doc}, 400, "ValidationError",
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"fail/name too long", []string{"CreateSAMLProvider", "Name", longName, "SAMLMetadataDocument", doc}, 400, "ValidationError",
			"1 validation error detected: Value '" + longName + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"fail/name with a slash", []string{"CreateSAMLProvider", "Name", "a/b", "SAMLMetadataDocument", doc}, 400, "ValidationError",
			"1 validation error detected: Value 'a/b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w._-]+"},
		{"fail/unknown encryption mode", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", doc, "AssertionEncryptionMode", "Sometimes"}, 400, "ValidationError",
			"1 validation error detected: Value 'Sometimes' at 'assertionEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: [Required, Allowed]"},
		{"fail/encryption required", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", doc, "AssertionEncryptionMode", "Required"}, 400, "InvalidInput", encErr},
		{"fail/private key", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", doc, "AddPrivateKey", "-----BEGIN PRIVATE KEY-----"}, 400, "InvalidInput", encErr},
		{"fail/private key out of the model's characters", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", doc, "AddPrivateKey", "key\u0100"}, 400, "ValidationError",
			"1 validation error detected: Value at 'addPrivateKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
		{"fail/not metadata", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", strings.Repeat("<a/>", 300)}, 400, "InvalidInput", samlBadMeta},
		{"fail/no signing certificate", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", noSigning}, 400, "InvalidInput", samlBadMeta},
		{"fail/BOM", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", "\uFEFF" + doc}, 400, "InvalidInput", samlBadMeta},
		{"fail/DOCTYPE", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", strings.Replace(doc, "?>", "?><!DOCTYPE x>", 1)}, 400, "InvalidInput", samlBadMeta},
		{"fail/duplicate name", []string{"CreateSAMLProvider", "Name", "OKTA", "SAMLMetadataDocument", doc}, 409, "EntityAlreadyExists",
			"SAMLProvider with name OKTA already exists."},
		{"fail/duplicate tag keys", []string{"CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", doc,
			"Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "A", "Tags.member.2.Value", "2"}, 400, "InvalidInput",
			"Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"fail/get without arn", []string{"GetSAMLProvider"}, 400, "ValidationError",
			"1 validation error detected: Value null at 'sAMLProviderArn' failed to satisfy constraint: Member must not be null"},
		{"fail/get short arn", []string{"GetSAMLProvider", "SAMLProviderArn", "arn:aws:iam::1"}, 400, "ValidationError",
			"1 validation error detected: Value 'arn:aws:iam::1' at 'sAMLProviderArn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"fail/get unknown", []string{"GetSAMLProvider", "SAMLProviderArn", samlARNPrefix + "Other"}, 404, "NoSuchEntity", samlNotFoundOf + samlARNPrefix + "Other"},
		{"fail/get another account", []string{"GetSAMLProvider", "SAMLProviderArn", "arn:aws:iam::210987654321:saml-provider/Okta"}, 404, "NoSuchEntity",
			samlNotFoundOf + "arn:aws:iam::210987654321:saml-provider/Okta"},
		{"fail/get an OIDC provider arn", []string{"GetSAMLProvider", "SAMLProviderArn", oidcARNPrefix + "Okta"}, 404, "NoSuchEntity",
			samlNotFoundOf + oidcARNPrefix + "Okta"},
		{"fail/update bad metadata", []string{"UpdateSAMLProvider", "SAMLProviderArn", goldenSAMLARN, "SAMLMetadataDocument", strings.Repeat("<a/>", 300)}, 400, "InvalidInput", samlBadMeta},
		{"fail/update metadata too short", []string{"UpdateSAMLProvider", "SAMLProviderArn", goldenSAMLARN, "SAMLMetadataDocument", short}, 400, "ValidationError",
			"1 validation error detected: Value '" + short + "' at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length greater than or equal to 1000"},
		{"fail/update remove key", []string{"UpdateSAMLProvider", "SAMLProviderArn", goldenSAMLARN, "RemovePrivateKey", strings.Repeat("A", 22)}, 400, "InvalidInput", encErr},
		{"fail/update remove key id too short", []string{"UpdateSAMLProvider", "SAMLProviderArn", goldenSAMLARN, "RemovePrivateKey", "ABC"}, 400, "ValidationError",
			"1 validation error detected: Value 'ABC' at 'removePrivateKey' failed to satisfy constraint: Member must have length greater than or equal to 22"},
		{"fail/update unknown", []string{"UpdateSAMLProvider", "SAMLProviderArn", samlARNPrefix + "Other", "SAMLMetadataDocument", doc}, 404, "NoSuchEntity",
			samlNotFoundOf + samlARNPrefix + "Other"},
		{"fail/tag without tags", []string{"TagSAMLProvider", "SAMLProviderArn", goldenSAMLARN}, 400, "ValidationError",
			"1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"fail/untag without keys", []string{"UntagSAMLProvider", "SAMLProviderArn", goldenSAMLARN}, 400, "ValidationError",
			"1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{"fail/list tags max items", []string{"ListSAMLProviderTags", "SAMLProviderArn", goldenSAMLARN, "MaxItems", "0"}, 400, "ValidationError",
			"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"fail/delete unknown", []string{"DeleteSAMLProvider", "SAMLProviderArn", samlARNPrefix + "X"}, 404, "NoSuchEntity", samlNotFoundOf + samlARNPrefix + "X"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, h.do(root, iamForm(tc.form[0], tc.form[1:]...)), tc.status, tc.code, tc.message)
		})
	}
	// Nothing refused was created or changed.
	list := mustOK(t, h.do(root, iamForm("ListSAMLProviders"))).body
	if n := strings.Count(list, "<Arn>"); n != 1 {
		t.Fatalf("%d providers after the refusals:\n%s", n, list)
	}
	if got := between(mustOK(t, h.do(root, iamForm("GetSAMLProvider", "SAMLProviderArn", goldenSAMLARN))).body, "SAMLMetadataDocument"); got != xmlEscape(doc) {
		t.Fatalf("metadata changed by a refused update:\n%s", got)
	}
}

// TestSAMLProviders_Lifecycle: create, update, tags, delete, the quota on
// names without case, and the audit trail.
func TestSAMLProviders_Lifecycle(t *testing.T) {
	h := newHarness(t, withAudit)
	doc := samlMetadata(t)
	arnParam := []string{"SAMLProviderArn", goldenSAMLARN}
	do := func(action string, kv ...string) response {
		t.Helper()
		return mustOK(t, h.do(root, iamForm(action, append(append([]string(nil), arnParam...), kv...)...)))
	}
	created := mustOK(t, h.do(root, iamForm("CreateSAMLProvider", "Name", "Okta", "SAMLMetadataDocument", doc, "AssertionEncryptionMode", "Allowed")))
	if between(created.body, "SAMLProviderArn") != goldenSAMLARN {
		t.Fatalf("create:\n%s", created.body)
	}
	get := func() string { return do("GetSAMLProvider").body }
	first := get()
	uuid := between(first, "SAMLProviderUUID")
	if len(uuid) != 32 || strings.Trim(uuid, "0123456789ABCDEF") != "" || between(first, "ValidUntil") != "2126-01-02T03:04:05Z" {
		t.Fatalf("get:\n%s", first)
	}
	// The ARN's name is matched without case, as IAM's names are.
	if got := mustOK(t, h.do(root, iamForm("GetSAMLProvider", "SAMLProviderArn", samlARNPrefix+"OKTA"))).body; between(got, "SAMLProviderUUID") != uuid {
		t.Fatalf("get in another case:\n%s", got)
	}

	// Update: new metadata, its validUntil; the same UUID and dates.
	updated := withValidUntil(strings.Replace(doc, "realms/corp", "realms/corp2", -1), "2031-02-03T04:05:06Z")
	if got := do("UpdateSAMLProvider", "SAMLMetadataDocument", updated).body; between(got, "SAMLProviderArn") != goldenSAMLARN {
		t.Fatalf("update:\n%s", got)
	}
	after := get()
	if between(after, "SAMLMetadataDocument") != xmlEscape(updated) || between(after, "ValidUntil") != "2031-02-03T04:05:06Z" ||
		between(after, "SAMLProviderUUID") != uuid || between(after, "CreateDate") != between(first, "CreateDate") {
		t.Fatalf("after update:\n%s", after)
	}
	// Without a document (or with Allowed alone) nothing changes.
	do("UpdateSAMLProvider", "AssertionEncryptionMode", "Allowed")
	if between(get(), "GetSAMLProviderResult") != between(after, "GetSAMLProviderResult") {
		t.Fatal("an update without a document changed the provider")
	}
	// Back to metadata without validUntil: 100 years after creation.
	do("UpdateSAMLProvider", "SAMLMetadataDocument", doc)
	if got := between(get(), "ValidUntil"); got != "2126-01-02T03:04:05Z" {
		t.Fatalf("ValidUntil after metadata without validUntil: %s", got)
	}

	do("TagSAMLProvider", "Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "b", "Tags.member.2.Value", "2",
		"Tags.member.3.Key", "c", "Tags.member.3.Value", "3")
	do("TagSAMLProvider", "Tags.member.1.Key", "A", "Tags.member.1.Value", "one")
	do("UntagSAMLProvider", "TagKeys.member.1", "B", "TagKeys.member.2", "absent")
	page := do("ListSAMLProviderTags", "MaxItems", "1").body
	if between(page, "Key") != "A" || between(page, "Value") != "one" || between(page, "IsTruncated") != "true" || between(page, "Marker") == "" {
		t.Fatalf("first tag page:\n%s", page)
	}
	page = do("ListSAMLProviderTags", "Marker", between(page, "Marker")).body
	if between(page, "Key") != "c" || between(page, "IsTruncated") != "false" || strings.Contains(page, "<Marker>") {
		t.Fatalf("second tag page:\n%s", page)
	}
	var tags []string
	for i := range 49 { // two kept + 49 new > 50
		tags = append(tags, fmt.Sprintf("Tags.member.%d.Key", i+1), fmt.Sprintf("k%d", i), fmt.Sprintf("Tags.member.%d.Value", i+1), "v")
	}
	wantError(t, h.do(root, iamForm("TagSAMLProvider", append(arnParam, tags...)...)), 409, "LimitExceeded",
		"The number of tags has reached the maximum limit.")
	wantError(t, h.do(root, iamForm("CreateSAMLProvider", "Name", "X", "SAMLMetadataDocument", doc, "AddPrivateKey", "SECRET-PEM")), 400, "InvalidInput", "")

	do("DeleteSAMLProvider")
	wantError(t, h.do(root, iamForm("GetSAMLProvider", arnParam...)), 404, "NoSuchEntity", samlNotFoundOf+goldenSAMLARN)
	wantError(t, h.do(root, iamForm("DeleteSAMLProvider", arnParam...)), 404, "NoSuchEntity", samlNotFoundOf+goldenSAMLARN)
	if list := mustOK(t, h.do(root, iamForm("ListSAMLProviders"))).body; strings.Contains(list, "<member>") {
		t.Fatalf("list after delete:\n%s", list)
	}
	// The name is free again; the new provider is another one.
	mustOK(t, h.do(root, iamForm("CreateSAMLProvider", "Name", "okta", "SAMLMetadataDocument", doc)))
	if got := between(mustOK(t, h.do(root, iamForm("GetSAMLProvider", "SAMLProviderArn", samlARNPrefix+"okta"))).body, "SAMLProviderUUID"); got == uuid {
		t.Fatal("a provider created again kept its predecessor's UUID")
	}

	// Every change is audited, reads are not; a private key never is.
	if err := h.node.Audit.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(h.node.DataDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	audit := string(data)
	for action, want := range map[string]int{
		"CreateSAMLProvider": 3, "UpdateSAMLProvider": 3, "TagSAMLProvider": 3, "UntagSAMLProvider": 1, "DeleteSAMLProvider": 2,
		"GetSAMLProvider": 0, "ListSAMLProviders": 0, "ListSAMLProviderTags": 0,
	} {
		if got := strings.Count(audit, `"`+action+`"`); got != want {
			t.Errorf("%d audit records of %s, want %d", got, action, want)
		}
	}
	if strings.Contains(audit, "SECRET-PEM") {
		t.Error("AddPrivateKey reached the audit trail")
	}
}

// TestSAMLProviders_Authorization: each action is iam:<Action> on the
// provider's ARN, with the provider's tags as aws:ResourceTag and a
// request's tags as aws:RequestTag.
func TestSAMLProviders_Authorization(t *testing.T) {
	h := newHarness(t)
	doc := samlMetadata(t)
	alice := h.mustUser("alice")
	mustOK(t, h.do(root, iamForm("CreateSAMLProvider", "Name", "Okta", "SAMLMetadataDocument", doc, "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue")))
	mustOK(t, h.do(root, iamForm("CreateSAMLProvider", "Name", "Red", "SAMLMetadataDocument", doc, "Tags.member.1.Key", "team", "Tags.member.1.Value", "red")))
	policy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetSAMLProvider","iam:DeleteSAMLProvider"],"Resource":"arn:aws:iam::*:saml-provider/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},
		{"Effect":"Allow","Action":"iam:CreateSAMLProvider","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"}}},
		{"Effect":"Allow","Action":"iam:ListSAMLProviders","Resource":"*"}]}`
	mustOK(t, h.do(root, iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "saml", "PolicyDocument", policy)))

	mustOK(t, h.do(alice, iamForm("GetSAMLProvider", "SAMLProviderArn", goldenSAMLARN)))
	mustOK(t, h.do(alice, iamForm("ListSAMLProviders")))
	red := samlARNPrefix + "Red"
	wantError(t, h.do(alice, iamForm("GetSAMLProvider", "SAMLProviderArn", red)), 403, "AccessDenied",
		"User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:GetSAMLProvider on resource: "+red+
			" because no identity-based policy allows the iam:GetSAMLProvider action")
	wantError(t, h.do(alice, iamForm("DeleteSAMLProvider", "SAMLProviderArn", red)), 403, "AccessDenied", "")
	wantError(t, h.do(alice, iamForm("UpdateSAMLProvider", "SAMLProviderArn", goldenSAMLARN, "SAMLMetadataDocument", doc)), 403, "AccessDenied",
		"User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:UpdateSAMLProvider on resource: "+goldenSAMLARN+
			" because no identity-based policy allows the iam:UpdateSAMLProvider action")
	wantError(t, h.do(alice, iamForm("CreateSAMLProvider", "Name", "Green", "SAMLMetadataDocument", doc, "Tags.member.1.Key", "team", "Tags.member.1.Value", "green")), 403, "AccessDenied",
		"User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:CreateSAMLProvider on resource: "+samlARNPrefix+"Green"+
			" because no identity-based policy allows the iam:CreateSAMLProvider action")
	mustOK(t, h.do(alice, iamForm("CreateSAMLProvider", "Name", "Blue", "SAMLMetadataDocument", doc, "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue")))
	mustOK(t, h.do(alice, iamForm("DeleteSAMLProvider", "SAMLProviderArn", samlARNPrefix+"Blue")))
}
