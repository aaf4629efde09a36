package api

import (
	"context"

	"github.com/opensts/opensts"
	"github.com/opensts/opensts/access"
)

// operation is one action and every fact about it that the edge needs
// (DESIGN.md decision 9). The table below is the only list of actions; the
// condition keys AWS supplies for each are opensts.ActionKeys.
type operation struct {
	name string
	// unsigned operations are not authenticated (the AssumeRoleWith* calls
	// prove who they are with a token instead); every other one is SigV4.
	unsigned bool
	// issues credentials: audited, granted or refused.
	issues bool
	// reads marks operations that change nothing (Get*, List*, Simulate*,
	// GetCallerIdentity, AuthorizeRequest): they are not audited. Every
	// other operation is.
	reads bool
	// secret parameters never reach the audit trail or the logs.
	secret []string
	// sessions is who may call the operation with temporary credentials.
	sessions access.SessionRule
	// noOutput operations answer without a Result element.
	noOutput bool
	// handle returns the children of <{Op}Result>.
	handle func(s *Server, ctx context.Context, c *call) (*node, error)
	// response and result are the names of <{Op}Response> and
	// <{Op}Result>, set once (opsByName).
	response, result string
}

// audited reports whether the operation is recorded in the audit trail:
// every issuance of credentials and every change.
func (op *operation) audited() bool { return op.issues || !op.reads }

// isSecret reports whether parameter name is secret for the operation. The
// names of parameters that carry identity-provider tokens are secret
// whatever the action, and so is everything SigV4 put in a presigned query
// (the session token among it).
func (op *operation) isSecret(name string) bool {
	if alwaysSecret[name] || len(name) > 6 && name[:6] == "X-Amz-" {
		return true
	}
	for _, s := range op.secret {
		if s == name {
			return true
		}
	}
	return false
}

// alwaysSecret are parameters that are never audited, for any action (or
// none: a refused request naming an unknown one).
var alwaysSecret = map[string]bool{"WebIdentityToken": true, "SAMLAssertion": true}

// stsOperations are the STS actions (Version 2011-06-15), with
// AuthorizeRequest, OpenSTS's own.
var stsOperations = []*operation{
	{name: "GetCallerIdentity", reads: true, sessions: access.AnyCredentials, handle: (*Server).getCallerIdentity},
	{name: "GetSessionToken", issues: true, secret: []string{"TokenCode"}, sessions: access.LongTermOnly, handle: (*Server).getSessionToken},
	{name: "GetFederationToken", issues: true, sessions: access.LongTermOnly, handle: (*Server).getFederationToken},
	{name: "AssumeRole", issues: true, secret: []string{"TokenCode"}, sessions: access.NotFederated, handle: (*Server).assumeRole},
	{name: "AssumeRoleWithWebIdentity", unsigned: true, issues: true, handle: (*Server).assumeRoleWithWebIdentity},
	{name: "AssumeRoleWithSAML", unsigned: true, issues: true, handle: (*Server).assumeRoleWithSAML},
	{name: "GetWebIdentityToken", issues: true, sessions: access.AnyCredentials, handle: (*Server).getWebIdentityToken},
	{name: "GetAccessKeyInfo", reads: true, sessions: access.NoSessions, handle: (*Server).getAccessKeyInfo},
	{name: "DecodeAuthorizationMessage", reads: true, sessions: access.AnyCredentials, handle: (*Server).decodeAuthorizationMessage},
	{name: "AuthorizeRequest", reads: true, sessions: access.AnyCredentials, handle: (*Server).authorizeRequest},
}

