package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
)

// These tests drive, through the Query protocol, the IAM operations that
// had no test above the store (groups, inline and attached policies of users
// and groups, managed policy versions), asserting on the responses and on
// what the changes do to later requests. TestOperations_EveryOneHasAProtocolTest
// keeps every operation covered.

// all returns the text of every <name>…</name> in body, in order.
func all(body, name string) []string {
	re := regexp.MustCompile(`<` + name + `>([^<]*)</` + name + `>`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// ok sends form as root and fails unless the answer is 200 with a body
// named after the action.
func (h *harness) ok(t *testing.T, form url.Values) string {
	t.Helper()
	r := h.do(root, form)
	action := form.Get("Action")
	if r.status != http.StatusOK || between(r.body, "ResponseMetadata") == "" || !regexp.MustCompile(`^<`+action+`Response `).MatchString(r.body) {
		t.Fatalf("%s: %d\n%s", action, r.status, r.body)
	}
	return r.body
}

// iamEncoded is a policy document as IAM returns it: percent-encoded, a
// space as %20.
func iamEncoded(doc string) string { return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20") }

func wantNames(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// Groups: create, read with paging, list with a path prefix, membership in
// both directions, and the order deletion requires.
func TestOps_GroupLifecycle(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	h.mustUser("bob")
	h.ok(t, iamForm("CreateGroup", "GroupName", "devs", "Path", "/eng/"))
	h.ok(t, iamForm("CreateGroup", "GroupName", "ops"))
	h.ok(t, iamForm("AddUserToGroup", "GroupName", "devs", "UserName", "alice"))
	h.ok(t, iamForm("AddUserToGroup", "GroupName", "devs", "UserName", "bob"))

	t.Run("GetGroup", func(t *testing.T) {
		r := h.do(root, iamForm("GetGroup", "GroupName", "devs"))
		r.body = normalizeIDs(r.body)
		checkGolden(t, "GetGroup.xml", r)
		// Paging: one member a page, the marker leads to the next.
		first := h.ok(t, iamForm("GetGroup", "GroupName", "devs", "MaxItems", "1"))
		wantNames(t, "first page", all(first, "UserName"), "alice")
		if between(first, "IsTruncated") != "true" || between(first, "Marker") == "" {
			t.Fatalf("first page not truncated:\n%s", first)
		}
		second := h.ok(t, iamForm("GetGroup", "GroupName", "devs", "MaxItems", "1", "Marker", between(first, "Marker")))
		wantNames(t, "second page", all(second, "UserName"), "bob")
		if between(second, "IsTruncated") != "false" || between(second, "Marker") != "" {
			t.Fatalf("second page:\n%s", second)
		}
		wantError(t, h.do(root, iamForm("GetGroup", "GroupName", "nope")), 404, "NoSuchEntity", "The group with name nope cannot be found.")
		wantError(t, h.do(root, iamForm("GetGroup")), 400, "ValidationError", "")
	})

	t.Run("ListGroups", func(t *testing.T) {
		r := h.do(root, iamForm("ListGroups"))
		r.body = normalizeIDs(r.body)
		checkGolden(t, "ListGroups.xml", r)
		wantNames(t, "ListGroups /eng/", all(h.ok(t, iamForm("ListGroups", "PathPrefix", "/eng/")), "GroupName"), "devs")
		wantNames(t, "ListGroups /none/", all(h.ok(t, iamForm("ListGroups", "PathPrefix", "/none/")), "GroupName"))
		page := h.ok(t, iamForm("ListGroups", "MaxItems", "1"))
		wantNames(t, "ListGroups page", all(page, "GroupName"), "devs")
		if between(page, "IsTruncated") != "true" {
			t.Fatalf("ListGroups MaxItems=1 not truncated:\n%s", page)
		}
		wantNames(t, "ListGroups next page", all(h.ok(t, iamForm("ListGroups", "Marker", between(page, "Marker"))), "GroupName"), "ops")
	})

	t.Run("ListGroupsForUser", func(t *testing.T) {
		h.ok(t, iamForm("AddUserToGroup", "GroupName", "ops", "UserName", "alice"))
		body := h.ok(t, iamForm("ListGroupsForUser", "UserName", "alice"))
		wantNames(t, "alice's groups", all(body, "GroupName"), "devs", "ops")
		wantNames(t, "alice's group ARNs", all(body, "Arn"), "arn:aws:iam::"+testAccount+":group/eng/devs", "arn:aws:iam::"+testAccount+":group/ops")
		wantNames(t, "bob's groups", all(h.ok(t, iamForm("ListGroupsForUser", "UserName", "bob")), "GroupName"), "devs")
		wantError(t, h.do(root, iamForm("ListGroupsForUser", "UserName", "nobody")), 404, "NoSuchEntity", "")
		// A user may list its own groups only with permission.
		wantError(t, h.do(alice, iamForm("ListGroupsForUser", "UserName", "alice")), 403, "AccessDenied", "")
	})

	t.Run("RemoveUserFromGroup", func(t *testing.T) {
		h.ok(t, iamForm("RemoveUserFromGroup", "GroupName", "devs", "UserName", "bob"))
		wantNames(t, "devs after removal", all(h.ok(t, iamForm("GetGroup", "GroupName", "devs")), "UserName"), "alice")
		wantNames(t, "bob's groups after removal", all(h.ok(t, iamForm("ListGroupsForUser", "UserName", "bob")), "GroupName"))
		wantError(t, h.do(root, iamForm("RemoveUserFromGroup", "GroupName", "devs", "UserName", "bob")), 404, "NoSuchEntity", "User bob is not in group devs.")
		wantError(t, h.do(root, iamForm("RemoveUserFromGroup", "GroupName", "nope", "UserName", "bob")), 404, "NoSuchEntity", "")
	})

	t.Run("DeleteGroup", func(t *testing.T) {
		wantError(t, h.do(root, iamForm("DeleteGroup", "GroupName", "devs")), 409, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
		h.ok(t, iamForm("RemoveUserFromGroup", "GroupName", "devs", "UserName", "alice"))
		h.ok(t, iamForm("DeleteGroup", "GroupName", "devs"))
		wantError(t, h.do(root, iamForm("GetGroup", "GroupName", "devs")), 404, "NoSuchEntity", "The group with name devs cannot be found.")
		wantError(t, h.do(root, iamForm("DeleteGroup", "GroupName", "devs")), 404, "NoSuchEntity", "The group with name devs cannot be found.")
		wantNames(t, "groups after deletion", all(h.ok(t, iamForm("ListGroups")), "GroupName"), "ops")
		wantNames(t, "alice's groups after deletion", all(h.ok(t, iamForm("ListGroupsForUser", "UserName", "alice")), "GroupName"), "ops")
	})
}

// Inline policies of users, groups and roles: put, list, get (the document
// URL-encoded, as IAM returns it), delete, and what a member's or a user's
// permissions become.
func TestOps_InlinePolicies(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	h.ok(t, iamForm("CreateGroup", "GroupName", "readers"))
	h.ok(t, iamForm("AddUserToGroup", "GroupName", "readers", "UserName", "alice"))
	h.ok(t, iamForm("CreateRole", "RoleName", "Deploy", "AssumeRolePolicyDocument", goldenTrust))
	other := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	encoded := iamEncoded(goldenReadOnly)
	// The actions are spelled out so that TestOperations_EveryOneHasAProtocolTest
	// finds them.
	for _, o := range []struct{ kind, param, name, missing, put, get, list, del string }{
		{"User", "UserName", "alice", "The user policy with name read cannot be found.",
			"PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy"},
		{"Group", "GroupName", "readers", "The group policy with name read cannot be found.",
			"PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy"},
		{"Role", "RoleName", "Deploy", "The role policy with name read cannot be found.",
			"PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy"},
	} {
		t.Run(o.kind, func(t *testing.T) {
			put, get, list, del := o.put, o.get, o.list, o.del
			wantNames(t, list+" before", all(h.ok(t, iamForm(list, o.param, o.name)), "member"))
			h.ok(t, iamForm(put, o.param, o.name, "PolicyName", "read", "PolicyDocument", goldenReadOnly))
			h.ok(t, iamForm(put, o.param, o.name, "PolicyName", "Audit", "PolicyDocument", other))
			wantNames(t, list, all(h.ok(t, iamForm(list, o.param, o.name)), "member"), "Audit", "read")
			page := h.ok(t, iamForm(list, o.param, o.name, "MaxItems", "1"))
			if wantNames(t, list+" page", all(page, "member"), "Audit"); between(page, "IsTruncated") != "true" {
				t.Fatalf("%s MaxItems=1:\n%s", list, page)
			}

			body := h.ok(t, iamForm(get, o.param, o.name, "PolicyName", "read"))
			if between(body, o.param) != o.name || between(body, "PolicyName") != "read" || between(body, "PolicyDocument") != xmlEscape(encoded) {
				t.Fatalf("%s:\n%s\nwant document %s", get, body, encoded)
			}
			wantError(t, h.do(root, iamForm(get, o.param, o.name, "PolicyName", "absent")), 404, "NoSuchEntity", "")
			wantError(t, h.do(root, iamForm(get, o.param, "nobody", "PolicyName", "read")), 404, "NoSuchEntity", "")

			h.ok(t, iamForm(del, o.param, o.name, "PolicyName", "read"))
			wantNames(t, list+" after delete", all(h.ok(t, iamForm(list, o.param, o.name)), "member"), "Audit")
			wantError(t, h.do(root, iamForm(get, o.param, o.name, "PolicyName", "read")), 404, "NoSuchEntity", o.missing)
			wantError(t, h.do(root, iamForm(del, o.param, o.name, "PolicyName", "read")), 404, "NoSuchEntity", o.missing)
			h.ok(t, iamForm(del, o.param, o.name, "PolicyName", "Audit"))
			wantNames(t, list+" at the end", all(h.ok(t, iamForm(list, o.param, o.name)), "member"))
		})
	}

	// The group's inline policy is what lets its member read IAM; deleting
	// it takes that away.
	t.Run("effect", func(t *testing.T) {
		wantError(t, h.do(alice, iamForm("ListGroups")), 403, "AccessDenied", "")
		h.ok(t, iamForm("PutGroupPolicy", "GroupName", "readers", "PolicyName", "read", "PolicyDocument", goldenReadOnly))
		if r := h.do(alice, iamForm("ListGroups")); r.status != http.StatusOK {
			t.Fatalf("member with the group's policy: %s", r.body)
		}
		h.ok(t, iamForm("DeleteGroupPolicy", "GroupName", "readers", "PolicyName", "read"))
		wantError(t, h.do(alice, iamForm("ListGroups")), 403, "AccessDenied", "")
		h.ok(t, iamForm("PutUserPolicy", "UserName", "alice", "PolicyName", "read", "PolicyDocument", goldenReadOnly))
		if r := h.do(alice, iamForm("GetUserPolicy", "UserName", "alice", "PolicyName", "read")); r.status != http.StatusOK {
			t.Fatalf("user with its own policy: %s", r.body)
		}
		h.ok(t, iamForm("DeleteUserPolicy", "UserName", "alice", "PolicyName", "read"))
		wantError(t, h.do(alice, iamForm("ListGroups")), 403, "AccessDenied", "")
	})
}

// Managed policies attached to users and groups: attach, list (with a path
// prefix and paging), detach, and the attachment count GetPolicy reports.
func TestOps_AttachedPolicies(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	h.ok(t, iamForm("CreateGroup", "GroupName", "readers"))
	h.ok(t, iamForm("AddUserToGroup", "GroupName", "readers", "UserName", "alice"))
	mine := "arn:aws:iam::" + testAccount + ":policy/team/Read"
	h.ok(t, iamForm("CreatePolicy", "PolicyName", "Read", "Path", "/team/", "PolicyDocument", goldenReadOnly))
	awsManaged := "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	for _, o := range []struct{ kind, param, name, attach, detach, list string }{
		{"User", "UserName", "alice", "AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies"},
		{"Group", "GroupName", "readers", "AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies"},
	} {
		t.Run(o.kind, func(t *testing.T) {
			attach, detach, list := o.attach, o.detach, o.list
			wantNames(t, list+" before", all(h.ok(t, iamForm(list, o.param, o.name)), "PolicyArn"))
			h.ok(t, iamForm(attach, o.param, o.name, "PolicyArn", mine))
			h.ok(t, iamForm(attach, o.param, o.name, "PolicyArn", awsManaged))
			body := h.ok(t, iamForm(list, o.param, o.name))
			wantNames(t, list, all(body, "PolicyName"), "IAMReadOnlyAccess", "Read")
			wantNames(t, list+" ARNs", all(body, "PolicyArn"), awsManaged, mine)
			wantNames(t, list+" /team/", all(h.ok(t, iamForm(list, o.param, o.name, "PathPrefix", "/team/")), "PolicyArn"), mine)
			page := h.ok(t, iamForm(list, o.param, o.name, "MaxItems", "1"))
			if wantNames(t, list+" page", all(page, "PolicyArn"), awsManaged); between(page, "IsTruncated") != "true" {
				t.Fatalf("%s MaxItems=1:\n%s", list, page)
			}
			wantNames(t, list+" next page", all(h.ok(t, iamForm(list, o.param, o.name, "Marker", between(page, "Marker"))), "PolicyArn"), mine)
			if got := between(h.ok(t, iamForm("GetPolicy", "PolicyArn", mine)), "AttachmentCount"); got != "1" {
				t.Fatalf("AttachmentCount %s, want 1", got)
			}
			wantError(t, h.do(root, iamForm(list, o.param, "nobody")), 404, "NoSuchEntity", "")

			h.ok(t, iamForm(detach, o.param, o.name, "PolicyArn", mine))
			wantNames(t, list+" after detach", all(h.ok(t, iamForm(list, o.param, o.name)), "PolicyArn"), awsManaged)
			wantError(t, h.do(root, iamForm(detach, o.param, o.name, "PolicyArn", mine)), 404, "NoSuchEntity", "Policy "+mine+" was not found.")
			h.ok(t, iamForm(detach, o.param, o.name, "PolicyArn", awsManaged))
			wantNames(t, list+" at the end", all(h.ok(t, iamForm(list, o.param, o.name)), "PolicyArn"))
			if got := between(h.ok(t, iamForm("GetPolicy", "PolicyArn", mine)), "AttachmentCount"); got != "0" {
				t.Fatalf("AttachmentCount %s after detach, want 0", got)
			}
		})
	}

	// An attachment to the group grants its member; detaching revokes.
	t.Run("effect", func(t *testing.T) {
		wantError(t, h.do(alice, iamForm("ListGroups")), 403, "AccessDenied", "")
		h.ok(t, iamForm("AttachGroupPolicy", "GroupName", "readers", "PolicyArn", mine))
		if r := h.do(alice, iamForm("ListAttachedGroupPolicies", "GroupName", "readers")); r.status != http.StatusOK {
			t.Fatalf("member with the group's attached policy: %s", r.body)
		}
		h.ok(t, iamForm("DetachGroupPolicy", "GroupName", "readers", "PolicyArn", mine))
		wantError(t, h.do(alice, iamForm("ListGroups")), 403, "AccessDenied", "")
	})
}

// Versions of a customer managed policy: create (default or not), list
// newest first with paging, get a version's document, switch the default
// (which changes what the policy grants), the five-version limit, and the
// deletions IAM refuses.
func TestOps_PolicyVersions(t *testing.T) {
	h := newHarness(t)
	alice := h.mustUser("alice")
	arn := "arn:aws:iam::" + testAccount + ":policy/P"
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	h.ok(t, iamForm("CreatePolicy", "PolicyName", "P", "PolicyDocument", deny))
	h.ok(t, iamForm("AttachUserPolicy", "UserName", "alice", "PolicyArn", arn))

	v2 := h.ok(t, iamForm("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", goldenReadOnly))
	if between(v2, "VersionId") != "v2" || between(v2, "IsDefaultVersion") != "false" || between(v2, "Document") != "" {
		t.Fatalf("CreatePolicyVersion:\n%s", v2)
	}
	checkGolden(t, "ListPolicyVersions.xml", h.do(root, iamForm("ListPolicyVersions", "PolicyArn", arn)))

	got := h.ok(t, iamForm("GetPolicyVersion", "PolicyArn", arn, "VersionId", "v2"))
	if between(got, "Document") != xmlEscape(iamEncoded(goldenReadOnly)) || between(got, "IsDefaultVersion") != "false" {
		t.Fatalf("GetPolicyVersion v2:\n%s", got)
	}
	wantError(t, h.do(alice, iamForm("ListGroups")), 403, "AccessDenied", "")

	// v2 becomes the default: alice may now read IAM.
	h.ok(t, iamForm("SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v2"))
	if between(h.ok(t, iamForm("GetPolicy", "PolicyArn", arn)), "DefaultVersionId") != "v2" {
		t.Fatal("GetPolicy does not report v2 as the default")
	}
	wantNames(t, "IsDefaultVersion v2, v1", all(h.ok(t, iamForm("ListPolicyVersions", "PolicyArn", arn)), "IsDefaultVersion"), "true", "false")
	if r := h.do(alice, iamForm("ListGroups")); r.status != http.StatusOK {
		t.Fatalf("after SetDefaultPolicyVersion v2: %s", r.body)
	}
	wantError(t, h.do(root, iamForm("SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v9")), 404, "NoSuchEntity",
		"Policy "+arn+" version v9 does not exist or is not attachable.")

	wantError(t, h.do(root, iamForm("DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v2")), 409, "DeleteConflict", "Cannot delete the default version of a policy.")
	h.ok(t, iamForm("DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v1"))
	wantNames(t, "versions after deleting v1", all(h.ok(t, iamForm("ListPolicyVersions", "PolicyArn", arn)), "VersionId"), "v2")
	wantError(t, h.do(root, iamForm("DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v1")), 404, "NoSuchEntity",
		"Policy "+arn+" version v1 does not exist or is not attachable.")
	wantError(t, h.do(root, iamForm("GetPolicyVersion", "PolicyArn", arn, "VersionId", "v1")), 404, "NoSuchEntity", "")

	// SetAsDefault on creation; versions are numbered on, never reused.
	v3 := h.ok(t, iamForm("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", deny, "SetAsDefault", "true"))
	if between(v3, "VersionId") != "v3" || between(v3, "IsDefaultVersion") != "true" {
		t.Fatalf("CreatePolicyVersion SetAsDefault:\n%s", v3)
	}
	wantError(t, h.do(alice, iamForm("ListGroups")), 403, "AccessDenied", "")
	for range 3 {
		h.ok(t, iamForm("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", deny))
	}
	wantError(t, h.do(root, iamForm("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", deny)), 409, "LimitExceeded",
		"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	page := h.ok(t, iamForm("ListPolicyVersions", "PolicyArn", arn, "MaxItems", "2"))
	wantNames(t, "first page", all(page, "VersionId"), "v6", "v5")
	if between(page, "IsTruncated") != "true" {
		t.Fatalf("ListPolicyVersions MaxItems=2:\n%s", page)
	}
	wantNames(t, "next page", all(h.ok(t, iamForm("ListPolicyVersions", "PolicyArn", arn, "Marker", between(page, "Marker"))), "VersionId"), "v4", "v3", "v2")

	// A policy is deleted after its attachments and non-default versions.
	h.ok(t, iamForm("DetachUserPolicy", "UserName", "alice", "PolicyArn", arn))
	wantError(t, h.do(root, iamForm("DeletePolicy", "PolicyArn", arn)), 409, "DeleteConflict", "Cannot delete a policy with non-default versions. Delete the versions first.")
	for _, v := range []string{"v2", "v4", "v5", "v6"} {
		h.ok(t, iamForm("DeletePolicyVersion", "PolicyArn", arn, "VersionId", v))
	}
	h.ok(t, iamForm("DeletePolicy", "PolicyArn", arn))
	wantError(t, h.do(root, iamForm("ListPolicyVersions", "PolicyArn", arn)), 404, "NoSuchEntity", "")

	// AWS managed policies' versions are read-only.
	readOnly := "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
	for _, f := range []url.Values{
		iamForm("SetDefaultPolicyVersion", "PolicyArn", readOnly, "VersionId", "v4"),
		iamForm("DeletePolicyVersion", "PolicyArn", readOnly, "VersionId", "v4"),
	} {
		wantError(t, h.do(root, f), 400, "InvalidInput", "Policy "+readOnly+" is an AWS managed policy, which cannot be changed.")
	}
	wantNames(t, "IAMReadOnlyAccess versions", all(h.ok(t, iamForm("ListPolicyVersions", "PolicyArn", readOnly)), "IsDefaultVersion"), "true")
}

// A user's tags through the protocol: tag, overwrite (keys compare without
// case, the new spelling wins), list with paging, untag (absent keys are
// ignored), the tags in GetUser, the 50-tag limit and unknown users.
func TestOps_UserTags(t *testing.T) {
	h := newHarness(t)
	h.mustUser("alice")
	if body := h.ok(t, iamForm("ListUserTags", "UserName", "alice")); !strings.Contains(body, "<Tags/>") || between(body, "IsTruncated") != "false" {
		t.Fatalf("ListUserTags without tags:\n%s", body)
	}
	h.ok(t, iamForm("TagUser", "UserName", "alice", "Tags.member.1.Key", "team", "Tags.member.1.Value", "blue", "Tags.member.2.Key", "env", "Tags.member.2.Value", "prod"))
	page := h.ok(t, iamForm("ListUserTags", "UserName", "alice", "MaxItems", "1"))
	wantNames(t, "first page", all(page, "Key"), "team")
	if between(page, "IsTruncated") != "true" || between(page, "Marker") == "" {
		t.Fatalf("ListUserTags MaxItems=1:\n%s", page)
	}
	wantNames(t, "next page", all(h.ok(t, iamForm("ListUserTags", "UserName", "alice", "Marker", between(page, "Marker"))), "Key"), "env")

	h.ok(t, iamForm("TagUser", "UserName", "alice", "Tags.member.1.Key", "TEAM", "Tags.member.1.Value", "red"))
	body := h.ok(t, iamForm("ListUserTags", "UserName", "alice"))
	wantNames(t, "keys after overwrite", all(body, "Key"), "TEAM", "env")
	wantNames(t, "values after overwrite", all(body, "Value"), "red", "prod")

	h.ok(t, iamForm("UntagUser", "UserName", "alice", "TagKeys.member.1", "Env", "TagKeys.member.2", "absent"))
	wantNames(t, "keys after untag", all(h.ok(t, iamForm("ListUserTags", "UserName", "alice")), "Key"), "TEAM")
	user := h.ok(t, iamForm("GetUser", "UserName", "alice"))
	if between(between(user, "Tags"), "Key") != "TEAM" || between(between(user, "Tags"), "Value") != "red" {
		t.Fatalf("GetUser does not show the tag:\n%s", user)
	}

	// 1 + 50 tags are too many; the request changes nothing.
	kv := []string{"UserName", "alice"}
	for i := 1; i <= 50; i++ {
		kv = append(kv, fmt.Sprintf("Tags.member.%d.Key", i), fmt.Sprintf("k%d", i), fmt.Sprintf("Tags.member.%d.Value", i), "v")
	}
	wantError(t, h.do(root, iamForm("TagUser", kv...)), 409, "LimitExceeded", "The number of tags has reached the maximum limit.")
	wantNames(t, "keys after the refused TagUser", all(h.ok(t, iamForm("ListUserTags", "UserName", "alice")), "Key"), "TEAM")

	missing := "The user with name nobody cannot be found."
	wantError(t, h.do(root, iamForm("TagUser", "UserName", "nobody", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")), 404, "NoSuchEntity", missing)
	wantError(t, h.do(root, iamForm("UntagUser", "UserName", "nobody", "TagKeys.member.1", "k")), 404, "NoSuchEntity", missing)
	wantError(t, h.do(root, iamForm("ListUserTags", "UserName", "nobody")), 404, "NoSuchEntity", missing)
}

// TestOps_SDKDecodes reads the goldens of TestOps_GroupLifecycle and
// TestOps_PolicyVersions with aws-sdk-go-v2's deserializers.
func TestOps_SDKDecodes(t *testing.T) {
	ctx := context.Background()
	iamc := func(t *testing.T, file string) *iamsdk.Client { return iamsdk.NewFromConfig(sdkConfig(t, file, 0)) }
	t.Run("GetGroup", func(t *testing.T) {
		out, err := iamc(t, "GetGroup.xml").GetGroup(ctx, &iamsdk.GetGroupInput{GroupName: aws.String("devs")})
		if err != nil {
			t.Fatal(err)
		}
		g := out.Group
		if aws.ToString(g.GroupName) != "devs" || aws.ToString(g.Path) != "/eng/" || aws.ToString(g.Arn) != "arn:aws:iam::"+testAccount+":group/eng/devs" ||
			aws.ToString(g.GroupId) != "AGPAXXXXXXXXXXXXXXXXX" || g.CreateDate == nil || len(out.Users) != 2 ||
			aws.ToString(out.Users[0].UserName) != "alice" || aws.ToString(out.Users[1].UserName) != "bob" || out.IsTruncated || out.Marker != nil {
			t.Fatalf("decoded %+v", out)
		}
	})
	t.Run("ListGroups", func(t *testing.T) {
		out, err := iamc(t, "ListGroups.xml").ListGroups(ctx, &iamsdk.ListGroupsInput{})
		if err != nil || len(out.Groups) != 2 || aws.ToString(out.Groups[0].GroupName) != "devs" || aws.ToString(out.Groups[1].GroupName) != "ops" || out.IsTruncated {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
	t.Run("ListPolicyVersions", func(t *testing.T) {
		out, err := iamc(t, "ListPolicyVersions.xml").ListPolicyVersions(ctx, &iamsdk.ListPolicyVersionsInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/P")})
		if err != nil || len(out.Versions) != 2 || aws.ToString(out.Versions[0].VersionId) != "v2" || out.Versions[0].IsDefaultVersion ||
			aws.ToString(out.Versions[1].VersionId) != "v1" || !out.Versions[1].IsDefaultVersion || out.Versions[0].CreateDate == nil {
			t.Fatalf("decoded %+v %v", out, err)
		}
	})
}
