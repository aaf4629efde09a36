package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

// OpenID Connect provider operations (roles-spec §3.3).

const (
	goldenIssuer   = "https://oidc.example.com/id/ABC"
	goldenOIDCARN  = "arn:aws:iam::" + testAccount + ":oidc-provider/oidc.example.com/id/ABC"
	goldenThumb    = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	otherThumb     = "0123456789abcdef0123456789ABCDEF01234567"
	oidcARNPrefix  = "arn:aws:iam::" + testAccount + ":oidc-provider/"
	oidcNotFoundOf = "OpenIDConnect Provider not found for arn "
)

func mustOK(t *testing.T, r response) response {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%d:\n%s", r.status, r.body)
	}
	return r
}

// TestGolden_OIDCProviders pins the response shapes. Its own harness keeps
// the other golden files' request ids unchanged.
func TestGolden_OIDCProviders(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		file string
		send func(t *testing.T) response
	}{
		{"CreateOpenIDConnectProvider.xml", func(t *testing.T) response {
			return h.do(root, iamForm("CreateOpenIDConnectProvider", "Url", goldenIssuer,
				"ClientIDList.member.1", "sts.amazonaws.com", "ClientIDList.member.2", "app",
				"ThumbprintList.member.1", goldenThumb, "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue"))
		}},
		{"CreateOpenIDConnectProvider-bare.xml", func(t *testing.T) response {
			return h.do(root, iamForm("CreateOpenIDConnectProvider", "Url", "https://bare.example.com"))
		}},
		{"GetOpenIDConnectProvider.xml", func(t *testing.T) response {
			return h.do(root, iamForm("GetOpenIDConnectProvider", "OpenIDConnectProviderArn", goldenOIDCARN))
		}},
		{"GetOpenIDConnectProvider-bare.xml", func(t *testing.T) response {
			return h.do(root, iamForm("GetOpenIDConnectProvider", "OpenIDConnectProviderArn", oidcARNPrefix+"bare.example.com"))
		}},
		{"ListOpenIDConnectProviders.xml", func(t *testing.T) response { return h.do(root, iamForm("ListOpenIDConnectProviders")) }},
		{"ListOpenIDConnectProviderTags.xml", func(t *testing.T) response {
			return h.do(root, iamForm("ListOpenIDConnectProviderTags", "OpenIDConnectProviderArn", goldenOIDCARN))
		}},
		{"AddClientIDToOpenIDConnectProvider.xml", func(t *testing.T) response {
			return h.do(root, iamForm("AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", goldenOIDCARN, "ClientID", "more"))
		}},
		{"DeleteOpenIDConnectProvider-NoSuchEntity.xml", func(t *testing.T) response {
			return h.do(root, iamForm("DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", oidcARNPrefix+"gone.example.com"))
		}},
		{"CreateOpenIDConnectProvider-EntityAlreadyExists.xml", func(t *testing.T) response {
			return h.do(root, iamForm("CreateOpenIDConnectProvider", "Url", goldenIssuer))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) { checkGolden(t, tc.file, tc.send(t)) })
	}
}