// iamOperations are the IAM actions (Version 2010-05-08). All follow IAM's
// rule for sessions.
var iamOperations = []*operation{
	// Users and access keys.
	{name: "CreateUser", handle: (*Server).createUser},
	{name: "GetUser", reads: true, handle: (*Server).getUser},
	{name: "ListUsers", reads: true, handle: (*Server).listUsers},
	{name: "DeleteUser", noOutput: true, handle: (*Server).deleteUser},
	{name: "CreateAccessKey", handle: (*Server).createAccessKey},
	{name: "ListAccessKeys", reads: true, handle: (*Server).listAccessKeys},
	{name: "UpdateAccessKey", noOutput: true, handle: (*Server).updateAccessKey},
	{name: "DeleteAccessKey", noOutput: true, handle: (*Server).deleteAccessKey},
	{name: "PutUserPermissionsBoundary", noOutput: true, handle: (*Server).putUserPermissionsBoundary},
	{name: "DeleteUserPermissionsBoundary", noOutput: true, handle: (*Server).deleteUserPermissionsBoundary},
	{name: "TagUser", noOutput: true, handle: (*Server).tagUser},
	{name: "UntagUser", noOutput: true, handle: (*Server).untagUser},
	{name: "ListUserTags", reads: true, handle: (*Server).listUserTags},
	// Roles.
	{name: "CreateRole", handle: (*Server).createRole},
	{name: "GetRole", reads: true, handle: (*Server).getRole},
	{name: "ListRoles", reads: true, handle: (*Server).listRoles},
	{name: "UpdateRole", handle: (*Server).updateRole},
	{name: "UpdateRoleDescription", handle: (*Server).updateRoleDescription},
	{name: "UpdateAssumeRolePolicy", noOutput: true, handle: (*Server).updateAssumeRolePolicy},
	{name: "DeleteRole", noOutput: true, handle: (*Server).deleteRole},
	{name: "PutRolePermissionsBoundary", noOutput: true, handle: (*Server).putRolePermissionsBoundary},
	{name: "DeleteRolePermissionsBoundary", noOutput: true, handle: (*Server).deleteRolePermissionsBoundary},
	{name: "TagRole", noOutput: true, handle: (*Server).tagRole},
	{name: "UntagRole", noOutput: true, handle: (*Server).untagRole},
	{name: "ListRoleTags", reads: true, handle: (*Server).listRoleTags},
	{name: "ListInstanceProfilesForRole", reads: true, handle: (*Server).listInstanceProfilesForRole},
	{name: "PutRolePolicy", noOutput: true, handle: putInline(opensts.OwnerRole)},
	{name: "GetRolePolicy", reads: true, handle: getInline(opensts.OwnerRole)},
	{name: "DeleteRolePolicy", noOutput: true, handle: deleteInline(opensts.OwnerRole)},
	{name: "ListRolePolicies", reads: true, handle: listInline(opensts.OwnerRole)},
	{name: "AttachRolePolicy", noOutput: true, handle: attach(opensts.OwnerRole, true)},
	{name: "DetachRolePolicy", noOutput: true, handle: attach(opensts.OwnerRole, false)},
	{name: "ListAttachedRolePolicies", reads: true, handle: listAttached(opensts.OwnerRole)},
	// OpenID Connect providers.
	// Outbound web identity federation (GetWebIdentityToken's issuer).
	{name: "EnableOutboundWebIdentityFederation", handle: (*Server).enableOutboundWebIdentityFederation},
	{name: "DisableOutboundWebIdentityFederation", noOutput: true, handle: (*Server).disableOutboundWebIdentityFederation},
	{name: "GetOutboundWebIdentityFederationInfo", reads: true, handle: (*Server).getOutboundWebIdentityFederationInfo},
	{name: "CreateOpenIDConnectProvider", handle: (*Server).createOpenIDConnectProvider},
	{name: "GetOpenIDConnectProvider", reads: true, handle: (*Server).getOpenIDConnectProvider},
	{name: "ListOpenIDConnectProviders", reads: true, handle: (*Server).listOpenIDConnectProviders},
	{name: "DeleteOpenIDConnectProvider", noOutput: true, handle: (*Server).deleteOpenIDConnectProvider},
	{name: "AddClientIDToOpenIDConnectProvider", noOutput: true, handle: (*Server).addClientIDToOpenIDConnectProvider},
	{name: "RemoveClientIDFromOpenIDConnectProvider", noOutput: true, handle: (*Server).removeClientIDFromOpenIDConnectProvider},
	{name: "UpdateOpenIDConnectProviderThumbprint", noOutput: true, handle: (*Server).updateOpenIDConnectProviderThumbprint},
	{name: "TagOpenIDConnectProvider", noOutput: true, handle: (*Server).tagOpenIDConnectProvider},
	{name: "UntagOpenIDConnectProvider", noOutput: true, handle: (*Server).untagOpenIDConnectProvider},
	{name: "ListOpenIDConnectProviderTags", reads: true, handle: (*Server).listOpenIDConnectProviderTags},
	// SAML providers. A private key for encrypted assertions (refused) is
	// never audited.
	{name: "CreateSAMLProvider", secret: []string{"AddPrivateKey"}, handle: (*Server).createSAMLProvider},
	{name: "GetSAMLProvider", reads: true, handle: (*Server).getSAMLProvider},
	{name: "ListSAMLProviders", reads: true, handle: (*Server).listSAMLProviders},
	{name: "UpdateSAMLProvider", secret: []string{"AddPrivateKey"}, handle: (*Server).updateSAMLProvider},
	{name: "DeleteSAMLProvider", noOutput: true, handle: (*Server).deleteSAMLProvider},
	{name: "TagSAMLProvider", noOutput: true, handle: (*Server).tagSAMLProvider},
	{name: "UntagSAMLProvider", noOutput: true, handle: (*Server).untagSAMLProvider},
	{name: "ListSAMLProviderTags", reads: true, handle: (*Server).listSAMLProviderTags},
	// Groups.
	{name: "CreateGroup", handle: (*Server).createGroup},
	{name: "GetGroup", reads: true, handle: (*Server).getGroup},
	{name: "DeleteGroup", noOutput: true, handle: (*Server).deleteGroup},
	{name: "ListGroups", reads: true, handle: (*Server).listGroups},
	{name: "AddUserToGroup", noOutput: true, handle: (*Server).addUserToGroup},
	{name: "RemoveUserFromGroup", noOutput: true, handle: (*Server).removeUserFromGroup},
	{name: "ListGroupsForUser", reads: true, handle: (*Server).listGroupsForUser},
	// MFA devices.
	{name: "CreateVirtualMFADevice", handle: (*Server).createVirtualMFADevice},
	{name: "EnableMFADevice", noOutput: true, secret: mfaCodes, handle: (*Server).enableMFADevice},
	{name: "ResyncMFADevice", noOutput: true, secret: mfaCodes, handle: (*Server).resyncMFADevice},
	{name: "DeactivateMFADevice", noOutput: true, handle: (*Server).deactivateMFADevice},
	{name: "DeleteVirtualMFADevice", noOutput: true, handle: (*Server).deleteVirtualMFADevice},
	{name: "ListMFADevices", reads: true, handle: (*Server).listMFADevices},
	{name: "ListVirtualMFADevices", reads: true, handle: (*Server).listVirtualMFADevices},
	// Inline and managed policies.
	{name: "PutUserPolicy", noOutput: true, handle: putInline(opensts.OwnerUser)},
	{name: "PutGroupPolicy", noOutput: true, handle: putInline(opensts.OwnerGroup)},
	{name: "GetUserPolicy", reads: true, handle: getInline(opensts.OwnerUser)},
	{name: "GetGroupPolicy", reads: true, handle: getInline(opensts.OwnerGroup)},
	{name: "DeleteUserPolicy", noOutput: true, handle: deleteInline(opensts.OwnerUser)},
	{name: "DeleteGroupPolicy", noOutput: true, handle: deleteInline(opensts.OwnerGroup)},
	{name: "ListUserPolicies", reads: true, handle: listInline(opensts.OwnerUser)},
	{name: "ListGroupPolicies", reads: true, handle: listInline(opensts.OwnerGroup)},
	{name: "AttachUserPolicy", noOutput: true, handle: attach(opensts.OwnerUser, true)},
	{name: "AttachGroupPolicy", noOutput: true, handle: attach(opensts.OwnerGroup, true)},
	{name: "DetachUserPolicy", noOutput: true, handle: attach(opensts.OwnerUser, false)},
	{name: "DetachGroupPolicy", noOutput: true, handle: attach(opensts.OwnerGroup, false)},
	{name: "ListAttachedUserPolicies", reads: true, handle: listAttached(opensts.OwnerUser)},
	{name: "ListAttachedGroupPolicies", reads: true, handle: listAttached(opensts.OwnerGroup)},
	{name: "CreatePolicy", handle: (*Server).createPolicy},
	{name: "GetPolicy", reads: true, handle: (*Server).getPolicy},
	{name: "DeletePolicy", noOutput: true, handle: (*Server).deletePolicy},
	{name: "ListPolicies", reads: true, handle: (*Server).listPolicies},
	{name: "CreatePolicyVersion", handle: (*Server).createPolicyVersion},
	{name: "GetPolicyVersion", reads: true, handle: (*Server).getPolicyVersion},
	{name: "ListPolicyVersions", reads: true, handle: (*Server).listPolicyVersions},
	{name: "DeletePolicyVersion", noOutput: true, handle: (*Server).deletePolicyVersion},
	{name: "SetDefaultPolicyVersion", noOutput: true, handle: (*Server).setDefaultPolicyVersion},
	{name: "ListEntitiesForPolicy", reads: true, handle: (*Server).listEntitiesForPolicy},
	{name: "GetAccountAuthorizationDetails", reads: true, handle: (*Server).getAccountAuthorizationDetails},
	// The policy simulator.
	{name: "SimulateCustomPolicy", reads: true, handle: (*Server).simulateCustomPolicy},
	{name: "SimulatePrincipalPolicy", reads: true, handle: (*Server).simulatePrincipalPolicy},
	{name: "GetContextKeysForCustomPolicy", reads: true, handle: (*Server).getContextKeysForCustomPolicy},
}

// mfaCodes are the codes EnableMFADevice and ResyncMFADevice prove.
var mfaCodes = []string{"AuthenticationCode1", "AuthenticationCode2"}

func init() {
	for _, op := range iamOperations {
		op.sessions = access.IAMSessions
	}
}