// TestGolden_OIDCProvidersSDKDecodes reads the goldens with aws-sdk-go-v2.
func TestGolden_OIDCProvidersSDKDecodes(t *testing.T) {
	ctx := context.Background()
	iamc := func(t *testing.T, file string, status int) *iamsdk.Client {
		return iamsdk.NewFromConfig(sdkConfig(t, file, status))
	}
	arn := aws.String(goldenOIDCARN)
	t.Run("Create", func(t *testing.T) {
		out, err := iamc(t, "CreateOpenIDConnectProvider.xml", 0).CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String(goldenIssuer)})
		if err != nil || aws.ToString(out.OpenIDConnectProviderArn) != goldenOIDCARN || len(out.Tags) != 1 || *out.Tags[0].Key != "team" {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("Create bare", func(t *testing.T) {
		out, err := iamc(t, "CreateOpenIDConnectProvider-bare.xml", 0).CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String("https://bare.example.com")})
		if err != nil || aws.ToString(out.OpenIDConnectProviderArn) != oidcARNPrefix+"bare.example.com" || out.Tags != nil {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("Get", func(t *testing.T) {
		out, err := iamc(t, "GetOpenIDConnectProvider.xml", 0).GetOpenIDConnectProvider(ctx, &iamsdk.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Url) != "oidc.example.com/id/ABC" || strings.Join(out.ClientIDList, ",") != "sts.amazonaws.com,app" ||
			strings.Join(out.ThumbprintList, ",") != goldenThumb || !aws.ToTime(out.CreateDate).Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) ||
			len(out.Tags) != 1 || *out.Tags[0].Value != "blue" {
			t.Fatalf("decoded %+v", out)
		}
	})
	t.Run("Get bare", func(t *testing.T) {
		out, err := iamc(t, "GetOpenIDConnectProvider-bare.xml", 0).GetOpenIDConnectProvider(ctx, &iamsdk.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
		if err != nil || aws.ToString(out.Url) != "bare.example.com" || len(out.ClientIDList) != 0 || len(out.ThumbprintList) != 0 || out.Tags != nil {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("List", func(t *testing.T) {
		out, err := iamc(t, "ListOpenIDConnectProviders.xml", 0).ListOpenIDConnectProviders(ctx, &iamsdk.ListOpenIDConnectProvidersInput{})
		if err != nil || len(out.OpenIDConnectProviderList) != 2 || aws.ToString(out.OpenIDConnectProviderList[0].Arn) != oidcARNPrefix+"bare.example.com" ||
			aws.ToString(out.OpenIDConnectProviderList[1].Arn) != goldenOIDCARN {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("ListTags", func(t *testing.T) {
		out, err := iamc(t, "ListOpenIDConnectProviderTags.xml", 0).ListOpenIDConnectProviderTags(ctx, &iamsdk.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: arn})
		if err != nil || len(out.Tags) != 1 || out.IsTruncated {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("AddClientID", func(t *testing.T) {
		if _, err := iamc(t, "AddClientIDToOpenIDConnectProvider.xml", 0).AddClientIDToOpenIDConnectProvider(ctx,
			&iamsdk.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn, ClientID: aws.String("more")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("NoSuchEntity", func(t *testing.T) {
		_, err := iamc(t, "DeleteOpenIDConnectProvider-NoSuchEntity.xml", 404).DeleteOpenIDConnectProvider(ctx, &iamsdk.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" || ae.ErrorMessage() != oidcNotFoundOf+oidcARNPrefix+"gone.example.com" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("EntityAlreadyExists", func(t *testing.T) {
		_, err := iamc(t, "CreateOpenIDConnectProvider-EntityAlreadyExists.xml", 409).CreateOpenIDConnectProvider(ctx, &iamsdk.CreateOpenIDConnectProviderInput{Url: aws.String(goldenIssuer)})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "EntityAlreadyExists" || ae.ErrorMessage() != "Provider with url "+goldenIssuer+" already exists." {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestOIDCProviders_Validation: every refusal, with its code and text.
func TestOIDCProviders_Validation(t *testing.T) {
	h := newHarness(t)
	mustOK(t, h.do(root, iamForm("CreateOpenIDConnectProvider", "Url", goldenIssuer)))
	long := "https://" + strings.Repeat("a", 248)
	manyIDs := []string{"Url", "https://many.example.com"}
	for i := 1; i <= 101; i++ {
		manyIDs = append(manyIDs, fmt.Sprintf("ClientIDList.member.%d", i), fmt.Sprintf("c%d", i))
	}
	sixThumbs := []string{"Url", "https://thumbs.example.com"}
	for i := 1; i <= 6; i++ {
		sixThumbs = append(sixThumbs, fmt.Sprintf("ThumbprintList.member.%d", i), fmt.Sprintf("%040d", i))
	}
	badURL := "Invalid Open ID Connect Provider URL"
	cases := []struct {
		name          string
		form          []string
		status        int
		code, message string
	}{
		{"fail/no url", []string{"CreateOpenIDConnectProvider"}, 400, "ValidationError",
			"1 validation error detected: Value null at 'url' failed to satisfy constraint: Member must not be null"},
		{"fail/url too long", []string{"CreateOpenIDConnectProvider", "Url", long}, 400, "ValidationError",
			"1 validation error detected: Value '" + long + "' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"fail/http", []string{"CreateOpenIDConnectProvider", "Url", "http://oidc.example.com"}, 400, "InvalidInput", badURL},
		{"fail/upper-case scheme", []string{"CreateOpenIDConnectProvider", "Url", "HTTPS://oidc.example.com"}, 400, "InvalidInput", badURL},
		{"fail/no host", []string{"CreateOpenIDConnectProvider", "Url", "https:///path"}, 400, "InvalidInput", badURL},
		{"fail/scheme only", []string{"CreateOpenIDConnectProvider", "Url", "https://"}, 400, "InvalidInput", badURL},
		{"fail/port", []string{"CreateOpenIDConnectProvider", "Url", "https://oidc.example.com:8443"}, 400, "InvalidInput", badURL},
		{"fail/query", []string{"CreateOpenIDConnectProvider", "Url", "https://oidc.example.com/?a=b"}, 400, "InvalidInput", badURL},
		{"fail/fragment", []string{"CreateOpenIDConnectProvider", "Url", "https://oidc.example.com#x"}, 400, "InvalidInput", badURL},
		{"fail/user info", []string{"CreateOpenIDConnectProvider", "Url", "https://u@oidc.example.com"}, 400, "InvalidInput", badURL},
		{"fail/space", []string{"CreateOpenIDConnectProvider", "Url", "https://oidc.example.com/a b"}, 400, "InvalidInput", badURL},
		{"fail/empty client id", []string{"CreateOpenIDConnectProvider", "Url", "https://x.example.com", "ClientIDList.member.1", ""}, 400, "ValidationError",
			"1 validation error detected: Value '' at 'clientIDList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"fail/short thumbprint", []string{"CreateOpenIDConnectProvider", "Url", "https://x.example.com", "ThumbprintList.member.1", "abc"}, 400, "ValidationError",
			"1 validation error detected: Value 'abc' at 'thumbprintList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 40"},
		{"fail/thumbprint not hex", []string{"CreateOpenIDConnectProvider", "Url", "https://x.example.com", "ThumbprintList.member.1", strings.Repeat("g", 40)}, 400, "InvalidInput",
			"Thumbprint " + strings.Repeat("g", 40) + " is not a hexadecimal SHA-1 fingerprint."},
		{"fail/six thumbprints", append([]string{"CreateOpenIDConnectProvider"}, sixThumbs...), 400, "InvalidInput",
			"Thumbprint list must contain fewer than 5 entries."},
		{"fail/101 client ids", append([]string{"CreateOpenIDConnectProvider"}, manyIDs...), 409, "LimitExceeded",
			"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"},
		{"fail/duplicate tag keys", []string{"CreateOpenIDConnectProvider", "Url", "https://x.example.com",
			"Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "A", "Tags.member.2.Value", "2"}, 400, "InvalidInput",
			"Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"fail/duplicate url", []string{"CreateOpenIDConnectProvider", "Url", goldenIssuer}, 409, "EntityAlreadyExists",
			"Provider with url " + goldenIssuer + " already exists."},
		{"fail/get without arn", []string{"GetOpenIDConnectProvider"}, 400, "ValidationError",
			"1 validation error detected: Value null at 'openIDConnectProviderArn' failed to satisfy constraint: Member must not be null"},
		{"fail/get short arn", []string{"GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::1"}, 400, "ValidationError",
			"1 validation error detected: Value 'arn:aws:iam::1' at 'openIDConnectProviderArn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"fail/get unknown", []string{"GetOpenIDConnectProvider", "OpenIDConnectProviderArn", oidcARNPrefix + "other.example.com"}, 404, "NoSuchEntity",
			oidcNotFoundOf + oidcARNPrefix + "other.example.com"},
		{"fail/get other case", []string{"GetOpenIDConnectProvider", "OpenIDConnectProviderArn", oidcARNPrefix + "OIDC.example.com/id/ABC"}, 404, "NoSuchEntity",
			oidcNotFoundOf + oidcARNPrefix + "OIDC.example.com/id/ABC"},
		{"fail/get another account", []string{"GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::210987654321:oidc-provider/oidc.example.com/id/ABC"}, 404, "NoSuchEntity",
			oidcNotFoundOf + "arn:aws:iam::210987654321:oidc-provider/oidc.example.com/id/ABC"},
		{"fail/get a role arn", []string{"GetOpenIDConnectProvider", "OpenIDConnectProviderArn", "arn:aws:iam::" + testAccount + ":role/Deploy"}, 404, "NoSuchEntity",
			oidcNotFoundOf + "arn:aws:iam::" + testAccount + ":role/Deploy"},
		{"fail/add without client id", []string{"AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", goldenOIDCARN}, 400, "ValidationError",
			"1 validation error detected: Value null at 'clientID' failed to satisfy constraint: Member must not be null"},
		{"fail/remove client id too long", []string{"RemoveClientIDFromOpenIDConnectProvider", "OpenIDConnectProviderArn", goldenOIDCARN, "ClientID", strings.Repeat("c", 256)}, 400, "ValidationError",
			"1 validation error detected: Value '" + strings.Repeat("c", 256) + "' at 'clientID' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"fail/update thumbprint without list", []string{"UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn", goldenOIDCARN}, 400, "ValidationError",
			"1 validation error detected: Value null at 'thumbprintList' failed to satisfy constraint: Member must not be null"},
		{"fail/tag without tags", []string{"TagOpenIDConnectProvider", "OpenIDConnectProviderArn", goldenOIDCARN}, 400, "ValidationError",
			"1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"fail/untag without keys", []string{"UntagOpenIDConnectProvider", "OpenIDConnectProviderArn", goldenOIDCARN}, 400, "ValidationError",
			"1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{"fail/list tags max items", []string{"ListOpenIDConnectProviderTags", "OpenIDConnectProviderArn", goldenOIDCARN, "MaxItems", "0"}, 400, "ValidationError",
			"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"fail/delete unknown", []string{"DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", oidcARNPrefix + "x.example.com"}, 404, "NoSuchEntity",
			oidcNotFoundOf + oidcARNPrefix + "x.example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, h.do(root, iamForm(tc.form[0], tc.form[1:]...)), tc.status, tc.code, tc.message)
		})
	}
	// Nothing refused was created.
	list := mustOK(t, h.do(root, iamForm("ListOpenIDConnectProviders"))).body
	if n := strings.Count(list, "<Arn>"); n != 1 {
		t.Fatalf("%d providers after the refusals:\n%s", n, list)
	}
}

// TestOIDCProviders_Lifecycle: the changes each operation makes, their
// idempotence, and tags paged like ListRoleTags.
func TestOIDCProviders_Lifecycle(t *testing.T) {
	h := newHarness(t, withAudit)
	arnParam := []string{"OpenIDConnectProviderArn", goldenOIDCARN}
	do := func(action string, kv ...string) response {
		t.Helper()
		return mustOK(t, h.do(root, iamForm(action, append(append([]string(nil), arnParam...), kv...)...)))
	}
	created := mustOK(t, h.do(root, iamForm("CreateOpenIDConnectProvider", "Url", goldenIssuer,
		"ClientIDList.member.1", "a", "ClientIDList.member.2", "a", "ThumbprintList.member.1", goldenThumb)))
	if between(created.body, "OpenIDConnectProviderArn") != goldenOIDCARN {
		t.Fatalf("create:\n%s", created.body)
	}
	get := func() string { return do("GetOpenIDConnectProvider").body }
	clientIDs := func() string { return between(get(), "ClientIDList") }
	if got := clientIDs(); strings.Count(got, "<member>a</member>") != 1 {
		t.Fatalf("a repeated client id is kept once: %s", got)
	}
	do("AddClientIDToOpenIDConnectProvider", "ClientID", "b")
	do("AddClientIDToOpenIDConnectProvider", "ClientID", "b")
	do("RemoveClientIDFromOpenIDConnectProvider", "ClientID", "a")
	do("RemoveClientIDFromOpenIDConnectProvider", "ClientID", "absent")
	if got := strings.Join(strings.Fields(clientIDs()), ""); got != "<member>b</member>" {
		t.Fatalf("client ids after add b twice, remove a and an absent one: %s", got)
	}
	do("UpdateOpenIDConnectProviderThumbprint", "ThumbprintList.member.1", otherThumb, "ThumbprintList.member.2", goldenThumb)
	if got := strings.Join(strings.Fields(between(get(), "ThumbprintList")), ""); got != "<member>"+otherThumb+"</member><member>"+goldenThumb+"</member>" {
		t.Fatalf("thumbprints replaced: %s", got)
	}
	do("UpdateOpenIDConnectProviderThumbprint", "ThumbprintList", "")
	if got := strings.TrimSpace(between(get(), "ThumbprintList")); got != "" {
		t.Fatalf("thumbprints cleared: %q", got)
	}
	do("TagOpenIDConnectProvider", "Tags.member.1.Key", "a", "Tags.member.1.Value", "1", "Tags.member.2.Key", "b", "Tags.member.2.Value", "2",
		"Tags.member.3.Key", "c", "Tags.member.3.Value", "3")
	do("TagOpenIDConnectProvider", "Tags.member.1.Key", "A", "Tags.member.1.Value", "one")
	do("UntagOpenIDConnectProvider", "TagKeys.member.1", "B", "TagKeys.member.2", "absent")
	page := do("ListOpenIDConnectProviderTags", "MaxItems", "1").body
	if between(page, "Key") != "A" || between(page, "Value") != "one" || between(page, "IsTruncated") != "true" || between(page, "Marker") == "" {
		t.Fatalf("first tag page:\n%s", page)
	}
	page = do("ListOpenIDConnectProviderTags", "Marker", between(page, "Marker")).body
	if between(page, "Key") != "c" || between(page, "IsTruncated") != "false" || strings.Contains(page, "<Marker>") {
		t.Fatalf("second tag page:\n%s", page)
	}
	wantError(t, h.do(root, iamForm("ListOpenIDConnectProviderTags", append(arnParam, "Marker", "nope")...)), 400, "InvalidInput", "Invalid Marker.")
	var tags []string
	for i := range 49 { // two kept + 49 new > 50
		tags = append(tags, fmt.Sprintf("Tags.member.%d.Key", i+1), fmt.Sprintf("k%d", i), fmt.Sprintf("Tags.member.%d.Value", i+1), "v")
	}
	wantError(t, h.do(root, iamForm("TagOpenIDConnectProvider", append(arnParam, tags...)...)), 409, "LimitExceeded",
		"The number of tags has reached the maximum limit.")

	do("DeleteOpenIDConnectProvider")
	wantError(t, h.do(root, iamForm("GetOpenIDConnectProvider", arnParam...)), 404, "NoSuchEntity", oidcNotFoundOf+goldenOIDCARN)
	wantError(t, h.do(root, iamForm("DeleteOpenIDConnectProvider", arnParam...)), 404, "NoSuchEntity", oidcNotFoundOf+goldenOIDCARN)
	if list := mustOK(t, h.do(root, iamForm("ListOpenIDConnectProviders"))).body; strings.Contains(list, "<member>") {
		t.Fatalf("list after delete:\n%s", list)
	}
	// The URL is free again.
	mustOK(t, h.do(root, iamForm("CreateOpenIDConnectProvider", "Url", goldenIssuer)))

	// Every change is audited, reads are not.
	if err := h.node.Audit.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(h.node.DataDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	audit := string(data)
	for action, want := range map[string]int{
		"CreateOpenIDConnectProvider": 2, "AddClientIDToOpenIDConnectProvider": 2, "RemoveClientIDFromOpenIDConnectProvider": 2,
		"UpdateOpenIDConnectProviderThumbprint": 2, "TagOpenIDConnectProvider": 3, "UntagOpenIDConnectProvider": 1,
		"DeleteOpenIDConnectProvider": 2, "GetOpenIDConnectProvider": 0, "ListOpenIDConnectProviders": 0, "ListOpenIDConnectProviderTags": 0,
	} {
		if got := strings.Count(audit, `"`+action+`"`); got != want {
			t.Errorf("%d audit records of %s, want %d", got, action, want)
		}
	}
}

// TestOIDCProviders_Authorization: each action is iam:<Action> on the
// provider's ARN, with the provider's tags as aws:ResourceTag and a
// request's tags as aws:RequestTag.
func TestOIDCProviders_Authorization(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	mustOK(t, h.do(root, iamForm("CreateOpenIDConnectProvider", "Url", goldenIssuer, "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue")))
	mustOK(t, h.do(root, iamForm("CreateOpenIDConnectProvider", "Url", "https://red.example.com", "Tags.member.1.Key", "team", "Tags.member.1.Value", "red")))
	policy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetOpenIDConnectProvider","iam:DeleteOpenIDConnectProvider"],"Resource":"arn:aws:iam::*:oidc-provider/*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}},
		{"Effect":"Allow","Action":"iam:CreateOpenIDConnectProvider","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"}}},
		{"Effect":"Allow","Action":"iam:ListOpenIDConnectProviders","Resource":"*"}]}`
	mustOK(t, h.do(root, iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "oidc", "PolicyDocument", policy)))

	mustOK(t, h.do(alice, iamForm("GetOpenIDConnectProvider", "OpenIDConnectProviderArn", goldenOIDCARN)))
	mustOK(t, h.do(alice, iamForm("ListOpenIDConnectProviders")))
	red := oidcARNPrefix + "red.example.com"
	wantError(t, h.do(alice, iamForm("GetOpenIDConnectProvider", "OpenIDConnectProviderArn", red)), 403, "AccessDenied",
		"User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:GetOpenIDConnectProvider on resource: "+red+
			" because no identity-based policy allows the iam:GetOpenIDConnectProvider action")
	wantError(t, h.do(alice, iamForm("DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", red)), 403, "AccessDenied", "")
	wantError(t, h.do(alice, iamForm("AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn", goldenOIDCARN, "ClientID", "x")), 403, "AccessDenied",
		"User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:AddClientIDToOpenIDConnectProvider on resource: "+goldenOIDCARN+
			" because no identity-based policy allows the iam:AddClientIDToOpenIDConnectProvider action")
	wantError(t, h.do(alice, iamForm("CreateOpenIDConnectProvider", "Url", "https://green.example.com", "Tags.member.1.Key", "team", "Tags.member.1.Value", "green")), 403, "AccessDenied",
		"User: arn:aws:iam::"+testAccount+":user/alice is not authorized to perform: iam:CreateOpenIDConnectProvider on resource: "+oidcARNPrefix+"green.example.com"+
			" because no identity-based policy allows the iam:CreateOpenIDConnectProvider action")
	mustOK(t, h.do(alice, iamForm("CreateOpenIDConnectProvider", "Url", "https://blue.example.com", "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue")))
	mustOK(t, h.do(alice, iamForm("DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn", oidcARNPrefix+"blue.example.com")))
}
